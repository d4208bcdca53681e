// Helpers kura starts (pass, gpg, dialogs) never inherit a secret variable, and get back the core limit kura
// lowered for itself.
#include "process/spawn.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

#include "process/hardening.h"

namespace kura {
namespace {

TEST(Spawn, SecretVariablesAreNotInherited) {
  ::setenv("KURA_FILE_PASSPHRASE", "hunter2", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI", 1);
  auto ran = spawn({"env"}, {}, {{"KURA_TEST_GIVEN", "yes"}});
  ::unsetenv("KURA_FILE_PASSPHRASE");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ASSERT_TRUE(ran);
  EXPECT_EQ(ran->out.find("hunter2"), std::string::npos);
  EXPECT_EQ(ran->out.find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_NE(ran->out.find("KURA_TEST_GIVEN=yes"), std::string::npos);
}

// The exit status of `body` run in a forked child (or -1 when the child did not exit), so that hardening
// leaves the test binary itself dumpable.
int in_child(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Hardening, NoCoreDumpsForKuraButChildrenKeepTheirLimit) {
  const int status = in_child([] {
    rlimit before{};
    ::getrlimit(RLIMIT_CORE, &before);
    if (before.rlim_max == 0) return 0;  // nothing to lower or restore here
    before.rlim_cur = before.rlim_max;
    ::setrlimit(RLIMIT_CORE, &before);
    harden_process();
    rlimit now{};
    ::getrlimit(RLIMIT_CORE, &now);
    if (now.rlim_cur != 0) return 2;
    auto ran = spawn({"sh", "-c", "ulimit -c"}, {});
    if (!ran || ran->out == "0\n") return 3;
    return 0;
  });
  EXPECT_EQ(status, 0) << "2: kura's own core limit is not 0; 3: the child did not get it back";
}

// A soft limit of 0 (most systems' default) is kept as it is, by kura and by its children.
TEST(Hardening, ACoreLimitOfZeroStaysZero) {
  const int status = in_child([] {
    rlimit before{};
    ::getrlimit(RLIMIT_CORE, &before);
    before.rlim_cur = 0;
    ::setrlimit(RLIMIT_CORE, &before);
    harden_process();
    rlimit now{};
    ::getrlimit(RLIMIT_CORE, &now);
    if (now.rlim_cur != 0 || now.rlim_max != before.rlim_max) return 2;
    auto ran = spawn({"sh", "-c", "ulimit -c"}, {});
    if (!ran || ran->out != "0\n") return 3;
    return 0;
  });
  EXPECT_EQ(status, 0) << "2: kura changed its core limits; 3: the child's core limit is not 0";
}

}  // namespace
}  // namespace kura
