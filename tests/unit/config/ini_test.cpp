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

}  // namespace
}  // namespace kura
