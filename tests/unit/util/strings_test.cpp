// Quoting and encoding, where a mistake leaks or breaks a shell.
#include "util/strings.h"

#include <gtest/gtest.h>

#include "util/secret.h"

namespace kura {
namespace {

TEST(Quote, ShellQuotingSurvivesQuotesAndDollars) {
  EXPECT_EQ(sh_quote("a'b$c"), "'a'\\''b$c'");
  EXPECT_EQ(fish_quote("a'b\\c"), "'a\\'b\\\\c'");
  EXPECT_EQ(powershell_quote("a'b"), "'a''b'");
}

TEST(UriEncode, EncodesAllButUnreserved) {
  EXPECT_EQ(uri_encode("a b/c+d=e~f"), "a%20b%2Fc%2Bd%3De~f");
  EXPECT_EQ(uri_encode("/a b/", true), "/a%20b/");
  EXPECT_EQ(uri_decode("%E1%88%B4x%2"), "\xE1\x88\xB4x%2");
}

TEST(Secret, MasksKeyIdsAndWipesOnMove) {
  EXPECT_EQ(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
  EXPECT_EQ(mask_key_id("short"), "****");
  Secret a(std::string("hunter2"));
  Secret b(std::move(a));
  EXPECT_EQ(b.view(), "hunter2");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state is the point
}

}  // namespace
}  // namespace kura
