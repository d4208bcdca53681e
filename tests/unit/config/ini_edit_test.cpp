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

TEST(IniEdit, ReplacesOnlyTheValueKeepingSpacingAndCase) {
  auto doc = parse("# keep me\n[dev]\nAWS_Access_Key_ID=OLD   \nregion   :   eu-west-1\n\n; trailing\n");
  doc.set("dev", "aws_access_key_id", "NEW");
  doc.set("dev", "region", "us-east-2");
  EXPECT_EQ(doc.serialize(),
            "# keep me\n[dev]\nAWS_Access_Key_ID=NEW\nregion   :   us-east-2\n\n; trailing\n");
}

TEST(IniEdit, AddsKeysAfterTheSectionsLastKeyNotAfterItsTrailingComments) {
  auto doc = parse("[a]\nx = 1\n# about b\n\n[b]\ny = 2\n");
  doc.set("a", "z", "3");
  EXPECT_EQ(doc.serialize(), "[a]\nx = 1\nz = 3\n# about b\n\n[b]\ny = 2\n");
}

TEST(IniEdit, NewSectionsGoAtTheEndWithTheFilesLineEnding) {
  auto crlf = parse("[a]\r\nx = 1\r\n");
  crlf.set("new", "k", "v");
  EXPECT_EQ(crlf.serialize(), "[a]\r\nx = 1\r\n\r\n[new]\r\nk = v\r\n");
  auto no_final_newline = parse("[a]\nx = 1");
  no_final_newline.set("b", "k", "v");
  EXPECT_EQ(no_final_newline.serialize(), "[a]\nx = 1\n\n[b]\nk = v\n");
  auto empty = parse("");
  empty.set("default", "k", "v");
  EXPECT_EQ(empty.serialize(), "[default]\nk = v\n");
}

TEST(IniEdit, RemovesKeysWithTheirNestedLines) {
  auto doc = parse("[s]\nsts =\n  endpoint_url = x\nregion = r\nlong = a\n  continued\nlast = 1\n");
  EXPECT_TRUE(doc.remove_key("s", "sts"));
  EXPECT_TRUE(doc.remove_key("s", "long"));
  EXPECT_FALSE(doc.remove_key("s", "absent"));
  EXPECT_FALSE(doc.remove_key("absent", "x"));
  EXPECT_EQ(doc.serialize(), "[s]\nregion = r\nlast = 1\n");
}

TEST(IniEdit, RemovesSectionsLeavingNeighboursAlone) {
  auto doc = parse("[a]\nx = 1\n\n[b]\n# inside b\ny = 2\n\n# about c\n[c]\nz = 3\n");
  EXPECT_TRUE(doc.remove_section("b"));
  EXPECT_EQ(doc.serialize(), "[a]\nx = 1\n\n# about c\n[c]\nz = 3\n");
  EXPECT_TRUE(doc.remove_section("c"));
  EXPECT_EQ(doc.serialize(), "[a]\nx = 1\n\n# about c\n");
  EXPECT_FALSE(doc.remove_section("zzz"));
}

TEST(IniEdit, ReplacingANestedBlockWithAValue) {
  auto doc = parse("[s]\nsts =\n  endpoint_url = x\nafter = 1\n");
  doc.set("s", "sts", "plain");
  EXPECT_EQ(doc.serialize(), "[s]\nsts = plain\nafter = 1\n");
}

// Random documents, random edits: every byte outside the edited keys' lines stays, and the result parses with
// exactly the expected values.
TEST(IniEdit, RandomEditsChangeOnlyTheEditedKeys) {
  std::mt19937 random(20261122);
  const char* endings[] = {"\n", "\r\n"};
  for (int round = 0; round < 200; ++round) {
    std::string eol = endings[random() % 2];
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
        doc.remove_key(section, key);
        expected[section].erase(key);
      } else {
        std::string value = "edited" + std::to_string(e);
        doc.set(section, key, value);
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
    doc.set("default", "aws_access_key_id", "ASIANEW");
    doc.set("default", "aws_secret_access_key", "new");
    doc.set("default", "aws_session_token", "newtoken");
    doc.set("default", "aws_security_token", "newtoken");
    doc.set("default", "expiration", "2026-11-22 13:00:00");
    doc.set("developmentiam", "assumed_role", "True");
    EXPECT_EQ(doc.serialize(), slurp("credentials-aws-mfa.expected"));
  }
  {
    std::string input = slurp("config-crlf-no-final-newline.ini");
    auto doc = parse(input);
    EXPECT_EQ(doc.serialize(), input);
    doc.set("default", "mfa_serial", "arn:aws:iam::1:mfa/me");
    doc.set("profile new", "region", "ap-south-1");
    EXPECT_EQ(doc.serialize(), slurp("config-crlf-no-final-newline.expected"));
  }
}

}  // namespace
}  // namespace kura
