// The flat JSON reader.
#include "util/flat_json.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>

namespace kura {

namespace {

// Where the run of bytes at `at` that need no look ends, eight at a time: no quote, backslash or control
// character (a session token is a thousand such bytes). The first such byte of a word is found exactly: the
// borrow that marks it may mark later bytes too, never an earlier one.
size_t plain_run(std::string_view text, size_t at) {
  static_assert(std::endian::native == std::endian::little, "the word's first byte is its lowest");
  constexpr uint64_t k_ones = 0x0101010101010101ull;
  constexpr uint64_t k_high_bits = k_ones << 7;
  while (at + 8 <= text.size()) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + at, 8);
    const uint64_t quote = word ^ (k_ones * '"');
    const uint64_t backslash = word ^ (k_ones * '\\');
    // A byte is zero (after the xor), or below 0x20, where the subtraction borrows into its high bit.
    const uint64_t special =
        ((quote - k_ones) & ~quote) | ((backslash - k_ones) & ~backslash) | ((word - k_ones * 0x20) & ~word);
    if (const uint64_t marked = special & k_high_bits)
      return at + static_cast<size_t>(std::countr_zero(marked)) / 8;
    at += 8;
  }
  return at;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : m_text(text) {}

  void skip_space() {
    while (m_at < m_text.size() &&
           (m_text[m_at] == ' ' || m_text[m_at] == '\t' || m_text[m_at] == '\n' || m_text[m_at] == '\r')) {
      ++m_at;
    }
  }
  bool done() const { return m_at >= m_text.size(); }
  char peek() const { return done() ? '\0' : m_text[m_at]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++m_at;
    return true;
  }
  bool take_word(std::string_view word) {
    if (m_text.substr(m_at, word.size()) != word) return false;
    m_at += word.size();
    return true;
  }

  // A string (after its opening quote), decoded into `out`, reserved once: never longer than the raw text.
  Result<void> string(std::string& out) {
    // One pass finds the closing quote, notes any escape and any raw control character.
    size_t end = m_at;
    bool escaped = false;
    bool control = false;
    while (true) {
      end = plain_run(m_text, end);
      if (end >= m_text.size()) break;
      const auto c = static_cast<unsigned char>(m_text[end]);
      if (c == '"') break;
      if (c == '\\') {
        escaped = true;
        end += 2;
        continue;
      }
      control |= c < 0x20;
      ++end;
    }
    if (end >= m_text.size()) return make_error("an unterminated string");
    if (control) return make_error("a control character in a string");
    std::string_view raw = m_text.substr(m_at, end - m_at);
    m_at = end + 1;  // past the closing quote
    if (!escaped) {  // most strings: copied at once
      out.assign(raw);
      return {};
    }
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size();) {
      // The run up to the next escape, at once.
      size_t escape = raw.find('\\', i);
      std::string_view run = raw.substr(i, escape == std::string_view::npos ? raw.size() - i : escape - i);
      out.append(run);
      i += run.size();
      if (i >= raw.size()) break;
      ++i;                // the backslash
      char e = raw[i++];  // the scan above guarantees a character after every backslash
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto unit = hex4(raw, i);
          if (!unit) return make_error("a bad \\u escape");
          uint32_t code = *unit;
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (raw.substr(i, 2) != "\\u") return make_error("a lone UTF-16 surrogate");
            i += 2;
            auto low = hex4(raw, i);
            if (!low || *low < 0xDC00 || *low > 0xDFFF) return make_error("a lone UTF-16 surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return make_error("a lone UTF-16 surrogate");
          }
          utf8(out, code);  // at most 4 bytes for the 6 (or 12) escape characters: within the reservation
          break;
        }
        default:
          return make_error("a bad escape in a string");
      }
    }
    return {};
  }

  Result<long long> integer() {
    bool negative = take('-');
    if (done() || peek() < '0' || peek() > '9') return make_error("a bad number");
    unsigned long long value = 0;
    const unsigned long long limit =
        negative ? static_cast<unsigned long long>(std::numeric_limits<long long>::max()) + 1
                 : static_cast<unsigned long long>(std::numeric_limits<long long>::max());
    while (!done() && peek() >= '0' && peek() <= '9') {
      unsigned digit = static_cast<unsigned>(m_text[m_at++] - '0');
      if (value > (limit - digit) / 10) return make_error("a number out of range");
      value = value * 10 + digit;
    }
    if (peek() == '.' || peek() == 'e' || peek() == 'E') return make_error("a number that is not an integer");
    if (negative)
      return value == limit ? std::numeric_limits<long long>::min() : -static_cast<long long>(value);
    return static_cast<long long>(value);
  }

 private:
  // Four hex digits of `raw` at `i` (advanced past them).
  static std::optional<uint32_t> hex4(std::string_view raw, size_t& i) {
    if (i + 4 > raw.size()) return std::nullopt;
    uint32_t value = 0;
    for (int k = 0; k < 4; ++k) {
      char c = raw[i++];
      uint32_t digit = c >= '0' && c <= '9'   ? static_cast<uint32_t>(c - '0')
                       : c >= 'a' && c <= 'f' ? static_cast<uint32_t>(c - 'a' + 10)
                       : c >= 'A' && c <= 'F' ? static_cast<uint32_t>(c - 'A' + 10)
                                              : 16;
      if (digit == 16) return std::nullopt;
      value = value * 16 + digit;
    }
    return value;
  }
  static void utf8(std::string& out, uint32_t code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::string_view m_text;
  size_t m_at = 0;
};

}  // namespace

