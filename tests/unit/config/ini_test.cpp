// The INI reader: lossless round trips, the AWS dialect, and errors that name file and line.
#include "config/ini.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(Ini, RoundTripsByteForByte) {
  const char* texts[] = {
      "# top comment\n[default]\nregion = eu-west-1\n\n; another\n[profile "
      "dev]\nrole_arn=arn:aws:iam::1:role/x\n",
      "[default]\r\nregion = us-east-1\r\n\r\n[profile a]\r\nkey = v\r\n",  // CRLF
      "[default]\nregion=us-east-1",                                        // no final newline
      "\n\n  [profile  spaced ]  \n  region   =   ap-south-1   \n\t# indented comment\n",
      "[services s]\nsts =\n  endpoint_url = http://localhost:1\n  other = x\ns3 =\n  max = 1\n",
  };
  for (const char* text : texts) {
    auto doc = IniDocument::parse(text, "f");
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->serialize(), text);
  }
}

TEST(Ini, ReadsSectionsKeysAndNestedBlocks) {
  auto doc = IniDocument::parse(
      "[profile dev]\nRegion = eu-west-1\nrole_arn: arn:aws:iam::1:role/x\n[services local]\nsts =\n  "
      "endpoint_url = "
      "http://127.0.0.1:5000\n",
      "config");
  ASSERT_TRUE(doc);
  const IniSection* dev = doc->find("profile dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->values.at("region"), "eu-west-1");  // keys are case-insensitive
  EXPECT_EQ(dev->values.at("role_arn"), "arn:aws:iam::1:role/x");
  const IniSection* services = doc->find("services local");
  ASSERT_NE(services, nullptr);
  EXPECT_EQ(services->nested.at("sts").at("endpoint_url"), "http://127.0.0.1:5000");
}

TEST(Ini, KeepsHashInsideValues) {
  auto doc = IniDocument::parse("[a]\nkey = value # not a comment\n", "f");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->find("a")->values.at("key"), "value # not a comment");
}

TEST(Ini, ContinuationLinesJoinTheValue) {
  auto doc = IniDocument::parse("[a]\nkey = first\n  second\n", "f");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->find("a")->values.at("key"), "first\nsecond");
}

TEST(Ini, DuplicateSectionNamesBothLines) {
  auto doc = IniDocument::parse("[default]\na = 1\n\n[default]\nb = 2\n", "/home/u/.aws/config");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message,
            "/home/u/.aws/config:4: duplicate section [default] (first at line 1): '[default]'");
}

TEST(Ini, DuplicateKeyIsAnError) {
  auto doc = IniDocument::parse("[a]\nregion = x\nREGION = y\n", "cfg");
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("cfg:3: duplicate key 'region' in [a] (first at line 2)"),
            std::string::npos);
}

TEST(Ini, MalformedLinesNameFileAndLine) {
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {"[a]\nthis is not a pair\n", "cfg:2: malformed line: 'this is not a pair'"},
      {"[a\nk = v\n", "cfg:1: malformed section header: '[a'"},
      {"[]\n", "cfg:1: malformed section header"},
      {"k = v\n[a]\n", "cfg:1: key outside of any section"},
      {"[a]\n= v\n", "cfg:2: malformed line"},
  };
  for (const auto& c : cases) {
    auto doc = IniDocument::parse(c.text, "cfg");
    ASSERT_FALSE(doc) << c.text;
    EXPECT_NE(doc.error().message.find(c.expected), std::string::npos) << doc.error().message;
    EXPECT_NE(doc.error().hint, "") << c.text;
  }
}

// Python reads the files with universal newlines: a lone "\r" ends a line too.
TEST(Ini, LinesEndAtCrLfLfAndALoneCr) {
  const std::string text = "[a]\rx = 1\ry = 2\r\n[b]\nz = 3";
  auto doc = IniDocument::parse(text, "f");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->serialize(), text);
  ASSERT_NE(doc->find("a"), nullptr);
  EXPECT_EQ(doc->find("a")->values, (std::map<std::string, std::string>{{"x", "1"}, {"y", "2"}}));
  EXPECT_EQ(doc->find("b")->values.at("z"), "3");
  ASSERT_EQ(doc->lines().size(), 5u);
  EXPECT_EQ(doc->lines()[0].ending, "\r");
  EXPECT_EQ(doc->lines()[2].ending, "\r\n");
  EXPECT_EQ(doc->lines()[4].ending, "");
}

