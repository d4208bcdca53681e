// Files: atomic writes keep the mode asked for; a held lock makes others wait, boundedly.
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

}  // namespace
}  // namespace kura
