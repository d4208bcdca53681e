// The encrypted file store: round trips, absent vs failed, wrong passphrase, tampering, permissions, names
// hidden.
#include "keyring/file_store.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "util/fs.h"
#include "util/strings.h"

namespace kura {
namespace {

class MemoryKeyCache final : public KeyCache {
 public:
  std::optional<Secret> get(const std::string& description) override {
    auto it = keys.find(description);
    if (it == keys.end()) return std::nullopt;
    return Secret(std::string_view(it->second));
  }
  void put(const std::string& description, std::string_view key, std::chrono::seconds ttl) override {
    last_ttl = ttl;
    keys[description] = std::string(key);
  }
  void remove(const std::string& description) override { keys.erase(description); }
  std::map<std::string, std::string> keys;
  std::chrono::seconds last_ttl{0};
};

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-store-test.XXXXXX";
    m_root = mkdtemp(pattern);
    directory = m_root + "/data/kura/file-store";
  }
  void TearDown() override { std::filesystem::remove_all(m_root); }

  FileStore store(const std::string& passphrase, KeyCache* cache = nullptr) {
    FileStoreOptions options;
    options.directory = directory;
    options.passphrase = [this, passphrase](bool) -> Result<Secret> {
      ++asked;
      return Secret(std::string_view(passphrase));
    };
    options.key_cache = cache;
    options.kdf = KdfParams{1, 8192};  // fast for tests; the format stores whatever was used
    return FileStore(std::move(options));
  }
  std::vector<std::string> item_files() const {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(directory)) {
      if (e.path().extension() == ".item") files.push_back(e.path().string());
    }
    return files;
  }

  std::string m_root;
  std::string directory;
  int asked = 0;
};

TEST_F(FileStoreTest, AbsentBeforeCreationWithoutAskingForAPassphrase) {
  auto s = store("pw");
  auto got = s.get("master:dev");
  ASSERT_TRUE(got);
  EXPECT_FALSE(*got);
  EXPECT_EQ(asked, 0);
  EXPECT_FALSE(file_exists(directory));
}

TEST_F(FileStoreTest, RoundTripsOverwritesRemovesAndLists) {
  auto s = store("pw");
  ASSERT_TRUE(s.set("master:dev", "one", {}));
  ASSERT_TRUE(s.set("master:dev", "two", {}));
  ASSERT_TRUE(s.set("session:ünïcödé", std::string(100000, 'x'), {}));
  auto reopened = store("pw");
  EXPECT_EQ((*reopened.get("master:dev"))->view(), "two");
  EXPECT_EQ((*reopened.get("session:ünïcödé"))->size(), 100000u);
  auto items = reopened.list();
  ASSERT_TRUE(items);
  std::sort(items->begin(), items->end());
  EXPECT_EQ(*items, (std::vector<std::string>{"master:dev", "session:ünïcödé"}));
  EXPECT_TRUE(*reopened.remove("master:dev"));
  EXPECT_FALSE(*reopened.remove("master:dev"));
  EXPECT_FALSE(*reopened.get("master:dev"));
}

TEST_F(FileStoreTest, PrivatePermissionsAndNoNamesInFileNames) {
  auto s = store("pw");
  ASSERT_TRUE(s.set("master:very-secret-client", "v", {}));
  struct stat st {};
  ASSERT_EQ(::stat(directory.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << entry.path();
    EXPECT_EQ(entry.path().string().find("secret-client"), std::string::npos);
  }
  auto content = read_file(item_files().at(0));
  EXPECT_EQ((*content)->find("very-secret-client"), std::string::npos);  // encrypted, not just renamed
}

TEST_F(FileStoreTest, WrongPassphraseIsAClearErrorAndChangesNothing) {
  ASSERT_TRUE(store("right").set("master:dev", "v", {}));
  auto before = read_file(directory + "/store.json");
  auto wrong = store("wrong");
  auto got = wrong.get("master:dev");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("wrong passphrase for the file store"), std::string::npos);
  EXPECT_FALSE(wrong.set("master:other", "v", {}));  // never a silently second store
  EXPECT_EQ(**read_file(directory + "/store.json"), **before);
  EXPECT_EQ(item_files().size(), 1u);
}

