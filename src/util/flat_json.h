// A reader for the flat JSON objects kura keeps in its stores (members that are strings, integers, booleans
// or null; nothing nested). String values are decoded straight into Secrets allocated once, so reading an
// item leaves no copy of a secret in freed memory — nlohmann's lexer keeps each token's characters in buffers
// it grows and frees. Stored items are untrusted input: tests/fuzz/fuzz_store_items.cpp covers this parser.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

struct FlatJsonValue {
  enum class Kind { string, integer, boolean, null };
  Kind kind = Kind::null;
  Secret text;           // string
  long long number = 0;  // integer
  bool flag = false;     // boolean
};

class FlatJson {
 public:
  // Errors for anything else: nesting, floats, duplicate members, trailing bytes, bad escapes or UTF-16.
  static Result<FlatJson> parse(std::string_view text);

  // The string member, if it is one.
  const Secret* string(const std::string& key) const;
  std::optional<long long> integer(const std::string& key) const;
  bool has(const std::string& key) const { return m_members.count(key) > 0; }
  const std::map<std::string, FlatJsonValue>& members() const { return m_members; }

 private:
  std::map<std::string, FlatJsonValue> m_members;
};

}  // namespace kura
