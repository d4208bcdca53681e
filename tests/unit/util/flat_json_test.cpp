// The flat JSON reader: flat by default, exactly as stored items need, and one level of nested objects for a
// caller that opts in.
#include "util/flat_json.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

using Nesting = FlatJson::Nesting;

TEST(FlatJson, ReadsFlatMembers) {
  auto json = FlatJson::parse(R"( {"a": "x\u00e9\n", "n": -12, "t": true, "z": null} )");
  ASSERT_TRUE(json) << json.error().message;
  ASSERT_NE(json->string("a"), nullptr);
  EXPECT_EQ(json->string("a")->view(), "x\xc3\xa9\n");
  EXPECT_EQ(json->integer("n"), -12);
  EXPECT_EQ(json->string("n"), nullptr);
  EXPECT_TRUE(json->has("z"));
  EXPECT_EQ(json->object("a"), nullptr);
}

// Stored items' callers see the same refusal as before the option existed, whatever is nested.
TEST(FlatJson, RefusesNestingByDefault) {
  for (const char* text : {R"({"a": {"b": 1}})", R"({"a": [1]})"}) {
    auto json = FlatJson::parse(text);
    ASSERT_FALSE(json) << text;
    EXPECT_EQ(json.error().message, "'a' is nested, which kura's items never are");
  }
}

TEST(FlatJson, OneLevelOfObjectsWhenAskedFor) {
  auto json =
      FlatJson::parse(R"({"outer": {"key": "secret", "ms": 1700000000000}, "after": 1})", Nesting::one_level);
  ASSERT_TRUE(json) << json.error().message;
  const FlatJson* outer = json->object("outer");
  ASSERT_NE(outer, nullptr);
  ASSERT_NE(outer->string("key"), nullptr);
  EXPECT_EQ(outer->string("key")->view(), "secret");
  EXPECT_EQ(outer->integer("ms"), 1700000000000LL);
  EXPECT_EQ(json->integer("after"), 1);
  EXPECT_EQ(json->object("after"), nullptr);
  EXPECT_EQ(json->string("outer"), nullptr);

  auto empty = FlatJson::parse(R"({"e": { }})", Nesting::one_level);
  ASSERT_TRUE(empty) << empty.error().message;
  ASSERT_NE(empty->object("e"), nullptr);
  EXPECT_TRUE(empty->object("e")->members().empty());
}

TEST(FlatJson, OneLevelRefusesDeeperNestingAndArrays) {
  auto deeper = FlatJson::parse(R"({"a": {"b": {"c": 1}}})", Nesting::one_level);
  ASSERT_FALSE(deeper);
  EXPECT_EQ(deeper.error().message, "'a': 'b' is nested more than one level");
  auto array = FlatJson::parse(R"({"a": [1]})", Nesting::one_level);
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().message, "'a' is an array, which this reader does not take");
  auto inner_array = FlatJson::parse(R"({"a": {"b": []}})", Nesting::one_level);
  ASSERT_FALSE(inner_array);
  EXPECT_EQ(inner_array.error().message, "'a': 'b' is an array, which this reader does not take");
}

// Errors inside a nested object name it; a malformed one is still an error, never a partial read.
TEST(FlatJson, NestedErrorsNameTheirObject) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"a": {"n": 1.5}})", "'a': 'n': a number that is not an integer"},
           Case{R"({"a": {"n": 99999999999999999999}})", "'a': 'n': a number out of range"},
           Case{R"({"a": {"k": 1, "k": 2}})", "'a': a duplicate member 'k'"},
           Case{R"({"a": {"k": 1})", "expected ',' or '}'"},
           Case{R"({"a": {"k": 1}} x)", "bytes after the object"},
           Case{R"({"a": {"k" 1}})", "'a': expected ':' after 'k'"},
           Case{R"({"a": {"k": 1}, "a": 2})", "a duplicate member 'a'"},
       }) {
    auto json = FlatJson::parse(c.text, Nesting::one_level);
    ASSERT_FALSE(json) << c.text;
    EXPECT_EQ(json.error().message, c.message) << c.text;
  }
}

// Members keep the text's order; a small object is searched in place, a big one through its sorted names, and
// either refuses a name given twice wherever the second one falls.
TEST(FlatJson, ObjectsOfAnySizeFindEveryMemberAndRefuseDuplicates) {
  for (size_t count : {1u, 2u, 16u, 17u, 40u}) {  // searched in place up to 16
    std::string text = "{";
    for (size_t i = 0; i < count; ++i)
      text += (i ? ", \"m" : "\"m") + std::to_string(count - i) + "\": " + std::to_string(i);
    auto json = FlatJson::parse(text + "}");
    ASSERT_TRUE(json) << count << ": " << json.error().message;
    ASSERT_EQ(json->members().size(), count);
    for (size_t i = 0; i < count; ++i) {
      const std::string name = "m" + std::to_string(count - i);
      EXPECT_EQ(json->members()[i].name, name);
      EXPECT_EQ(json->integer(name), static_cast<long long>(i)) << count << " " << name;
    }
    EXPECT_FALSE(json->has("m0")) << count;
    EXPECT_FALSE(json->has("m" + std::to_string(count + 1))) << count;
    EXPECT_EQ(json->member("m"), nullptr) << count;
    for (size_t again = 1; again <= count; ++again) {
      auto twice = FlatJson::parse(text + ", \"m" + std::to_string(again) + "\": true}");
      ASSERT_FALSE(twice) << count << " " << again;
      EXPECT_EQ(twice.error().message, "a duplicate member 'm" + std::to_string(again) + "'");
    }
  }
}

// Strings are scanned eight bytes at a time: a quote, a backslash or a control character is found wherever it
// falls in a word, and the text around it is kept whole.
TEST(FlatJson, LongStringsKeepEveryByteWhereverTheSpecialOneFalls) {
  // With the neighbours of the special bytes (' ', '!', '#', '[', ']', DEL) and of UTF-8 among the plain
  // ones.
  const std::string plain =
      "ABCDEFGH !#[]\x7f\xc3\xa9IJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  for (size_t at = 0; at <= 24; ++at) {
    const std::string head = plain.substr(0, at);
    const std::string tail = plain.substr(at);
    auto escaped = FlatJson::parse("{\"s\": \"" + head + "\\\"" + tail + "\"}");
    ASSERT_TRUE(escaped) << at << ": " << escaped.error().message;
    EXPECT_EQ(escaped->string("s")->view(), head + "\"" + tail) << at;
    auto unescaped = FlatJson::parse("{\"s\": \"" + head + tail + "\"}");
    ASSERT_TRUE(unescaped) << at;
    EXPECT_EQ(unescaped->string("s")->view(), plain) << at;
    auto control = FlatJson::parse("{\"s\": \"" + head + "\x1f" + tail + "\"}");
    ASSERT_FALSE(control) << at;
    EXPECT_EQ(control.error().message, "a control character in a string") << at;
    auto unterminated = FlatJson::parse("{\"s\": \"" + head + "\x01" + tail);
    ASSERT_FALSE(unterminated) << at;
    EXPECT_EQ(unterminated.error().message, "an unterminated string") << at;
  }
}

}  // namespace
}  // namespace kura
