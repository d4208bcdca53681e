// The file editor under stress: concurrent writers lose nothing, a killed writer never leaves a broken file,
// permissions are tightened, symlinks are followed, and an unparseable file is left alone.
#include "config/ini_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "util/fs.h"

namespace kura {
namespace {

class IniFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-ini-file.XXXXXX";
    dir = mkdtemp(pattern);
    path = dir + "/credentials";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  IniDocument read_back() const {
    auto text = read_file(path);
    auto doc = IniDocument::parse(text->value_or(""), path);
    EXPECT_TRUE(doc) << doc.error().message;
    return std::move(*doc);
  }
  static Result<void> set(const std::string& file, const std::string& section, const std::string& key,
                          const std::string& value) {
    return edit_aws_file(file, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
      if (auto done = doc.set(section, key, value); !done) return done.error();
      return true;
    });
  }
  std::string dir;
  std::string path;
};

TEST_F(IniFileTest, ConcurrentWritersLoseNothing) {
  constexpr int k_writers = 16;
  constexpr int k_updates = 200;
  ASSERT_TRUE(write_file_atomic(path, "# shared by 16 writers\n[default]\nregion = eu-west-1\n", 0600));
  std::vector<pid_t> children;
  for (int w = 0; w < k_writers; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int u = 1; u <= k_updates; ++u) {
        // Each writer owns a section; a lost update would roll another writer's count back.
        if (!set(path, "writer" + std::to_string(w), "count", std::to_string(u))) _exit(1);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  IniDocument doc = read_back();
  for (int w = 0; w < k_writers; ++w) {
    const IniSection* section = doc.find("writer" + std::to_string(w));
    ASSERT_NE(section, nullptr) << w;
    EXPECT_EQ(section->values.at("count"), std::to_string(k_updates));
  }
  EXPECT_EQ(doc.find("default")->values.at("region"), "eu-west-1");
  EXPECT_EQ(doc.serialize().rfind("# shared by 16 writers\n[default]\nregion = eu-west-1\n", 0), 0u);
}

TEST_F(IniFileTest, AKilledWriterNeverLeavesATruncatedOrMixedFile) {
  // Every state the writer produces has 40 sections all with the same generation number.
  auto write_generation = [&](int generation) {
    return edit_aws_file(path, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
      for (int s = 0; s < 40; ++s) {
        if (auto done = doc.set("s" + std::to_string(s), "generation", std::to_string(generation)); !done) {
          return done.error();
        }
      }
      return true;
    });
  };
  ASSERT_TRUE(write_generation(0));
  std::mt19937 random(7);
  for (int round = 0; round < 40; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int g = 1;; ++g) (void)write_generation(g);
    }
    usleep(static_cast<useconds_t>(1000 + random() % 20000));
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    IniDocument doc = read_back();
    std::string generation = doc.find("s0")->values.at("generation");
    for (int s = 0; s < 40; ++s) {
      const IniSection* section = doc.find("s" + std::to_string(s));
      ASSERT_NE(section, nullptr);
      ASSERT_EQ(section->values.at("generation"), generation) << "mixed file after kill " << round;
    }
  }
  // The next edit cleans up temporary files a killed writer left behind.
  ASSERT_TRUE(write_generation(999));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "credentials");
  }
  EXPECT_EQ(files, 1);
}

