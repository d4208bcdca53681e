// A reader for the flat JSON objects kura keeps in its stores (members that are strings, integers, booleans
// or null; nothing nested, unless a caller opts in to one level of nested objects, as an answer carrying
// credentials inside one member needs). String values are decoded straight into Secrets allocated once, so
// reading an item leaves no copy of a secret in freed memory — nlohmann's lexer keeps each token's characters
// in buffers it grows and frees. Stored items are untrusted input: tests/fuzz/fuzz_store_items.cpp covers
// this parser.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

  struct Member {
    std::string name;
    FlatJsonValue value;
  };

  // Errors for anything else: nesting (beyond what `nesting` allows), arrays, floats, duplicate members,
  // trailing bytes, bad escapes or UTF-16.
  static Result<FlatJson> parse(std::string_view text, Nesting nesting = Nesting::none);

  // The member of that name, or null.
  const FlatJsonValue* member(std::string_view name) const;
  // The string member, if it is one.
  const Secret* string(std::string_view name) const;
  std::optional<long long> integer(std::string_view name) const;
  // The nested object member, if it is one.
  const FlatJson* object(std::string_view name) const;
  bool has(std::string_view name) const { return member(name) != nullptr; }
  // In the order of the text.
  const std::vector<Member>& members() const { return m_members; }

 private:
  friend struct FlatJsonParser;
  // Kept in the text's order: an item or an answer has a handful of members, looked up by a short scan. An
  // object with more (the JSON is untrusted) also gets m_sorted, its members' indices by name, so neither the
  // duplicate check nor a lookup is quadratic.
  std::vector<Member> m_members;
  std::vector<uint32_t> m_sorted;
};

}  // namespace kura
