// Lossless edits: only the named keys and sections change, byte for byte, whatever the layout.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "config/ini.h"

namespace kura {
namespace {

IniDocument parse(const std::string& text) {
  auto doc = IniDocument::parse(text, "golden");
  EXPECT_TRUE(doc) << doc.error().message;
  return std::move(*doc);
}

// The edit was made (not refused) and found something to remove.
bool removed(const Result<bool>& result) {
  EXPECT_TRUE(result) << result.error().message;
  return result && *result;
}

TEST(IniEdit, ReplacesOnlyTheValueKeepingSpacingAndCase) {
  auto doc = parse("# keep me\n[dev]\nAWS_Access_Key_ID=OLD   \nregion   :   eu-west-1\n\n; trailing\n");
  ASSERT_TRUE(doc.set("dev", "aws_access_key_id", "NEW"));
  ASSERT_TRUE(doc.set("dev", "region", "us-east-2"));
  EXPECT_EQ(doc.serialize(),
            "# keep me\n[dev]\nAWS_Access_Key_ID=NEW\nregion   :   us-east-2\n\n; trailing\n");
}

TEST(IniEdit, AddsKeysAfterTheSectionsLastKeyNotAfterItsTrailingComments) {
  auto doc = parse("[a]\nx = 1\n# about b\n\n[b]\ny = 2\n");
  ASSERT_TRUE(doc.set("a", "z", "3"));
  EXPECT_EQ(doc.serialize(), "[a]\nx = 1\nz = 3\n# about b\n\n[b]\ny = 2\n");
}

TEST(IniEdit, NewSectionsGoAtTheEndWithTheFilesLineEnding) {
  auto crlf = parse("[a]\r\nx = 1\r\n");
  ASSERT_TRUE(crlf.set("new", "k", "v"));
  EXPECT_EQ(crlf.serialize(), "[a]\r\nx = 1\r\n\r\n[new]\r\nk = v\r\n");
  auto no_final_newline = parse("[a]\nx = 1");
  ASSERT_TRUE(no_final_newline.set("b", "k", "v"));
  EXPECT_EQ(no_final_newline.serialize(), "[a]\nx = 1\n\n[b]\nk = v\n");
  auto empty = parse("");
  ASSERT_TRUE(empty.set("default", "k", "v"));
  EXPECT_EQ(empty.serialize(), "[default]\nk = v\n");
}

TEST(IniEdit, RemovesKeysWithTheirNestedLines) {
  auto doc = parse("[s]\nsts =\n  endpoint_url = x\nregion = r\nlong = a\n  continued\nlast = 1\n");
  EXPECT_TRUE(removed(doc.remove_key("s", "sts")));
  EXPECT_TRUE(removed(doc.remove_key("s", "long")));
  EXPECT_FALSE(removed(doc.remove_key("s", "absent")));
  EXPECT_FALSE(removed(doc.remove_key("absent", "x")));
  EXPECT_EQ(doc.serialize(), "[s]\nregion = r\nlast = 1\n");
}

TEST(IniEdit, RemovesSectionsLeavingNeighboursAlone) {
  auto doc = parse("[a]\nx = 1\n\n[b]\n# inside b\ny = 2\n\n# about c\n[c]\nz = 3\n");
  EXPECT_TRUE(removed(doc.remove_section("b")));
  EXPECT_EQ(doc.serialize(), "[a]\nx = 1\n\n# about c\n[c]\nz = 3\n");
  EXPECT_TRUE(removed(doc.remove_section("c")));
  EXPECT_EQ(doc.serialize(), "[a]\nx = 1\n\n# about c\n");
  EXPECT_FALSE(removed(doc.remove_section("zzz")));
}

TEST(IniEdit, ReplacingANestedBlockWithAValue) {
  auto doc = parse("[s]\nsts =\n  endpoint_url = x\nafter = 1\n");
  ASSERT_TRUE(doc.set("s", "sts", "plain"));
  EXPECT_EQ(doc.serialize(), "[s]\nsts = plain\nafter = 1\n");
}

// A key's value lines after a comment are still its value (configparser skips the comment): they go with it,
// or they would continue the key before.
TEST(IniEdit, RemovingAKeyTakesItsValueLinesPastComments) {
  const std::string text =
      "[p]\naws_secret_access_key = SECRET\naws_session_token = OLDTOKEN\n# note\n  OLDTOKENTAIL\n";
  auto doc = parse(text);
  EXPECT_EQ(doc.find("p")->values.at("aws_session_token"), "OLDTOKEN\nOLDTOKENTAIL");
  EXPECT_TRUE(removed(doc.remove_key("p", "aws_session_token")));
  EXPECT_EQ(doc.serialize(), "[p]\naws_secret_access_key = SECRET\n");
  EXPECT_EQ(parse(doc.serialize()).find("p")->values.at("aws_secret_access_key"), "SECRET");
}

TEST(IniEdit, ReplacingAKeyTakesItsValueLinesPastCommentsAndBlankLines) {
  auto doc = parse("[p]\nsecret = SECRET\ntoken = OLD\n; note\n\n  OLDTAIL\n\n# about q\n[q]\n");
  ASSERT_TRUE(doc.set("p", "token", "NEW"));
  EXPECT_EQ(doc.serialize(), "[p]\nsecret = SECRET\ntoken = NEW\n\n# about q\n[q]\n");
}

TEST(IniEdit, RemovingANestedBlockWithCommentsAndBlankLinesInside) {
  auto doc = parse("[s]\nregion = r\nsts =\n  a = 1\n\n  # note\n  b = 2\n# after\nlast = 1\n");
  EXPECT_TRUE(removed(doc.remove_key("s", "sts")));
  EXPECT_EQ(doc.serialize(), "[s]\nregion = r\n# after\nlast = 1\n");
}

// A new key goes where it cannot swallow what follows: indented at least as deep as the next line, so an
// indented header or key after it stays what it was.
TEST(IniEdit, ANewKeyBeforeAnIndentedHeaderKeepsThatSection) {
  auto doc = parse("[d]\n  [e]\nx = 1\n");
  ASSERT_TRUE(doc.set("d", "c", "v"));
  EXPECT_EQ(doc.serialize(), "[d]\n  c = v\n  [e]\nx = 1\n");
  const IniContent want = {{"d", {{"c", IniValue{"v", {}}}}}, {"e", {{"x", IniValue{"1", {}}}}}};
  EXPECT_EQ(first_difference(want, doc.content()), std::nullopt);
}

TEST(IniEdit, ANewKeyIsIndentedLikeTheSectionsKeys) {
  auto doc = parse("[a]\n  x = 1\n    more\n\n[b]\n");
  ASSERT_TRUE(doc.set("a", "y", "2"));
  EXPECT_EQ(doc.serialize(), "[a]\n  x = 1\n    more\n  y = 2\n\n[b]\n");
}

TEST(IniEdit, EditsKeepBareCrLineEndings) {
  auto doc = parse("[a]\rx = 1\r# c\r");
  ASSERT_TRUE(doc.set("a", "y", "2"));
  ASSERT_TRUE(doc.set("a", "x", "3"));
  ASSERT_TRUE(doc.set("b", "k", "v"));
  EXPECT_EQ(doc.serialize(), "[a]\rx = 3\ry = 2\r# c\r\r[b]\rk = v\r");
  auto no_final = parse("[a]\rx = 1");
  ASSERT_TRUE(no_final.set("a", "y", "2"));
  EXPECT_EQ(no_final.serialize(), "[a]\rx = 1\ry = 2\r");
  // A missing final newline stays missing when the edit is elsewhere.
  auto elsewhere = parse("[a]\rx = 1\r\r[b]\ry = 2");
  ASSERT_TRUE(elsewhere.set("a", "z", "3"));
  ASSERT_TRUE(elsewhere.set("b", "y", "4"));
  EXPECT_EQ(elsewhere.serialize(), "[a]\rx = 1\rz = 3\r\r[b]\ry = 4");
}

// Removing [b] would leave the indented [c] continuing [a]'s last key: refused, and nothing changes.
TEST(IniEdit, AnEditThatWouldChangeAnotherSectionIsRefused) {
  const std::string text = "[a]\nk = v\n[b]\n  [c]\nx = 1\n";
  auto doc = parse(text);
  auto result = doc.remove_section("b");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "golden: removing [b] would also change [a] k");
  EXPECT_NE(result.error().hint, "");
  EXPECT_EQ(doc.serialize(), text);
  EXPECT_TRUE(doc.edits().empty());
}

TEST(IniEdit, NamesAndValuesThatWouldNotReadBackAreRefused) {
  const std::string text = "[a]\nk = v\n";
  auto doc = parse(text);
  struct Case {
    const char* section;
    const char* key;
    const char* value;
  } cases[] = {
      {"a", "k", "two\nlines"}, {"a", "k", "cr\rinside"}, {"a", "k", " leading"},   {"a", "k", "trailing\t"},
      {"a", "k=x", "v"},        {"a", "k:x", "v"},        {"a", "#k", "v"},         {"a", "[k]", "v"},
      {"a", " k", "v"},         {"a", "", "v"},           {"a", "cl\xc3\xa9", "v"}, {"a]", "k", "v"},
      {"", "k", "v"},           {"DEFAULT", "k", "v"},    {"a\nb", "k", "v"},
  };
  for (const auto& c : cases) {
    auto result = doc.set(c.section, c.key, c.value);
    EXPECT_FALSE(result) << c.section << " " << c.key;
    if (!result) {
      EXPECT_EQ(result.error().message.find("two"), std::string::npos);  // values stay out of messages
    }
  }
  EXPECT_EQ(doc.serialize(), text);
}

TEST(IniEdit, EditsAreRecordedAndDescribeTheNewContent) {
  auto doc = parse("[a]\nKey = 1\nother = 2\n[b]\nx = 1\n");
  const IniContent before = doc.content();
  ASSERT_TRUE(doc.set("a", "KEY", "3"));
  EXPECT_TRUE(removed(doc.remove_key("a", "Other")));
  EXPECT_TRUE(removed(doc.remove_section("b")));
  ASSERT_TRUE(doc.set("c", "k", ""));
  ASSERT_EQ(doc.edits().size(), 4u);
  EXPECT_EQ(doc.serialize(), "[a]\nKey = 3\n\n[c]\nk =\n");
  EXPECT_EQ(first_difference(apply_edits(before, doc.edits()), doc.content()), std::nullopt);
  EXPECT_EQ(first_difference(before, doc.content()), "[a] key");
  IniContent other = doc.content();
  other["c"]["k"].nested["x"] = "1";
  EXPECT_EQ(first_difference(doc.content(), other), "[c] k");
  other.erase("c");
  EXPECT_EQ(first_difference(doc.content(), other), "[c]");
}

// Random documents, random edits: every byte outside the edited keys' lines stays, and the result parses with
// exactly the expected values.
TEST(IniEdit, RandomEditsChangeOnlyTheEditedKeys) {
  std::mt19937 random(20261122);
  const char* endings[] = {"\n", "\r\n", "\r"};
  for (int round = 0; round < 200; ++round) {
    std::string eol = endings[random() % 3];
    std::map<std::string, std::map<std::string, std::string>> expected;
    std::string text = "# generated " + std::to_string(round) + eol;
    int sections = 1 + static_cast<int>(random() % 5);
    for (int s = 0; s < sections; ++s) {
      std::string name = (s == 0 && random() % 2) ? "default" : "profile p" + std::to_string(s);
      text +=
          (random() % 2 ? "[" + name + "]  " : "[" + name + "]") + eol;  // indented would be a continuation
      int keys = static_cast<int>(random() % 5);
      for (int k = 0; k < keys; ++k) {
        std::string key = "key" + std::to_string(k);
        std::string value = "v" + std::to_string(random() % 1000);
        const char* layouts[] = {" = ", "=", " : ", "   =  "};
        text += key + layouts[random() % 4] + value + eol;
        expected[name][key] = value;
        if (random() % 4 == 0) text += "; comment " + std::to_string(k) + eol;
        if (random() % 5 == 0) text += eol;
      }
    }
    auto doc = parse(text);
    ASSERT_EQ(doc.serialize(), text);
    std::vector<std::string> names;
    for (const auto& [name, keys] : expected) names.push_back(name);
    if (names.empty()) continue;
    for (int e = 0; e < 5; ++e) {
      std::string section = names[random() % names.size()];
      std::string key = "key" + std::to_string(random() % 6);
      if (random() % 3 == 0) {
        ASSERT_TRUE(doc.remove_key(section, key));
        expected[section].erase(key);
      } else {
        std::string value = "edited" + std::to_string(e);
        ASSERT_TRUE(doc.set(section, key, value));
        expected[section][key] = value;
      }
    }
    auto reparsed = IniDocument::parse(doc.serialize(), "again");
    ASSERT_TRUE(reparsed) << reparsed.error().message << "\n" << doc.serialize();
    for (const auto& [name, keys] : expected) {
      const IniSection* section = reparsed->find(name);
      ASSERT_NE(section, nullptr) << name;
      EXPECT_EQ(section->values, keys) << doc.serialize();
    }
    // Every original line that is not a key line of an edited key is still there, in order.
    std::string out = doc.serialize();
    size_t cursor = 0;
    const IniDocument original = parse(text);
    for (const IniLine& line : original.lines()) {
      if (line.kind == IniLine::Kind::key) continue;
      size_t found = out.find(line.text + line.ending, cursor);
      ASSERT_NE(found, std::string::npos) << "lost line '" << line.text << "'\n" << out;
      cursor = found + line.text.size();
    }
  }
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

std::string slurp(const std::string& name) {
  std::ifstream in(std::string(KURA_TEST_DATA) + "/ini/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(IniGolden, RoundTripAndEditMatchTheExpectedBytes) {
  {
    std::string input = slurp("credentials-aws-mfa.ini");
    auto doc = parse(input);
    EXPECT_EQ(doc.serialize(), input);
    ASSERT_TRUE(doc.set("default", "aws_access_key_id", "ASIANEW"));
    ASSERT_TRUE(doc.set("default", "aws_secret_access_key", "new"));
    ASSERT_TRUE(doc.set("default", "aws_session_token", "newtoken"));
    ASSERT_TRUE(doc.set("default", "aws_security_token", "newtoken"));
    ASSERT_TRUE(doc.set("default", "expiration", "2026-11-22 13:00:00"));
    ASSERT_TRUE(doc.set("developmentiam", "assumed_role", "True"));
    EXPECT_EQ(doc.serialize(), slurp("credentials-aws-mfa.expected"));
  }
  {
    std::string input = slurp("config-crlf-no-final-newline.ini");
    auto doc = parse(input);
    EXPECT_EQ(doc.serialize(), input);
    ASSERT_TRUE(doc.set("default", "mfa_serial", "arn:aws:iam::1:mfa/me"));
    ASSERT_TRUE(doc.set("profile new", "region", "ap-south-1"));
    EXPECT_EQ(doc.serialize(), slurp("config-crlf-no-final-newline.expected"));
  }
  {
    std::string input = slurp("credentials-cr-layouts.ini");
    auto doc = parse(input);
    EXPECT_EQ(doc.serialize(), input);
    EXPECT_TRUE(removed(doc.remove_key("p", "aws_session_token")));
    ASSERT_TRUE(doc.set("p", "aws_access_key_id", "ASIANEW"));
    ASSERT_TRUE(doc.set("d", "c", "v"));
    ASSERT_TRUE(doc.set("e", "y", "2"));
    ASSERT_TRUE(doc.set("services s", "sts", "plain"));
    ASSERT_TRUE(doc.set("new", "k", "v"));
    EXPECT_EQ(doc.serialize(), slurp("credentials-cr-layouts.expected"));
  }
}

}  // namespace
}  // namespace kura
