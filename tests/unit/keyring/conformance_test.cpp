// One conformance suite for every keystore backend: set, get, absent vs failed, overwrite, remove, list,
// large values, unicode names, and two processes at once. The file store and the kernel keyring run
// everywhere; backends that need a running service run when KURA_CONFORMANCE lists them
// (tests/e2e/test_backends_*.sh starts gnome-keyring on a private bus, or a throwaway GnuPG home for pass).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "keyring/backends.h"
#include "keyring/file_store.h"
#include "keyring/kernel_keyring.h"
#include "util/strings.h"

namespace kura {
namespace {

std::vector<std::string> backends_under_test() {
  std::vector<std::string> names = {"file", "kernel"};
  if (const char* extra = std::getenv("KURA_CONFORMANCE")) {
    for (const std::string& name : split(extra, ',')) {
      if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-conformance.XXXXXX";
    m_dir = mkdtemp(pattern);
    std::random_device random;
    m_prefix = "conformance-" + std::to_string(getpid()) + "-" + std::to_string(random()) + ":";
  }
  void TearDown() override {
    if (auto store = open()) {
      if (auto items = store->list()) {
        for (const auto& item : *items) {
          if (item.rfind(m_prefix, 0) == 0) (void)store->remove(item);
        }
      }
    }
    std::filesystem::remove_all(m_dir);
  }
  std::unique_ptr<Keystore> open() { return open_named(GetParam(), m_dir); }

 public:
  static std::unique_ptr<Keystore> open_named(const std::string& backend, const std::string& dir) {
    if (backend == "file") {
      FileStoreOptions options;
      options.directory = dir + "/store";
      options.passphrase = [](bool) -> Result<Secret> { return Secret(std::string("conformance")); };
      options.kdf = KdfParams{1, 8192};
      return std::make_unique<FileStore>(std::move(options));
    }
    BackendOptions options;
    options.pass_prefix = "kura-conformance";
    auto store = open_backend(backend, options);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

 protected:
  std::string item(const std::string& name) const { return m_prefix + name; }

  std::string m_dir;
  std::string m_prefix;
};

TEST_P(Conformance, AbsentIsEmptyNotAnError) {
  auto store = open();
  ASSERT_TRUE(store);
  auto got = store->get(item("never-stored"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_FALSE(*got);
  auto removed = store->remove(item("never-stored"));
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
}

TEST_P(Conformance, SetGetOverwriteRemove) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->set(item("a"), "first", {}));
  EXPECT_EQ((*store->get(item("a")))->view(), "first");
  ASSERT_TRUE(store->set(item("a"), "second", {}));
  EXPECT_EQ((*store->get(item("a")))->view(), "second");
  auto reopened = open();  // another handle sees the same
  EXPECT_EQ((*reopened->get(item("a")))->view(), "second");
  EXPECT_TRUE(*store->remove(item("a")));
  EXPECT_FALSE(*store->get(item("a")));
}

TEST_P(Conformance, ListsWhatIsThere) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->set(item("one"), "1", {}));
  ASSERT_TRUE(store->set(item("two"), "2", {}));
  ASSERT_TRUE(store->set(item("gone"), "3", {}));
  ASSERT_TRUE(store->remove(item("gone")));
  auto items = store->list();
  ASSERT_TRUE(items) << items.error().message;
  std::vector<std::string> ours;
  for (const auto& name : *items) {
    if (name.rfind(m_prefix, 0) == 0) ours.push_back(name);
  }
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, (std::vector<std::string>{item("one"), item("two")}));
}

TEST_P(Conformance, LargeValuesAndAnyBytes) {
  auto store = open();
  ASSERT_TRUE(store);
  std::string value;
  for (int i = 0; i < 8192; ++i) value += static_cast<char>(' ' + i % 90);  // 8 KiB: far above any credential
  value += "\n\"quotes\" \\backslash\\ ünïcödé";
  ASSERT_TRUE(store->set(item("large"), value, {}));
  EXPECT_EQ((*store->get(item("large")))->view(), value);
}

TEST_P(Conformance, UnicodeAndPunctuationInNames) {
  auto store = open();
  ASSERT_TRUE(store);
  const std::string name = item("master:прод/東京 ünï.profile=x");
  ASSERT_TRUE(store->set(name, "v", {}));
  EXPECT_EQ((*store->get(name))->view(), "v");
  auto items = store->list();
  ASSERT_TRUE(items);
  EXPECT_NE(std::find(items->begin(), items->end(), name), items->end());
}

// The other process is a fresh exec of this binary (ConformanceWorker below), as a second kura run would be:
// glib, under libsecret, does not survive a fork without exec.
TEST_P(Conformance, TwoProcessesAtOnce) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->set(item("warm"), "up", {}));  // create the store before the worker starts
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string task = "KURA_CONFORMANCE_WORKER=" + GetParam() + "|" + m_dir + "|" + m_prefix;
    char* envp_entry = task.data();
    putenv(envp_entry);
    execl("/proc/self/exe", "kura_unit_tests", "--gtest_filter=ConformanceWorker.WritesTwentyItems", nullptr);
    _exit(127);
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store->set(item("parent-" + std::to_string(i)), "p", {}));
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker status " << status;
  auto items = store->list();
  ASSERT_TRUE(items);
  int ours = 0;
  for (const auto& name : *items) ours += name.rfind(m_prefix, 0) == 0 ? 1 : 0;
  EXPECT_EQ(ours, 41);
  EXPECT_EQ((*store->get(item("child-19")))->view(), "c19");
}

INSTANTIATE_TEST_SUITE_P(Backends, Conformance, ::testing::ValuesIn(backends_under_test()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Runs only as TwoProcessesAtOnce's second process.
TEST(ConformanceWorker, WritesTwentyItems) {
  const char* task = std::getenv("KURA_CONFORMANCE_WORKER");
  if (!task) GTEST_SKIP() << "only run by Conformance.TwoProcessesAtOnce";
  std::vector<std::string> parts = split(task, '|');
  ASSERT_EQ(parts.size(), 3u);
  auto store = Conformance::open_named(parts[0], parts[1]);
  ASSERT_TRUE(store);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->set(parts[2] + "child-" + std::to_string(i), "c" + std::to_string(i), {}));
  }
}

}  // namespace
}  // namespace kura
