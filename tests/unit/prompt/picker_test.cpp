// The profile picker's state machine: keys in, a choice (or a cancel) and a screen out, with no terminal.
#include "prompt/picker.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

using Outcome = Picker::Outcome;

const std::vector<std::string> k_profiles = {"dev", "Prod-EU", "prod-us", "staging", "sandbox"};

// The item the picker would choose on Enter, without choosing it.
std::string selected(const Picker& picker) {
  for (const std::string& line : picker.screen("profile:", 100)) {
    if (line.rfind("> ", 0) == 0) return line.substr(2);
  }
  return "<none>";
}

std::vector<std::string> matched(const Picker& picker, const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (size_t index : picker.matches()) out.push_back(items[index]);
  return out;
}

TEST(Picker, TypingFiltersIgnoringCase) {
  Picker picker(k_profiles);
  EXPECT_EQ(picker.feed("PROD"), Outcome::running);
  EXPECT_EQ(picker.filter(), "PROD");
  EXPECT_EQ(matched(picker, k_profiles), (std::vector<std::string>{"Prod-EU", "prod-us"}));
  picker.feed("-u");
  EXPECT_EQ(matched(picker, k_profiles), (std::vector<std::string>{"prod-us"}));
  EXPECT_EQ(picker.feed("\r"), Outcome::chosen);
  EXPECT_EQ(picker.chosen(), "prod-us");
}

TEST(Picker, ArrowsAndControlKeysMoveAndStopAtTheEnds) {
  struct Row {
    const char* keys;
    const char* expected;
  } rows[] = {
      {"", "dev"},
      {"\x1b[B", "Prod-EU"},              // down (CSI)
      {"\x1bOB", "Prod-EU"},              // down (SS3, application cursor mode)
      {"\x0e", "Prod-EU"},                // Ctrl-N
      {"\t", "Prod-EU"},                  // Tab
      {"\x1b[B\x1b[B\x1b[A", "Prod-EU"},  // down, down, up
      {"\x1b[B\x1b[B\x1bOA", "Prod-EU"},  // up (SS3)
      {"\x1b[B\x1b[B\x10", "Prod-EU"},    // Ctrl-P
      {"\x1b[A\x1b[A", "dev"},            // clamped at the top
      {"\t\t\t\t\t\t\t\t", "sandbox"},    // clamped at the bottom
      {"\x1b[B\x1b[B\x1b[B\x1b[B", "sandbox"},
  };
  for (const Row& row : rows) {
    Picker picker(k_profiles);
    EXPECT_EQ(picker.feed(row.keys), Outcome::running) << row.expected;
    EXPECT_EQ(selected(picker), row.expected) << "keys: " << ::testing::PrintToString(row.keys);
    EXPECT_EQ(picker.feed("\r"), Outcome::chosen);
    EXPECT_EQ(picker.chosen(), row.expected);
    EXPECT_TRUE(picker.filter().empty());  // moving types nothing
  }
}

TEST(Picker, EnterChoosesTheSelectedMatch) {
  Picker picker(k_profiles);
  picker.feed("s");  // staging, sandbox... and prod-us
  EXPECT_EQ(matched(picker, k_profiles), (std::vector<std::string>{"prod-us", "staging", "sandbox"}));
  picker.feed("\x1b[B");
  EXPECT_EQ(picker.feed("\n"), Outcome::chosen);
  EXPECT_EQ(picker.chosen(), "staging");
}

TEST(Picker, EnterWithNoMatchDoesNothing) {
  Picker picker(k_profiles);
  EXPECT_EQ(picker.feed("zzz\r"), Outcome::running);
  EXPECT_TRUE(picker.matches().empty());
  EXPECT_EQ(picker.chosen(), std::nullopt);
  // Still running: the filter can be mended and Enter pressed again.
  EXPECT_EQ(picker.feed("\x7f\x7f\x7f"), Outcome::running);
  EXPECT_EQ(picker.feed("\r"), Outcome::chosen);
  EXPECT_EQ(picker.chosen(), "dev");
}

TEST(Picker, NothingIsChosenWhileRunning) {
  Picker picker(k_profiles, "staging");
  EXPECT_EQ(picker.outcome(), Outcome::running);
  EXPECT_EQ(picker.chosen(), std::nullopt);
}