TEST_F(FileStoreTest, StoreMetadataIsReadBackAndDamageIsAnErrorNamingTheFile) {
  ASSERT_TRUE(store("pw").set("master:dev", "v", {}));
  const std::string meta = directory + "/store.json";
  const std::string good = **read_file(meta);
  EXPECT_EQ((*store("pw").get("master:dev"))->view(), "v");  // what the writer wrote, the reader takes

  auto replace = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  const std::vector<std::pair<std::string, std::string>> damaged = {
      {"not JSON", "{\"format\": "},
      {"another format", replace("\"kura-file-store\"", "\"other-store\"")},
      {"another version", replace("\"version\": 1", "\"version\": 2")},
      {"no salt", replace("\"salt\"", "\"pepper\"")},
      {"a negative cost", replace("\"ops\": 1", "\"ops\": -1")},
      {"bad base64", replace("\"check\": \"", "\"check\": \"!!")},
  };
  for (const auto& [what, text] : damaged) {
    ASSERT_TRUE(write_file_atomic(meta, text, 0600)) << what;
    auto got = store("pw").get("master:dev");
    ASSERT_FALSE(got) << what;
    EXPECT_EQ(got.error().message.rfind(meta + ": ", 0), 0u) << what << ": " << got.error().message;
    EXPECT_EQ(**read_file(meta), text) << what;  // a reader changes nothing
  }
}

TEST_F(FileStoreTest, TamperedOrSwappedFilesFailAuthentication) {
  auto s = store("pw");
  ASSERT_TRUE(s.set("master:a", "alpha", {}));
  ASSERT_TRUE(s.set("master:b", "bravo", {}));
  auto files = item_files();
  ASSERT_EQ(files.size(), 2u);
  // Swap the two files: each was sealed with its own file id, so both now fail.
  std::string a = **read_file(files[0]);
  std::string b = **read_file(files[1]);
  ASSERT_TRUE(write_file_atomic(files[0], b, 0600));
  ASSERT_TRUE(write_file_atomic(files[1], a, 0600));
  auto got = store("pw").get("master:a");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("failed authentication"), std::string::npos);
  // Flip one bit.
  a[a.size() / 2] ^= 1;
  ASSERT_TRUE(write_file_atomic(files[0], a, 0600));
  ASSERT_TRUE(write_file_atomic(files[1], b, 0600));
  // files[0] holds one of the two items (directory order): exactly that one fails authentication.
  auto fresh = store("pw");
  auto first = fresh.get("master:a");
  auto second = fresh.get("master:b");
  ASSERT_NE(first.ok(), second.ok());
  const Error& failed = first ? second.error() : first.error();
  EXPECT_NE(failed.message.find("failed authentication"), std::string::npos);
}

// One corrupt item must not take the whole store down: it is left out of list(), named by unreadable(), and
// removable through that name; the readable items stay listed and usable.
TEST_F(FileStoreTest, AnUnreadableItemIsSetAsideNotFatal) {
  auto s = store("pw");
  ASSERT_TRUE(s.set("master:a", "alpha", {}));
  ASSERT_TRUE(s.set("session:b", "bravo", {}));
  ASSERT_TRUE(s.set("session:c", "charlie", {}));
  std::string victim = item_files()[0];
  std::string data = **read_file(victim);
  data[data.size() / 2] ^= 1;
  ASSERT_TRUE(write_file_atomic(victim, data, 0600));

  auto fresh = store("pw");
  auto listed = fresh.list();
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->size(), 2u);
  auto unreadable = fresh.unreadable();
  ASSERT_TRUE(unreadable);
  ASSERT_EQ(unreadable->size(), 1u);
  EXPECT_EQ((*unreadable)[0], "unreadable:" + victim.substr(victim.rfind('/') + 1));
  auto removed = fresh.remove((*unreadable)[0]);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_EQ(item_files().size(), 2u);
  EXPECT_TRUE(fresh.unreadable()->empty());
  // Names that are not item files are refused, so remove() cannot be steered outside the store.
  EXPECT_FALSE(fresh.remove("unreadable:../store.json"));
  EXPECT_FALSE(fresh.remove("unreadable:store.json"));
}

