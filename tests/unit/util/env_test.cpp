// Secret variables never leave kura: not in a child's environment, not in the process environment.
#include "util/env.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace kura {
namespace {

TEST(SecretVariables, AreNamedOnceAndLeftOutOfChildren) {
  for (const char* name : {"KURA_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE", "AWS_SECRET_ACCESS_KEY",
                           "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"}) {
    EXPECT_TRUE(is_secret_variable(name)) << name;
  }
  EXPECT_FALSE(is_secret_variable("AWS_ACCESS_KEY_ID"));
  EXPECT_FALSE(is_secret_variable("PATH"));
  // What children get is child_variables/exec_environment's (cli/credentials.cpp; CommandsTest.Exec*).
  Environment env({{"KURA_FILE_PASSPHRASE", "hunter2"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"HOME", "/h"}});
  EXPECT_EQ(*env.get("KURA_FILE_PASSPHRASE"), "hunter2");  // kura itself still has it
}

TEST(SecretVariables, ScrubbingWipesAndRemovesThemFromTheProcessEnvironment) {
  ::setenv("KURA_FILE_PASSPHRASE", "hunter2", 1);
  ::setenv("KURA_TEST_KEEP", "kept", 1);
  Environment snapshot = Environment::from_process();
  scrub_secret_variables();
  EXPECT_EQ(::getenv("KURA_FILE_PASSPHRASE"), nullptr);
  EXPECT_STREQ(::getenv("KURA_TEST_KEEP"), "kept");
  EXPECT_EQ(*snapshot.get("KURA_FILE_PASSPHRASE"), "hunter2");
  ::unsetenv("KURA_TEST_KEEP");
}

}  // namespace
}  // namespace kura