TEST(Picker, AloneEscCancelsOnlyOnceIdle) {
  Picker picker(k_profiles);
  EXPECT_EQ(picker.feed("\x1b"), Outcome::running);
  EXPECT_TRUE(picker.waiting());
  EXPECT_EQ(picker.idle(), Outcome::cancelled);
  EXPECT_EQ(picker.chosen(), std::nullopt);
  EXPECT_FALSE(picker.waiting());

  // Idle with nothing pending is no cancel.
  Picker quiet(k_profiles);
  EXPECT_EQ(quiet.idle(), Outcome::running);
  quiet.feed("de");
  EXPECT_EQ(quiet.idle(), Outcome::running);
  EXPECT_EQ(quiet.filter(), "de");

  // Esc then an ordinary key (no `[` or `O`): the Esc was a cancel.
  Picker followed(k_profiles);
  EXPECT_EQ(followed.feed("\x1bx"), Outcome::cancelled);
}

TEST(Picker, EscapeSequenceSplitAcrossReadsStillMoves) {
  for (const auto& [first, second] : std::vector<std::pair<std::string, std::string>>{
           {"\x1b", "[B"}, {"\x1b[", "B"}, {"\x1b", "OB"}, {"\x1bO", "B"}}) {
    Picker picker(k_profiles);
    EXPECT_EQ(picker.feed(first), Outcome::running);
    EXPECT_TRUE(picker.waiting());
    EXPECT_EQ(picker.feed(second), Outcome::running);
    EXPECT_FALSE(picker.waiting());
    EXPECT_EQ(selected(picker), "Prod-EU") << ::testing::PrintToString(first + second);
    EXPECT_TRUE(picker.filter().empty());  // `[`, `O` and `B` were not typed
  }
  // A longer CSI sequence (Page Down) in three pieces.
  std::vector<std::string> many;
  for (int i = 0; i < 30; ++i) many.push_back("p" + std::to_string(i));
  Picker paged(many);
  paged.feed("\x1b");
  paged.feed("[6");
  EXPECT_TRUE(paged.waiting());
  paged.feed("~");
  EXPECT_EQ(selected(paged), "p10");
  paged.feed("\x1b[5~");  // Page Up, in one piece
  EXPECT_EQ(selected(paged), "p0");
}

TEST(Picker, ControlCAndControlDCancel) {
  Picker picker(k_profiles);
  picker.feed("pro\x1b[B");
  EXPECT_EQ(picker.feed("\x03"), Outcome::cancelled);
  EXPECT_EQ(picker.chosen(), std::nullopt);
  // Whatever follows a cancel is ignored, Enter included.
  EXPECT_EQ(picker.feed("\r"), Outcome::cancelled);

  Picker empty(k_profiles);
  EXPECT_EQ(empty.feed("\x04"), Outcome::cancelled);
  Picker typed(k_profiles);
  EXPECT_EQ(typed.feed("d\x04"), Outcome::running);  // Ctrl-D with a filter: nothing
  EXPECT_EQ(typed.filter(), "d");
}

TEST(Picker, KeysAfterEnterAreIgnored) {
  Picker picker(k_profiles);
  EXPECT_EQ(picker.feed("\r\x1b[Bxyz\x03"), Outcome::chosen);
  EXPECT_EQ(picker.chosen(), "dev");
  EXPECT_FALSE(picker.waiting());
}

TEST(Picker, BackspaceRemovesAWholeUtf8Character) {
  const std::vector<std::string> items = {"caf\xc3\xa9", "cafe", "\xe2\x82\xac-prod", "x\xf0\x9f\x99\x82"};
  Picker picker(items);
  picker.feed("caf\xc3\xa9");  // café
  EXPECT_EQ(matched(picker, items), (std::vector<std::string>{"caf\xc3\xa9"}));
  picker.feed("\x7f");
  EXPECT_EQ(picker.filter(), "caf");
  EXPECT_EQ(matched(picker, items), (std::vector<std::string>{"caf\xc3\xa9", "cafe"}));

  Picker euro(items);
  euro.feed("\xe2\x82\xac");  // three bytes
  EXPECT_EQ(matched(euro, items), (std::vector<std::string>{"\xe2\x82\xac-prod"}));
  euro.feed("\x08");  // Ctrl-H is backspace too
  EXPECT_EQ(euro.filter(), "");

  Picker emoji(items);
  emoji.feed("x\xf0\x9f\x99\x82\x7f");  // four bytes, then one backspace
  EXPECT_EQ(emoji.filter(), "x");

  Picker nothing(items);
  EXPECT_EQ(nothing.feed("\x7f"), Outcome::running);  // backspace on an empty filter
  EXPECT_EQ(nothing.filter(), "");
}

