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

// A move hands a long value's buffer over (no copy, nothing freed), and leaves no byte of a short one in the
// moved-from string's own small buffer; so does a move assignment, which wipes the value it replaces first.
TEST(Secret, AMoveHandsALongValueOverAndLeavesNoShortOneBehind) {
  Secret long_one(std::string(40, 'x'));
  const char* buffer = long_one.view().data();
  Secret took_long(std::move(long_one));
  EXPECT_EQ(took_long.view().data(), buffer);
  EXPECT_EQ(took_long.view(), std::string(40, 'x'));

  Secret short_one(std::string("hunter2"));
  const char* small = short_one.view().data();  // inside the object: the small-string buffer
  Secret took_short(std::move(short_one));
  EXPECT_EQ(took_short.view(), "hunter2");
  EXPECT_EQ(std::string_view(small, 7), std::string_view("\0\0\0\0\0\0\0", 7));

  Secret assigned(std::string("old-value"));
  Secret other(std::string("pa55"));
  const char* other_small = other.view().data();
  assigned = std::move(other);
  EXPECT_EQ(assigned.view(), "pa55");
  EXPECT_EQ(std::string_view(other_small, 4), std::string_view("\0\0\0\0", 4));
}

// Server text reaches the terminal only without control characters: no escape sequence (ESC, CSI as C1,
// BEL, DEL) survives, invalid UTF-8 is dropped, line breaks fold, and the length is bounded.
TEST(Printable, DropsControlCharactersAndBoundsLength) {
  EXPECT_EQ(printable("Access\x1b]0;owned\x07 denied\x1b[2J"), "Access]0;owned denied[2J");
  EXPECT_EQ(printable("a\xc2\x9b"
                      "31mb"),
            "a31mb");  // C1 CSI dropped, its parameters left harmless
  EXPECT_EQ(printable("caf\xc3\xa9 \xff\xfe ok"), "caf\xc3\xa9 ok");  // UTF-8 kept, junk bytes dropped
  EXPECT_EQ(printable("line one\r\nline two\n\n"), "line one line two");
  EXPECT_EQ(printable("\x7f\x01\x02"), "");
  EXPECT_EQ(printable(std::string(1000, 'x'), 10), "xxxxxxxxxx...");
  EXPECT_EQ(printable("\xe2\x82\xac\xe2\x82\xac", 4), "\xe2\x82\xac...");  // cut on a character boundary
}

}  // namespace
}  // namespace kura