// A writer killed between writing its temporary file and renaming it leaves a sealed copy behind (possibly
// of a key removed since): the next writer, holding the store's lock, deletes it.
TEST_F(FileStoreTest, TemporaryFilesOfDeadWritersAreRemovedByTheNextWriter) {
  auto s = store("pw");
  ASSERT_TRUE(s.set("master:a", "alpha", {}));
  std::string stale = item_files()[0] + ".kura-tmp-123456";
  ASSERT_TRUE(write_file_atomic(stale, "sealed copy", 0600));
  ASSERT_TRUE(file_exists(stale));
  ASSERT_TRUE(store("pw").set("session:x", "x", {}));
  EXPECT_FALSE(file_exists(stale));
}

TEST_F(FileStoreTest, UnlockedKeyIsCachedAndAStaleOneIgnored) {
  MemoryKeyCache cache;
  ASSERT_TRUE(store("pw", &cache).set("master:a", "alpha", {}));
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(cache.keys.size(), 1u);
  EXPECT_EQ(cache.last_ttl, std::chrono::seconds(900));
  EXPECT_EQ((*store("ignored", &cache).get("master:a"))->view(), "alpha");
  EXPECT_EQ(asked, 1);                                // no second passphrase
  cache.keys.begin()->second = std::string(32, 'k');  // a key from some older store
  EXPECT_EQ((*store("pw", &cache).get("master:a"))->view(), "alpha");
  EXPECT_EQ(asked, 2);
}

// A cache hit finds the store's key unlocked and reads an item without libsodium's full initialisation, whose
// CPUID probe costs a tenth of a hit on a VM (crypto/sodium.h). The reader is a fresh exec of this binary
// (FileStoreFreshProcess below): in this process other tests have initialised libsodium already.
TEST_F(FileStoreTest, AReadWithAnUnlockedKeyLeavesLibsodiumUninitialised) {
  MemoryKeyCache cache;
  ASSERT_TRUE(store("pw", &cache).set("master:dev", "the value", {}));
  ASSERT_EQ(cache.keys.size(), 1u);
  const std::string task = m_root + "/task";
  ASSERT_TRUE(write_file_atomic(
      task, directory + "\n" + cache.keys.begin()->first + "\n" + hex_encode(cache.keys.begin()->second),
      0600));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string variable = "KURA_FRESH_READER=" + task;
    putenv(variable.data());
    execl("/proc/self/exe", "kura_unit_tests", "--gtest_filter=FileStoreFreshProcess.ReadsWithTheCachedKey",
          nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "reader status " << status;
}

// Runs only as the reader of AReadWithAnUnlockedKeyLeavesLibsodiumUninitialised.
TEST(FileStoreFreshProcess, ReadsWithTheCachedKey) {
  const char* task = std::getenv("KURA_FRESH_READER");
  if (!task) GTEST_SKIP() << "only run by FileStoreTest.AReadWithAnUnlockedKeyLeavesLibsodiumUninitialised";
  std::vector<std::string> parts = split(**read_file(task), '\n');
  ASSERT_EQ(parts.size(), 3u);
  MemoryKeyCache cache;
  std::string key;
  for (size_t i = 0; i + 1 < parts[2].size(); i += 2) {
    key += static_cast<char>(std::stoi(parts[2].substr(i, 2), nullptr, 16));
  }
  cache.keys[parts[1]] = key;
  auto read = [&] {
    FileStoreOptions options;
    options.directory = parts[0];
    options.passphrase = [](bool) -> Result<Secret> { return make_error("no passphrase on a hit"); };
    options.key_cache = &cache;
    auto got = FileStore(std::move(options)).get("master:dev");
    return got && *got ? std::string((*got)->view()) : std::string("(nothing)");
  };
  EXPECT_EQ(read(), "the value");                                   // libsodium's portable code
  EXPECT_EQ(sodium_init(), 0) << "the read initialised libsodium";  // 0: initialised now, 1: already was
  EXPECT_EQ(read(), "the value");                                   // its vector code agrees
}

}  // namespace
}  // namespace kura
