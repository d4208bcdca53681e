// Unified diffs: known answers from GNU `diff -u --label old --label new` (generated once, kept as literals),
// and random texts whose diff must apply back and be as short as the longest common subsequence allows.
#include "trust/diff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace kura {
namespace {

std::string numbers(int first, int last) {
  std::string text;
  for (int i = first; i <= last; ++i) text += std::to_string(i) + "\n";
  return text;
}

// `text` with its first line `line` replaced by `with` (which may hold several lines).
std::string replace(const std::string& text, const std::string& line, const std::string& with) {
  const std::string padded = "\n" + text;
  const size_t at = padded.find("\n" + line + "\n");
  EXPECT_NE(at, std::string::npos) << line;
  return (padded.substr(0, at + 1) + with + "\n" + padded.substr(at + line.size() + 2)).substr(1);
}

std::string without(const std::string& text, const std::string& line) {
  const std::string padded = "\n" + text;
  const size_t at = padded.find("\n" + line + "\n");
  EXPECT_NE(at, std::string::npos) << line;
  return (padded.substr(0, at + 1) + padded.substr(at + line.size() + 2)).substr(1);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// What patch(1) makes of `text` with `diff`, every hunk applied where its header says; nothing if a hunk
// does not match.
std::optional<std::string> patched(const std::string& text, const std::string& diff) {
  const std::vector<std::string> old_lines = lines_of(text);
  std::vector<std::string> diff_lines = lines_of(diff);
  std::string out;
  size_t next_old = 0;  // 0-based
  for (size_t i = 2; i < diff_lines.size();) {
    const std::string& header = diff_lines[i];
    if (header.rfind("@@ -", 0) != 0) return std::nullopt;
    size_t start = std::stoul(header.substr(4));
    size_t count =
        header.find(',') < header.find(' ', 4) ? std::stoul(header.substr(header.find(',') + 1)) : 1;
    size_t first = count == 0 ? start : start - 1;
    if (first < next_old || first > old_lines.size()) return std::nullopt;
    for (; next_old < first; ++next_old) out += old_lines[next_old];
    for (++i; i < diff_lines.size() && diff_lines[i].rfind("@@", 0) != 0; ++i) {
      std::string line = diff_lines[i].substr(1);
      if (i + 1 < diff_lines.size() && diff_lines[i + 1] == "\\ No newline at end of file\n") line.pop_back();
      const char kind = diff_lines[i][0];
      if (kind == '\\') continue;
      if (kind == ' ' || kind == '-') {
        if (next_old >= old_lines.size() || old_lines[next_old] != line) return std::nullopt;
        ++next_old;
      }
      if (kind == ' ' || kind == '+') out += line;
    }
  }
  for (; next_old < old_lines.size(); ++next_old) out += old_lines[next_old];
  return out;
}

size_t longest_common_subsequence(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> table(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      table[i][j] =
          a[i - 1] == b[j - 1] ? table[i - 1][j - 1] + 1 : std::max(table[i - 1][j], table[i][j - 1]);
    }
  }
  return table[a.size()][b.size()];
}

size_t changed_lines(const std::string& diff) {
  size_t count = 0;
  const std::vector<std::string> lines = lines_of(diff);
  for (size_t i = 2; i < lines.size(); ++i) count += lines[i][0] == '+' || lines[i][0] == '-' ? 1 : 0;
  return count;
}

TEST(UnifiedDiff, EqualTextsHaveNoDiff) {
  EXPECT_EQ(unified_diff("", "", "old", "new"), "");
  EXPECT_EQ(unified_diff("a\nb", "a\nb", "old", "new"), "");
}

// Three lines of context each side.
TEST(UnifiedDiff, OneChangeInTheMiddle) {
  EXPECT_EQ(unified_diff(numbers(1, 20), replace(numbers(1, 20), "10", "ten"), "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -7,7 +7,7 @@\n"
            " 7\n"
            " 8\n"
            " 9\n"
            "-10\n"
            "+ten\n"
            " 11\n"
            " 12\n"
            " 13\n");
}

// Six unchanged lines between them: no more than twice the context.
TEST(UnifiedDiff, ChangesSixApartShareAHunk) {
  EXPECT_EQ(unified_diff(numbers(1, 20), replace(replace(numbers(1, 20), "4", "X"), "11", "Y"), "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,14 +1,14 @@\n"
            " 1\n"
            " 2\n"
            " 3\n"
            "-4\n"
            "+X\n"
            " 5\n"
            " 6\n"
            " 7\n"
            " 8\n"
            " 9\n"
            " 10\n"
            "-11\n"
            "+Y\n"
            " 12\n"
            " 13\n"
            " 14\n");
}

TEST(UnifiedDiff, ChangesSevenApartMakeTwoHunks) {
  EXPECT_EQ(unified_diff(numbers(1, 20), replace(replace(numbers(1, 20), "4", "X"), "12", "Y"), "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,7 +1,7 @@\n"
            " 1\n"
            " 2\n"
            " 3\n"
            "-4\n"
            "+X\n"
            " 5\n"
            " 6\n"
            " 7\n"
            "@@ -9,7 +9,7 @@\n"
            " 9\n"
            " 10\n"
            " 11\n"
            "-12\n"
            "+Y\n"
            " 13\n"
            " 14\n"
            " 15\n");
}

TEST(UnifiedDiff, InsertAtStartDeleteAtEnd) {
  EXPECT_EQ(unified_diff(numbers(1, 8), "zero\n" + numbers(1, 7), "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,3 +1,4 @@\n"
            "+zero\n"
            " 1\n"
            " 2\n"
            " 3\n"
            "@@ -5,4 +6,3 @@\n"
            " 5\n"
            " 6\n"
            " 7\n"
            "-8\n");
}

// An empty range starts at the line before it: 0.
TEST(UnifiedDiff, FromEmpty) {
  EXPECT_EQ(unified_diff("", "a\nb\n", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -0,0 +1,2 @@\n"
            "+a\n"
            "+b\n");
}

TEST(UnifiedDiff, ToEmpty) {
  EXPECT_EQ(unified_diff("a\nb\n", "", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,2 +0,0 @@\n"
            "-a\n"
            "-b\n");
}

TEST(UnifiedDiff, LastLineWithoutNewline) {
  EXPECT_EQ(unified_diff("a\nb\nc", "a\nb\nd", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,3 +1,3 @@\n"
            " a\n"
            " b\n"
            "-c\n"
            "\\ No newline at end of file\n"
            "+d\n"
            "\\ No newline at end of file\n");
}

// The same text with and without its newline are different lines.
TEST(UnifiedDiff, NewlineAddedAtEnd) {
  EXPECT_EQ(unified_diff("a\nb", "a\nb\n", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,2 +1,2 @@\n"
            " a\n"
            "-b\n"
            "\\ No newline at end of file\n"
            "+b\n");
}

TEST(UnifiedDiff, UnchangedLastLineWithoutNewline) {
  EXPECT_EQ(unified_diff("a\nb\nc", "x\nb\nc", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,3 +1,3 @@\n"
            "-a\n"
            "+x\n"
            " b\n"
            " c\n"
            "\\ No newline at end of file\n");
}

// One-line ranges without a count, an insertion after line 4 as 4,0.
TEST(UnifiedDiff, ZeroContext) {
  EXPECT_EQ(
      unified_diff(numbers(1, 10), without(replace(numbers(1, 10), "4", "4\nnew"), "8"), "old", "new", 0),
      "--- old\n"
      "+++ new\n"
      "@@ -4,0 +5 @@\n"
      "+new\n"
      "@@ -8 +8,0 @@\n"
      "-8\n");
}

TEST(UnifiedDiff, OneLineOfContext) {
  EXPECT_EQ(unified_diff(numbers(1, 12), replace(replace(numbers(1, 12), "3", "three"), "7", "seven"), "old",
                         "new", 1),
            "--- old\n"
            "+++ new\n"
            "@@ -2,3 +2,3 @@\n"
            " 2\n"
            "-3\n"
            "+three\n"
            " 4\n"
            "@@ -6,3 +6,3 @@\n"
            " 6\n"
            "-7\n"
            "+seven\n"
            " 8\n");
}

// Which "a b" is new is a choice: diff's.
TEST(UnifiedDiff, RepeatedBlockInsertedAtTheEnd) {
  EXPECT_EQ(unified_diff("a\nb\na\nb\n", "a\nb\na\nb\na\nb\n", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -2,3 +2,5 @@\n"
            " b\n"
            " a\n"
            " b\n"
            "+a\n"
            "+b\n");
}

TEST(UnifiedDiff, DeletedLineAmongEqualOnes) {
  EXPECT_EQ(unified_diff("x\na\na\na\ny\n", "x\na\na\ny\n", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,5 +1,4 @@\n"
            " x\n"
            " a\n"
            " a\n"
            "-a\n"
            " y\n");
}

// Which "a" is new is a choice: like diff, kura puts it beside the removed "b", so that the change reads as
// one replacement.
TEST(UnifiedDiff, InsertedLineSitsBesideARemovedOne) {
  EXPECT_EQ(unified_diff("b\na\nb\n", "a\na\n", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,3 +1,2 @@\n"
            "-b\n"
            " a\n"
            "-b\n"
            "+a\n");
}

// Either "b" could be the removed one; the first is, so that the change reads as one replacement.
TEST(UnifiedDiff, RemovedLineStaysBesideAnInsertedOne) {
  EXPECT_EQ(unified_diff("b\nb\n", "a\nb\n", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,2 +1,2 @@\n"
            "-b\n"
            "+a\n"
            " b\n");
}

// A removed line that could be either "b" goes down to join the next change.
TEST(UnifiedDiff, RemovedLineJoinsTheNextChange) {
  EXPECT_EQ(unified_diff("b\nb\na\n", "c\nb\n", "old", "new"),
            "--- old\n"
            "+++ new\n"
            "@@ -1,3 +1,2 @@\n"
            "+c\n"
            " b\n"
            "-b\n"
            "-a\n");
}

// Like diff, kura slides changes no further into the common last lines than the context: the removed "a"s
// stay three lines above the end rather than at it.
TEST(UnifiedDiff, ChangesStayWithinContextOfTheCommonEnd) {
  EXPECT_EQ(
      unified_diff("c\na\na\na\nb\na\na\nb\na\na\na\na\na\na\na\n", "c\nb\na\nb\na\na\na\na\n", "old", "new"),
      "--- old\n"
      "+++ new\n"
      "@@ -1,15 +1,8 @@\n"
      " c\n"
      "-a\n"
      "-a\n"
      "-a\n"
      " b\n"
      " a\n"
      "-a\n"
      " b\n"
      " a\n"
      " a\n"
      " a\n"
      "-a\n"
      "-a\n"
      "-a\n"
      " a\n");
}

TEST(UnifiedDiff, PrincipalAddedToAPrettyPolicy) {
  const std::string before = R"({
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "arn:aws:iam::111111111111:root"
        ]
      },
      "Action": [
        "sts:AssumeRole"
      ]
    }
  ]
}
)";
  const std::string after = replace(before, R"(          "arn:aws:iam::111111111111:root")",
                                    R"(          "arn:aws:iam::111111111111:root",)"
                                    "\n"
                                    R"(          "arn:aws:iam::222222222222:role/ci")");
  EXPECT_EQ(unified_diff(before, after, "role/deploy (current)", "role/deploy (new)"),
            R"(--- role/deploy (current)
+++ role/deploy (new)
@@ -4,7 +4,8 @@
       "Effect": "Allow",
       "Principal": {
         "AWS": [
-          "arn:aws:iam::111111111111:root"
+          "arn:aws:iam::111111111111:root",
+          "arn:aws:iam::222222222222:role/ci"
         ]
       },
       "Action": [
)");
}

// A new statement could be read as starting at either "{"; diff, and kura, show it after the old one.
TEST(UnifiedDiff, StatementAppendedToAPrettyPolicy) {
  const std::string statement = R"(    {
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "arn:aws:iam::111111111111:root"
        ]
      },
      "Action": [
        "sts:AssumeRole"
      ]
    })";
  const std::string before = "{\n  \"Statement\": [\n" + statement + "\n  ]\n}\n";
  std::string second = replace(statement + "\n", R"(          "arn:aws:iam::111111111111:root")",
                               R"(          "arn:aws:iam::333333333333:root")");
  second.pop_back();
  const std::string after = "{\n  \"Statement\": [\n" + statement + ",\n" + second + "\n  ]\n}\n";
  EXPECT_EQ(unified_diff(before, after, "old", "new"),
            R"(--- old
+++ new
@@ -10,6 +10,17 @@
       "Action": [
         "sts:AssumeRole"
       ]
+    },
+    {
+      "Effect": "Allow",
+      "Principal": {
+        "AWS": [
+          "arn:aws:iam::333333333333:root"
+        ]
+      },
+      "Action": [
+        "sts:AssumeRole"
+      ]
     }
   ]
 }
)");
}

// Random texts over a few distinct lines (so that many alignments tie): every diff applies back to the new
// text, and changes exactly the lines a longest common subsequence leaves out.
TEST(UnifiedDiff, RandomTextsApplyBackWithTheFewestChanges) {
  std::mt19937 random(20240601);
  auto text = [&](size_t alphabet) {
    std::string out;
    const size_t count = random() % 25;
    for (size_t i = 0; i < count; ++i)
      out += std::string(1, static_cast<char>('a' + random() % alphabet)) + "\n";
    if (!out.empty() && random() % 5 == 0) out.pop_back();  // sometimes no newline at the end
    return out;
  };
  for (int round = 0; round < 3000; ++round) {
    const size_t alphabet = 1 + random() % 6;
    const std::string before = text(alphabet);
    const std::string after = text(alphabet);
    const size_t context = random() % 4;
    const std::string diff = unified_diff(before, after, "a", "b", context);
    SCOPED_TRACE("before: " + before + "\nafter: " + after + "\ndiff:\n" + diff);
    if (before == after) {
      EXPECT_EQ(diff, "");
      continue;
    }
    EXPECT_EQ(diff.rfind("--- a\n+++ b\n@@ -", 0), 0u);
    EXPECT_EQ(patched(before, diff), after);
    const std::vector<std::string> a = lines_of(before);
    const std::vector<std::string> b = lines_of(after);
    EXPECT_EQ(changed_lines(diff), a.size() + b.size() - 2 * longest_common_subsequence(a, b));
  }
}

// Long inputs stay fast and exact: 20,000 lines with a change every 1,000.
TEST(UnifiedDiff, LongTexts) {
  std::string before = numbers(1, 20000);
  std::string after = before;
  for (int i = 1000; i <= 20000; i += 1000) after = replace(after, std::to_string(i), "changed");
  const std::string diff = unified_diff(before, after, "a", "b");
  EXPECT_EQ(changed_lines(diff), 40u);
  EXPECT_EQ(patched(before, diff), after);
  EXPECT_EQ(changed_lines(unified_diff(numbers(1, 5000), numbers(5001, 10000), "a", "b")), 10000u);
}

}  // namespace
}  // namespace kura
