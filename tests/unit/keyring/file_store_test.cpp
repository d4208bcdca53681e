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
  EXPECT_FALSE(store("pw").list());
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
