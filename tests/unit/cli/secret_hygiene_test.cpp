// Secrets are serialised in one place and wiped wherever they are copied: an allocator that scans every block
// freed while kura works finds no canary secret in it. Replaces the global operator new/delete of the
// unit-test binary (plain malloc/free, scanning only between start_scan() and stop_scan()).
#include <execinfo.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>

#include "cli/app.h"
#include "cli_fakes.h"

namespace {

// The canaries: what a leak would look like in freed memory.
constexpr const char* k_long_term_secret = "CANARYkeySECRETwJalrXUtnFEMIK7MDENGbPxRfiCY0000";
constexpr const char* k_session_secret = "CANARYsessionSECRET9vT2bQx7LmPz4KcW8uRyN3dHf0000";
constexpr const char* k_session_token = "CANARYtokenFwoGZXIvYXdzEJr7AAAAAA3gY2g0vH1tm4oZc0000";

std::atomic<bool> g_scanning{false};
std::atomic<int> g_found{0};
char g_first_hit[96];

void scan(void* block) {
  if (!g_scanning.load(std::memory_order_relaxed) || !block) return;
  const size_t size = malloc_usable_size(block);
  const auto* bytes = static_cast<const char*>(block);
  for (const char* canary : {k_long_term_secret, k_session_secret, k_session_token}) {
    if (memmem(bytes, size, canary, strlen(canary))) {
      if (std::getenv("KURA_TEST_CANARY_TRACE")) {  // where it leaked: resolve with addr2line
        void* frames[32];
        backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
        (void)!write(2, "----\n", 5);
      }
      if (g_found.fetch_add(1) == 0) {
        std::snprintf(g_first_hit, sizeof g_first_hit, "%.40s... in a freed block of %zu bytes", canary,
                      size);
      }
    }
  }
}

}  // namespace

// The replacement pairs malloc with free by design; GCC sees free() meet memory from operator new once
// inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(size_t size) {
  if (void* block = std::malloc(size ? size : 1)) return block;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  return operator new(size);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return std::malloc(size ? size : 1);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return std::malloc(size ? size : 1);
}
void operator delete(void* block) noexcept {
  scan(block);
  std::free(block);
}
void operator delete[](void* block) noexcept {
  scan(block);
  std::free(block);
}
void operator delete(void* block, size_t) noexcept {
  scan(block);
  std::free(block);
}
void operator delete[](void* block, size_t) noexcept {
  scan(block);
  std::free(block);
}

namespace kura {
namespace {

using namespace kura::testing;

class SecretHygieneTest : public ::testing::Test, protected CliFakes {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-hygiene-test.XXXXXX";
    root = mkdtemp(pattern);
    std::ofstream(root + "/config")
        << "[profile dev]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::1:mfa/dev\n";
    std::ofstream(root + "/credentials") << "";
    deps.env = Environment({{"HOME", root},
                            {"AWS_CONFIG_FILE", root + "/config"},
                            {"AWS_SHARED_CREDENTIALS_FILE", root + "/credentials"},
                            {"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
                            {"AWS_SECRET_ACCESS_KEY", k_long_term_secret},
                            {"PATH", "/usr/bin:/bin"}});
    out.reserve(size_t{1} << 16);  // the harness's own buffer must not reallocate and free what it holds
    // The STS answers, made before scanning starts (the fake hands them over by moving them): add's check of
    // the key, then GetSessionToken.
    transport.reply(200, sts_caller_identity_xml("123456789012", "dev"));
    transport.reply(200,
                    "<GetSessionTokenResponse><GetSessionTokenResult><Credentials><AccessKeyId>ASIACANARY"
                    "</AccessKeyId><SecretAccessKey>" +
                        std::string(k_session_secret) + "</SecretAccessKey><SessionToken>" + k_session_token +
                        "</SessionToken><Expiration>2026-11-22T20:00:00Z</Expiration></Credentials>"
                        "</GetSessionTokenResult></GetSessionTokenResponse>");
    runner.environment.reserve(64);
  }
  void TearDown() override { std::filesystem::remove_all(root); }

  std::string root;
};

// add --env (the key from the environment, checked with GetCallerIdentity), export on a miss (GetSessionToken
// signed with the key, the session cached), export on a hit (the session read back), exec (the child's
// environment): every block freed meanwhile is free of the three canaries.
TEST_F(SecretHygieneTest, NoFreedBlockHoldsASecret) {
  g_found = 0;
  g_scanning = true;
  int added = run_cli({"add", "--env", "dev"}, deps);
  int missed = run_cli({"export", "--format", "json", "--mfa-token", "123456", "dev"}, deps);
  int hit = run_cli({"export", "--format", "env", "dev"}, deps);
  int exec = run_cli({"exec", "dev", "--", "true"}, deps);
  g_scanning = false;
  ASSERT_EQ(added, 0);
  ASSERT_EQ(missed, 0);
  ASSERT_EQ(hit, 0);
  ASSERT_EQ(exec, 0);
  ASSERT_NE(out.find(k_session_secret), std::string::npos);  // the flow really carried the canaries
  ASSERT_EQ(transport.requests.size(), 2u);                  // add's GetCallerIdentity, then GetSessionToken
  EXPECT_EQ(g_found.load(), 0) << "first: " << g_first_hit;
}

// The scanner itself: a plain copy of a secret, freed, is found.
TEST_F(SecretHygieneTest, TheScannerFindsAnUnwipedCopy) {
  g_found = 0;
  g_scanning = true;
  {
    std::string copy(k_session_token);
    copy += " and more, so that it lives on the heap";
  }
  g_scanning = false;
  EXPECT_GE(g_found.load(), 1);
}

}  // namespace
}  // namespace kura
