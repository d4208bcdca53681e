// A reader for the flat JSON objects kura keeps in its stores (members that are strings, integers, booleans
// or null; nothing nested, unless a caller opts in to one level of nested objects, as an answer carrying
// credentials inside one member needs). String values are decoded straight into Secrets allocated once, so
// reading an item leaves no copy of a secret in freed memory — nlohmann's lexer keeps each token's characters
// in buffers it grows and frees. Stored items are untrusted input: tests/fuzz/fuzz_store_items.cpp covers
// this parser.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

class FlatJson;

struct FlatJsonValue {
  enum class Kind { string, integer, boolean, null, object };
  Kind kind = Kind::null;
  Secret text;                      // string
  long long number = 0;             // integer
  bool flag = false;                // boolean
  std::unique_ptr<FlatJson> inner;  // object (only with Nesting::one_level)
};

class FlatJson {
 public:
  // none: every member is flat. one_level: a member may also be an object whose own members are flat.
  enum class Nesting { none, one_level };

  // Errors for anything else: nesting (beyond what `nesting` allows), arrays, floats, duplicate members,
  // trailing bytes, bad escapes or UTF-16.
  static Result<FlatJson> parse(std::string_view text, Nesting nesting = Nesting::none);

  // The string member, if it is one.
  const Secret* string(const std::string& key) const;
  std::optional<long long> integer(const std::string& key) const;
  // The nested object member, if it is one.
  const FlatJson* object(const std::string& key) const;
  bool has(const std::string& key) const { return m_members.count(key) > 0; }
  const std::map<std::string, FlatJsonValue>& members() const { return m_members; }

 private:
  friend struct FlatJsonParser;
  std::map<std::string, FlatJsonValue> m_members;
};

}  // namespace kura