// Fills a FlatJson's members; a friend of FlatJson.
struct FlatJsonParser {
  // An object, its '{' not yet taken. `depth` is 0 for the outermost object.
  static Result<void> object(Reader& in, FlatJson& json, FlatJson::Nesting nesting, int depth) {
    if (!in.take('{')) return make_error("not a JSON object");
    in.skip_space();
    if (in.take('}')) return {};
    json.m_members.reserve(8);
    while (true) {
      in.skip_space();
      if (!in.take('"')) return make_error("expected a member name");
      std::string key;
      if (auto read = in.string(key); !read) return read.error();
      in.skip_space();
      if (!in.take(':')) return make_error("expected ':' after '" + key + "'");
      in.skip_space();
      FlatJsonValue value;
      if (in.take('"')) {
        std::string decoded;
        auto read = in.string(decoded);
        value.kind = FlatJsonValue::Kind::string;
        value.text = Secret(std::move(decoded));  // moved, not copied: the reserved buffer itself
        if (!read) return read.error();
      } else if (in.take_word("true")) {
        value.kind = FlatJsonValue::Kind::boolean;
        value.flag = true;
      } else if (in.take_word("false")) {
        value.kind = FlatJsonValue::Kind::boolean;
      } else if (in.take_word("null")) {
        value.kind = FlatJsonValue::Kind::null;
      } else if (in.peek() == '{' || in.peek() == '[') {
        // The reader's first callers (stored items) allow no nesting, and say so in their own words.
        if (nesting == FlatJson::Nesting::none) {
          return make_error("'" + key + "' is nested, which kura's items never are");
        }
        if (in.peek() == '[') return make_error("'" + key + "' is an array, which this reader does not take");
        if (depth > 0) return make_error("'" + key + "' is nested more than one level");
        value.kind = FlatJsonValue::Kind::object;
        value.inner = std::make_unique<FlatJson>();
        if (auto read = object(in, *value.inner, nesting, depth + 1); !read) {
          return std::move(read).error().context("'" + key + "'");
        }
      } else {
        auto number = in.integer();
        if (!number) return number.error().context("'" + key + "'");
        value.kind = FlatJsonValue::Kind::integer;
        value.number = *number;
      }
      json.m_members.push_back(FlatJson::Member{std::move(key), std::move(value)});
      in.skip_space();
      if (in.take('}')) return index(json);
      if (!in.take(',')) return make_error("expected ',' or '}'");
    }
  }

  // Once an object is read: refuses a name given twice, and sorts the names of a big object for lookups.
  static Result<void> index(FlatJson& json) {
    const auto& members = json.m_members;
    if (members.size() <= k_scanned) {
      for (size_t i = 1; i < members.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (members[j].name == members[i].name) return duplicate(members[i].name);
        }
      }
      return {};
    }
    std::vector<uint32_t>& sorted = json.m_sorted;
    sorted.resize(members.size());
    for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = static_cast<uint32_t>(i);
    std::sort(sorted.begin(), sorted.end(),
              [&](uint32_t a, uint32_t b) { return members[a].name < members[b].name; });
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (members[sorted[i - 1]].name == members[sorted[i]].name) return duplicate(members[sorted[i]].name);
    }
    return {};
  }

  static Error duplicate(const std::string& name) { return make_error("a duplicate member '" + name + "'"); }

  // Up to this many members an object is searched from the start; beyond, through its sorted names.
  static constexpr size_t k_scanned = 16;

  static const FlatJsonValue* find(const FlatJson& json, std::string_view name) {
    const auto& members = json.m_members;
    if (json.m_sorted.empty()) {
      for (const FlatJson::Member& member : members) {
        if (member.name == name) return &member.value;
      }
      return nullptr;
    }
    auto at = std::lower_bound(
        json.m_sorted.begin(), json.m_sorted.end(), name,
        [&](uint32_t index, std::string_view wanted) { return members[index].name < wanted; });
    if (at == json.m_sorted.end() || members[*at].name != name) return nullptr;
    return &members[*at].value;
  }
};

Result<FlatJson> FlatJson::parse(std::string_view text, Nesting nesting) {
  Reader in(text);
  FlatJson json;
  in.skip_space();
  if (auto read = FlatJsonParser::object(in, json, nesting, 0); !read) return std::move(read).error();
  in.skip_space();
  if (!in.done()) return make_error("bytes after the object");
  return json;
}

const FlatJsonValue* FlatJson::member(std::string_view name) const {
  return FlatJsonParser::find(*this, name);
}

const Secret* FlatJson::string(std::string_view name) const {
  const FlatJsonValue* value = member(name);
  return value && value->kind == FlatJsonValue::Kind::string ? &value->text : nullptr;
}

std::optional<long long> FlatJson::integer(std::string_view name) const {
  const FlatJsonValue* value = member(name);
  if (!value || value->kind != FlatJsonValue::Kind::integer) return std::nullopt;
  return value->number;
}

const FlatJson* FlatJson::object(std::string_view name) const {
  const FlatJsonValue* value = member(name);
  return value && value->kind == FlatJsonValue::Kind::object ? value->inner.get() : nullptr;
}

}  // namespace kura