TEST(Picker, Utf8CharacterSplitAcrossReadsIsOneKey) {
  const std::vector<std::string> items = {"caf\xc3\xa9", "cafe"};
  Picker picker(items);
  picker.feed("caf\xc3");
  EXPECT_EQ(picker.filter(), "caf");  // the lead byte waits for the rest
  picker.feed("\xa9");
  EXPECT_EQ(picker.filter(), "caf\xc3\xa9");
  EXPECT_EQ(matched(picker, items), (std::vector<std::string>{"caf\xc3\xa9"}));
}

TEST(Picker, InitialItemIsSelected) {
  Picker picker(k_profiles, "staging");
  EXPECT_EQ(selected(picker), "staging");
  picker.feed("\x1b[B");
  EXPECT_EQ(selected(picker), "sandbox");
  EXPECT_EQ(picker.feed("\r"), Outcome::chosen);
  EXPECT_EQ(picker.chosen(), "sandbox");

  Picker unknown(k_profiles, "ghost");  // not in the list: the first one
  EXPECT_EQ(selected(unknown), "dev");
}

TEST(Picker, SelectionStaysOnTheSameItemWhileTheFilterMatchesIt) {
  Picker picker(k_profiles, "sandbox");
  picker.feed("s");  // prod-us, staging, sandbox: sandbox is the third match now
  EXPECT_EQ(selected(picker), "sandbox");
  picker.feed("\x7f");  // everything again: still sandbox, the fifth
  EXPECT_EQ(selected(picker), "sandbox");
  picker.feed("a");  // staging, sandbox
  EXPECT_EQ(selected(picker), "sandbox");
  picker.feed(
      "\x15"
      "d");  // Ctrl-U, then d: dev, both prods and sandbox
  EXPECT_EQ(selected(picker), "sandbox");
  picker.feed("e");  // sandbox is filtered out: the first match
  EXPECT_EQ(selected(picker), "dev");
  picker.feed("\x17");  // Ctrl-W: the filter is gone, the selection stays
  EXPECT_EQ(picker.filter(), "");
  EXPECT_EQ(selected(picker), "dev");
  EXPECT_EQ(picker.feed("\r"), Outcome::chosen);
  EXPECT_EQ(picker.chosen(), "dev");
}

TEST(Picker, ScreenShowsAWindowAroundTheSelection) {
  std::vector<std::string> items;
  for (int i = 0; i < 8; ++i) items.push_back("p" + std::to_string(i));
  Picker picker(items);
  EXPECT_EQ(picker.screen("profile:", 3),
            (std::vector<std::string>{"profile: ", "> p0", "  p1", "  p2", "  (8 of 8)"}));
  picker.feed("\x1b[B\x1b[B\x1b[B\x1b[B");  // p4: in the middle of the window
  EXPECT_EQ(picker.screen("profile:", 3),
            (std::vector<std::string>{"profile: ", "  p3", "> p4", "  p5", "  (8 of 8)"}));
  picker.feed("\x1b[F");  // End
  EXPECT_EQ(picker.screen("profile:", 3),
            (std::vector<std::string>{"profile: ", "  p5", "  p6", "> p7", "  (8 of 8)"}));
  picker.feed("\x1b[H");  // Home
  EXPECT_EQ(selected(picker), "p0");
  // Room for all of them: no count.
  EXPECT_EQ(picker.screen("pick", 8).size(), 9u);
  EXPECT_EQ(picker.screen("pick", 8).back(), "  p7");
}

TEST(Picker, ScreenCountsMatchesOfAllItems) {
  std::vector<std::string> items = {"a1", "a2", "a3", "a4", "b1", "b2"};
  Picker picker(items);
  picker.feed("a");
  EXPECT_EQ(picker.screen(">>", 2), (std::vector<std::string>{">> a", "> a1", "  a2", "  (4 of 6)"}));
  picker.feed("4");
  EXPECT_EQ(picker.screen(">>", 2), (std::vector<std::string>{">> a4", "> a4"}));
  picker.feed("x");
  EXPECT_EQ(picker.screen(">>", 2), (std::vector<std::string>{">> a4x", "  (no match)"}));
  // Zero rows still shows the selection.
  Picker zero(items);
  EXPECT_EQ(zero.screen("t", 0), (std::vector<std::string>{"t ", "> a1", "  (6 of 6)"}));
}

TEST(Picker, ControlKeysAreNotTyped) {
  Picker picker(k_profiles);
  picker.feed("d\x01\x1b[1;5C\x1b[15~e");  // Ctrl-A, Ctrl-Right, F5: nothing
  EXPECT_EQ(picker.filter(), "de");
  EXPECT_EQ(picker.outcome(), Outcome::running);
}

}  // namespace
}  // namespace kura