TEST_F(IniFileTest, NewFilesArePrivateAndReadableOnesAreTightened) {
  ASSERT_TRUE(set(path, "default", "k", "v"));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  chmod(path.c_str(), 0644);
  ASSERT_TRUE(set(path, "default", "k", "w"));
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string config = dir + "/config";
  ASSERT_TRUE(write_file_atomic(config, "[default]\n", 0644));
  ASSERT_TRUE(edit_aws_file(config, AwsFile::config, [](IniDocument& doc) -> Result<bool> {
    if (auto done = doc.set("default", "region", "eu-west-1"); !done) return done.error();
    return true;
  }));
  ASSERT_EQ(stat(config.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);  // the config file holds no secrets: its mode is the user's choice
}

TEST_F(IniFileTest, FollowsASymlinkedTarget) {
  std::filesystem::create_directory(dir + "/dotfiles");
  std::string real = dir + "/dotfiles/credentials";
  ASSERT_TRUE(write_file_atomic(real, "[a]\nx = 1\n", 0600));
  std::filesystem::create_symlink(real, path);
  ASSERT_TRUE(set(path, "a", "y", "2"));
  EXPECT_TRUE(std::filesystem::is_symlink(path));
  EXPECT_EQ(**read_file(real), "[a]\nx = 1\ny = 2\n");
}

TEST_F(IniFileTest, AnUnparseableFileIsNotWritten) {
  const std::string broken = "[a]\nx = 1\nthis line is broken\n";
  ASSERT_TRUE(write_file_atomic(path, broken, 0600));
  auto result = set(path, "a", "y", "2");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find(path + ":3: malformed line"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(**read_file(path), broken);
}

TEST_F(IniFileTest, NoChangeNoWrite) {
  ASSERT_TRUE(write_file_atomic(path, "[a]\n", 0644));
  ASSERT_TRUE(edit_aws_file(path, AwsFile::credentials, [](IniDocument&) -> Result<bool> { return false; }));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

// Root passes access(W_OK) on anything: the file's own mode says whether the user meant it to be written.
TEST_F(IniFileTest, AReadOnlyFileIsRefusedAndLeftAlone) {
  const std::string text = "[a]\nx = 1\n";
  ASSERT_TRUE(write_file_atomic(path, text, 0444));
  auto result = set(path, "a", "y", "2");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, path + " is read-only (mode 0444); nothing was written");
  EXPECT_EQ(result.error().hint, "chmod u+w " + path + " if kura may change it");
  EXPECT_EQ(**read_file(path), text);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
}

TEST_F(IniFileTest, AFileOfAnotherUserIsRefusedAndLeftAlone) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  const std::string text = "[a]\nx = 1\n";
  ASSERT_TRUE(write_file_atomic(path, text, 0600));
  ASSERT_EQ(chown(path.c_str(), 65534, 65534), 0);
  auto result = set(path, "a", "y", "2");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, path + " belongs to another user (uid 65534); nothing was written");
  EXPECT_EQ(**read_file(path), text);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
}

// Whatever the edit did to the document, the result is read back and compared with the file plus the edits
// asked for; here the callback swaps the whole document instead of editing it.
TEST_F(IniFileTest, AResultThatChangesMoreThanTheEditsIsNotWritten) {
  const std::string text = "[a]\nx = 1\n[b]\ny = 2\n";
  ASSERT_TRUE(write_file_atomic(path, text, 0600));
  auto result = edit_aws_file(path, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
    auto other = IniDocument::parse("[a]\nx = 1\n[b]\ny = 3\n", path);
    if (!other) return other.error();
    doc = std::move(*other);
    return true;
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, path + ": the edit would also change [b] y; nothing was written");
  EXPECT_EQ(**read_file(path), text);
}

TEST_F(IniFileTest, ARefusedEditWritesNothing) {
  const std::string text = "[a]\nk = v\n[b]\n  [c]\nx = 1\n";
  ASSERT_TRUE(write_file_atomic(path, text, 0600));
  auto result = edit_aws_file(path, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
    if (auto done = doc.set("a", "k", "w"); !done) return done.error();
    auto removed = doc.remove_section("b");
    if (!removed) return removed.error();
    return true;
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, path + ": removing [b] would also change [a] k");
  EXPECT_EQ(**read_file(path), text);
}

// The audit's case, end to end: removing a key whose value continues after a comment keeps the key before it
// intact in the written file.
TEST_F(IniFileTest, RemovingAKeyLeavesTheKeyBeforeItIntact) {
  ASSERT_TRUE(write_file_atomic(
      path, "[p]\naws_secret_access_key = SECRET\naws_session_token = OLDTOKEN\n# note\n  OLDTOKENTAIL\n",
      0600));
  ASSERT_TRUE(edit_aws_file(path, AwsFile::credentials, [](IniDocument& doc) -> Result<bool> {
    auto removed = doc.remove_key("p", "aws_session_token");
    if (!removed) return removed.error();
    return *removed;
  }));
  IniDocument doc = read_back();
  EXPECT_EQ(doc.find("p")->values, (std::map<std::string, std::string>{{"aws_secret_access_key", "SECRET"}}));
}

}  // namespace
}  // namespace kura
