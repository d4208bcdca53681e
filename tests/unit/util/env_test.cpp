// Secret variables never leave kura: not in a child's environment, not in the process environment.
#include "util/env.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

extern char** environ;

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
  const char* secrets[] = {"KURA_FILE_PASSPHRASE",  "AWS_VAULT_FILE_PASSPHRASE",
                           "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                           "AWS_SECURITY_TOKEN",    "AWS_CONTAINER_AUTHORIZATION_TOKEN"};
  for (const char* name : secrets) ::setenv(name, "hunter2", 1);
  ::setenv("KURA_TEST_KEEP", "kept", 1);
  ::setenv("AWS_", "kept too", 1);
  Environment snapshot = Environment::from_process();
  scrub_secret_variables();
  for (const char* name : secrets) {
    EXPECT_EQ(::getenv(name), nullptr) << name;
    EXPECT_EQ(*snapshot.get(name), "hunter2") << name;
  }
  EXPECT_STREQ(::getenv("KURA_TEST_KEEP"), "kept");
  EXPECT_STREQ(::getenv("AWS_"), "kept too");
  ::unsetenv("KURA_TEST_KEEP");
  ::unsetenv("AWS_");
}

// The snapshot is sorted by name and, as getenv does, keeps the first of two entries with one name; entries
// without '=' are not variables. Lookups, set and unset keep it so.
TEST(Environment, TheSnapshotIsSortedAndTheFirstOfADuplicateWins) {
  char zeta[] = "ZETA=last";
  char alpha[] = "ALPHA=first";
  char twice_first[] = "TWICE=one";
  char no_value[] = "NOVALUE";
  char twice_second[] = "TWICE=two";
  char empty[] = "EMPTY=";
  char* entries[] = {zeta, alpha, twice_first, no_value, twice_second, empty, nullptr};
  char** saved = environ;
  environ = entries;
  Environment env = Environment::from_process();
  environ = saved;

  Environment::Variables expected{{"ALPHA", "first"}, {"EMPTY", ""}, {"TWICE", "one"}, {"ZETA", "last"}};
  EXPECT_EQ(env.all(), expected);
  EXPECT_EQ(env.get("TWICE"), "one");
  EXPECT_EQ(env.get("EMPTY"), std::nullopt);  // empty is unset, as for the AWS CLI
  EXPECT_EQ(env.get("NOVALUE"), std::nullopt);
  EXPECT_EQ(env.get("ALPH"), std::nullopt);

  env.set("MIDDLE", "m");
  env.set("ALPHA", "again");
  env.unset("ZETA");
  env.unset("ABSENT");
  expected = {{"ALPHA", "again"}, {"EMPTY", ""}, {"MIDDLE", "m"}, {"TWICE", "one"}};
  EXPECT_EQ(env.all(), expected);
}

// A child's environment is written in the order of kura's own (a variable set later comes first), each name
// once; lookups go through a hash of the name, which must find every one of many names.
TEST(Environment, EntriesKeepTheProcessOrderAndManyNamesAreFound) {
  char zeta[] = "ZETA=last";
  char alpha[] = "ALPHA=first";
  char twice_first[] = "TWICE=one";
  char twice_second[] = "TWICE=two";
  char* entries[] = {zeta, alpha, twice_first, twice_second, nullptr};
  char** saved = environ;
  environ = entries;
  Environment env = Environment::from_process();
  environ = saved;
  Environment::Variables expected{{"ZETA", "last"}, {"ALPHA", "first"}, {"TWICE", "one"}};
  EXPECT_EQ(env.entries(), expected);

  std::map<std::string, std::string> many;
  for (int i = 0; i < 300; ++i) many["VARIABLE_" + std::to_string(i * 7919)] = "value " + std::to_string(i);
  Environment big(many);
  for (const auto& [name, value] : many) EXPECT_EQ(big.get(name), value) << name;
  EXPECT_EQ(big.get("VARIABLE_1"), std::nullopt);
  Environment copy = big;  // the copy's views are onto its own buffer
  big.set("VARIABLE_0", "changed");
  EXPECT_EQ(copy.get("VARIABLE_0"), "value 0");
  EXPECT_EQ(big.get("VARIABLE_0"), "changed");
  EXPECT_EQ(big.entries().front().first, "VARIABLE_0");
  EXPECT_EQ(big.entries().size(), many.size());
}

}  // namespace
}  // namespace kura
