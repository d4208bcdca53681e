// Helpers kura starts (pass, gpg, dialogs) never inherit a secret variable, and get back the core limit kura
// lowered for itself.
#include "process/spawn.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

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

// In a forked child, so the test binary itself stays dumpable.
TEST(Hardening, NoCoreDumpsForKuraButChildrenKeepTheirLimit) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rlimit before{};
    ::getrlimit(RLIMIT_CORE, &before);
    if (before.rlim_max == 0) ::_exit(0);  // nothing to lower or restore here
    before.rlim_cur = before.rlim_max;
    ::setrlimit(RLIMIT_CORE, &before);
    harden_process();
    rlimit now{};
    ::getrlimit(RLIMIT_CORE, &now);
    if (now.rlim_cur != 0) ::_exit(2);
    auto ran = spawn({"sh", "-c", "ulimit -c"}, {});
    if (!ran || ran->out == "0\n") ::_exit(3);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: kura's own core limit is not 0; 3: the child did not get it back";
}

// A soft limit of 0 (most systems' default) is kept as it is, by kura and by its children.
TEST(Hardening, ACoreLimitOfZeroStaysZero) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rlimit before{};
    ::getrlimit(RLIMIT_CORE, &before);
    before.rlim_cur = 0;
    ::setrlimit(RLIMIT_CORE, &before);
    harden_process();
    rlimit now{};
    ::getrlimit(RLIMIT_CORE, &now);
    if (now.rlim_cur != 0 || now.rlim_max != before.rlim_max) ::_exit(2);
    auto ran = spawn({"sh", "-c", "ulimit -c"}, {});
    if (!ran || ran->out != "0\n") ::_exit(3);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: kura changed its core limits; 3: the child's core limit is not 0";
}

}  // namespace
}  // namespace kura
