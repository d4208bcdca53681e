// The encrypted file store: round trips, absent vs failed, wrong passphrase, tampering, permissions, names
// hidden.
#include "keyring/file_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "util/fs.h"

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

}  // namespace
}  // namespace kura