TEST(Ini, TextAfterAHeadersClosingBracketIsAnError) {
  // configparser reads "[a]junk" as [a] and "[a] [b]" as a section named "a] [b"; neither is what was meant.
  for (const char* text : {"[a]junk\nk = v\n", "[a] [b]\nk = v\n", "[a] ; comment\nk = v\n", "[a]]\n"}) {
    auto doc = IniDocument::parse(text, "cfg");
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().message.rfind("cfg:1: text after the section header's closing ']'", 0), 0u)
        << doc.error().message;
    EXPECT_EQ(doc.error().hint, "put comments on a line of their own");
  }
}

TEST(Ini, SectionNamesAreWhatConfigparserReads) {
  // Spaces inside the brackets are part of the name for configparser, and so for botocore: "[ default ]" is
  // not the default profile.
  auto doc = IniDocument::parse("[ default ]\nk = v\n[profile  x ]  \nj = w\n", "f");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->find("default"), nullptr);
  ASSERT_NE(doc->find(" default "), nullptr);
  ASSERT_NE(doc->find("profile  x "), nullptr);
}

// configparser compares each line's indentation with its key's: deeper continues the value, the same or less
// starts a new key.
TEST(Ini, IndentationRelativeToTheKeyDecidesWhatContinuesIt) {
  auto indented = IniDocument::parse("[a]\n  k = v\n  j = w\n    deeper\nl = x\n", "f");
  ASSERT_TRUE(indented) << indented.error().message;
  EXPECT_EQ(indented->find("a")->values,
            (std::map<std::string, std::string>{{"k", "v"}, {"j", "w\ndeeper"}, {"l", "x"}}));
  auto flush = IniDocument::parse("[a]\nk = v\n  j = w\n\tl = x\n[b]\n", "f");
  ASSERT_TRUE(flush) << flush.error().message;
  EXPECT_EQ(flush->find("a")->values, (std::map<std::string, std::string>{{"k", "v\nj = w\nl = x"}}));
}

TEST(Ini, IndentationIsCountedInCharactersOfPythonWhitespace) {
  // U+3000 is one character of indentation (three bytes); NBSP is stripped from values.
  auto doc = IniDocument::parse("[a]\n\u3000k = v\u00a0\n  j = w\n\u00a0l = x\n", "f");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->find("a")->values, (std::map<std::string, std::string>{{"k", "v\nj = w"}, {"l", "x"}}));
}

TEST(Ini, BlankAndCommentLinesInsideAValue) {
  // empty_lines_in_values: a blank line stays in the value when a more indented line follows; comments are
  // skipped without ending the value.
  auto doc = IniDocument::parse("[a]\nk = v\n\n# note\n  more\n\nnext = 1\n\n", "f");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->find("a")->values, (std::map<std::string, std::string>{{"k", "v\n\nmore"}, {"next", "1"}}));
  EXPECT_EQ(doc->lines()[4].kind, IniLine::Kind::continuation);
  EXPECT_EQ(doc->lines()[3].kind, IniLine::Kind::comment);
}

TEST(Ini, NestedBlocksAreReadAsBotocoreReadsThem) {
  // Sub-keys split at the first '=' only and keep their case; blank and comment lines may sit in between.
  auto doc = IniDocument::parse(
      "[s]\nsts =\n\n  a: b = c\n  # note\n  Endpoint_URL = http://x = y\n\nplain = 1\n  two\n", "f");
  ASSERT_TRUE(doc) << doc.error().message;
  const IniSection* s = doc->find("s");
  EXPECT_EQ(s->values.at("sts"), "");
  EXPECT_EQ(s->nested.at("sts"),
            (std::map<std::string, std::string>{{"a: b", "c"}, {"Endpoint_URL", "http://x = y"}}));
  EXPECT_EQ(s->values.at("plain"), "1\ntwo");
  EXPECT_EQ(s->nested.count("plain"), 0u);
}

TEST(Ini, WhatKuraCannotBeSureOfIsAnErrorNamingTheLine) {
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {"[DEFAULT]\nregion = x\n", "cfg:1: [DEFAULT] would give its keys to every section"},
      {"[a]\n\xc3\x89t\xc3\xa9 = 1\n", "cfg:2: a key name with non-ASCII characters"},
      {"[s]\nsts =\n  a = 1\x0b b = 2\n", "cfg:3: a control character inside a nested block"},
      {"[s]\nsts =\n  a: b\n", "cfg:3: expected 'key = value' in nested block"},
      {"[s]\nsts =\n  = b\n", "cfg:3: empty key in nested block"},
  };
  for (const auto& c : cases) {
    auto doc = IniDocument::parse(c.text, "cfg");
    ASSERT_FALSE(doc) << c.text;
    EXPECT_EQ(doc.error().message.rfind(c.expected, 0), 0u) << doc.error().message;
  }
}

}  // namespace
}  // namespace kura
