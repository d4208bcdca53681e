// Files: whole files read back, atomic writes keep the mode asked for; a held lock makes others wait,
// boundedly.
#include "util/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace kura {
namespace {

TEST(FileLock, ASecondHolderWaitsThenTimesOutAndGetsItOnceReleased) {
  char pattern[] = "/tmp/kura-lock-test.XXXXXX";
  std::string dir = mkdtemp(pattern);
  std::string path = dir + "/session.lock";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t holder = fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    auto lock = lock_file(path, std::chrono::milliseconds(1000));
    if (!lock) _exit(1);
    (void)!write(ready[1], "x", 1);
    usleep(600 * 1000);
    _exit(0);  // the kernel releases the lock with the process
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  auto early = lock_file(path, std::chrono::milliseconds(100));
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().message.find("timed out"), std::string::npos);
  auto later = lock_file(path, std::chrono::milliseconds(5000));
  EXPECT_TRUE(later) << later.error().message;
  waitpid(holder, nullptr, 0);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove_all(dir);
}

// read_file sizes its buffer from fstat: files of every size around its first read come back whole, and so
// do files whose size fstat does not give (a pipe, /proc) and an absent file is no file, not an error.
TEST(ReadFile, WholeFilesOfAnySizeAndFilesWithoutASize) {
  char pattern[] = "/tmp/kura-read-test.XXXXXX";
  const std::string dir = mkdtemp(pattern);
  for (size_t size : {0u, 1u, 4095u, 4096u, 4097u, 8193u, 100000u}) {
    std::string text;
    for (size_t i = 0; i < size; ++i) text += static_cast<char>('a' + i % 26);
    ASSERT_TRUE(write_file_atomic(dir + "/f", text, 0600));
    auto read = read_file(dir + "/f");
    ASSERT_TRUE(read && *read) << size;
    EXPECT_EQ(**read, text) << size;
  }
  auto status = read_file("/proc/self/status");  // st_size 0, several KB of text
  ASSERT_TRUE(status && *status);
  EXPECT_NE((*status)->find("VmRSS"), std::string::npos);
  // /proc gives a file bigger than a page a page or so per read: a short read is not its end. smaps has a
  // VmFlags line for every mapping that maps lists, some 1 KB of text each.
  auto smaps = read_file("/proc/self/smaps");
  auto maps = read_file("/proc/self/maps");
  ASSERT_TRUE(smaps && *smaps && maps && *maps);
  EXPECT_GT((*smaps)->size(), 8192u);
  auto count = [](const std::string& text, std::string_view what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(**smaps, "VmFlags:"), count(**maps, "\n"));

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string piped(70000, 'p');  // more than a pipe holds: the reader must keep reading
  pid_t writer = fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    ::close(fds[0]);
    for (size_t at = 0; at < piped.size();) {
      ssize_t n = ::write(fds[1], piped.data() + at, piped.size() - at);
      if (n <= 0) _exit(1);
      at += static_cast<size_t>(n);
    }
    _exit(0);
  }
  ::close(fds[1]);
  auto from_pipe = read_file("/proc/self/fd/" + std::to_string(fds[0]));
  ::close(fds[0]);
  waitpid(writer, nullptr, 0);
  ASSERT_TRUE(from_pipe && *from_pipe);
  EXPECT_EQ(**from_pipe, piped);

  auto absent = read_file(dir + "/absent");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(*absent);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kura
