// Trust policies: parsing through nlohmann's SAX interface over an iterator that counts what the lexer has
// read (so that errors and repeated keys get a line and column), the checks, the canonical form, printing in
// a fixed key order, and principal edits.
#include "trust/policy.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <nlohmann/json.hpp>
#include <utility>

#include "trust/diff.h"
#include "util/strings.h"

namespace kura {

using nlohmann::json;

Policy::Policy(json document, std::string source)
    : m_json(std::make_unique<json>(std::move(document))), m_source(std::move(source)) {}
Policy::Policy(const Policy& other)
    : m_json(std::make_unique<json>(*other.m_json)), m_source(other.m_source) {}
// A moved-from Policy may only be assigned to or destroyed.
Policy::Policy(Policy&& other) noexcept = default;
Policy& Policy::operator=(const Policy& other) {
  if (this != &other) {
    m_json = std::make_unique<json>(*other.m_json);
    m_source = other.m_source;
  }
  return *this;
}
Policy& Policy::operator=(Policy&& other) noexcept {
  std::swap(m_json, other.m_json);  // `other` stays usable
  std::swap(m_source, other.m_source);
  return *this;
}
Policy::~Policy() = default;

namespace {

// "LINE:COLUMN" of byte `offset`, both 1-based; a column counts characters, not bytes.
std::string line_column(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

void write_string(std::string& out, std::string_view text);

// Text from the document as a JSON string, shortened and made safe for a terminal.
std::string quote_text(std::string_view text) {
  std::string json_text;
  write_string(json_text, text);
  return printable(json_text, 80);
}
std::string shown(const json& value) {
  return printable(value.dump(-1, ' ', false, json::error_handler_t::replace), 80);
}

// Hands the lexer one byte at a time (nlohmann's iterator input adapter reads each byte once, through
// operator*) and records how many it has read, so that SAX events know where they are.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* at, const char* begin, size_t* read)
      : m_at(at), m_begin(begin), m_read(read) {}
  reference operator*() const {
    *m_read = static_cast<size_t>(m_at - m_begin) + 1;
    return *m_at;
  }
  CountingIterator& operator++() {
    ++m_at;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++m_at;
    return before;
  }
  bool operator==(const CountingIterator& other) const { return m_at == other.m_at; }

 private:
  const char* m_at;
  const char* m_begin;
  size_t* m_read;
};

// Builds the document from SAX events, refusing a key repeated in an object and nesting beyond the bound.
class DocumentBuilder {
 public:
  DocumentBuilder(std::string_view text, const std::string& source, const size_t* read)
      : m_text(text), m_source(source), m_read(read) {}

  bool null() { return insert(nullptr) != nullptr; }
  bool boolean(bool value) { return insert(value) != nullptr; }
  bool number_integer(json::number_integer_t value) { return insert(value) != nullptr; }
  bool number_unsigned(json::number_unsigned_t value) { return insert(value) != nullptr; }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    return insert(value) != nullptr;
  }
  bool string(json::string_t& value) { return insert(std::move(value)) != nullptr; }
  bool binary(json::binary_t& /*value*/) { return false; }  // JSON text has none
  bool start_object(std::size_t /*elements*/) { return open(json::object()); }
  bool start_array(std::size_t /*elements*/) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& key) {
    if (m_open.back()->contains(key)) {
      m_error =
          make_error(m_source + ":" + line_column(m_text, key_start()) + ": duplicate key " + quote_text(key),
                     "IAM rejects a policy that repeats a key in an object; keep one");
      return false;
    }
    m_key = std::move(key);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/, const json::exception& error) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing ...":
    // the part after the position, which kura states itself (in characters, at the byte that failed).
    std::string what = error.what();
    if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos) {
      what.erase(0, what.find("] ") + 2);
    }
    if (what.rfind("parse error at line ", 0) == 0 && what.find(": ") != std::string::npos) {
      what.erase(0, what.find(": ") + 2);
    }
    m_error = make_error(m_source + ":" + line_column(m_text, position == 0 ? 0 : position - 1) + ": " +
                         printable(what, 200));
    return false;
  }

  json& root() { return m_root; }
  const Error& error() const { return m_error; }

 private:
  // Puts a value where the parser is: the root, the end of the open array, or the open object's key.
  json* insert(json value) {
    if (m_open.empty()) {
      m_root = std::move(value);
      return &m_root;
    }
    json& parent = *m_open.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& slot = parent[m_key];
    slot = std::move(value);
    return &slot;
  }

  // Pointers into open containers stay valid: a container only grows while it is the innermost one open.
  bool open(json container) {
    if (m_open.size() >= k_policy_max_depth) {
      m_error = make_error(m_source + ":" + line_column(m_text, *m_read == 0 ? 0 : *m_read - 1) +
                           ": nested deeper than " + std::to_string(k_policy_max_depth) + " levels");
      return false;
    }
    m_open.push_back(insert(std::move(container)));
    return true;
  }
  bool close() {
    m_open.pop_back();
    return true;
  }

  // Where the key just read starts: the lexer has read up to its closing quote, and a quote inside a JSON
  // string is always preceded by an odd number of backslashes.
  size_t key_start() const {
    size_t end = std::min(*m_read, m_text.size());
    if (end < 2 || m_text[end - 1] != '"') return end == 0 ? 0 : end - 1;
    for (size_t i = end - 1; i-- > 0;) {
      if (m_text[i] != '"') continue;
      size_t backslashes = 0;
      while (backslashes < i && m_text[i - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return i;
    }
    return end - 1;
  }

  std::string_view m_text;
  const std::string& m_source;
  const size_t* m_read;
  json m_root;
  std::vector<json*> m_open;
  std::string m_key;
  Error m_error;
};

bool is_string_list(const json& value) {
  if (value.is_string()) return true;
  if (!value.is_array() || value.empty()) return false;
  return std::all_of(value.begin(), value.end(), [](const json& item) { return item.is_string(); });
}

bool is_condition_value(const json& value) {
  auto scalar = [](const json& item) { return item.is_string() || item.is_number() || item.is_boolean(); };
  if (scalar(value)) return true;
  return value.is_array() && !value.empty() && std::all_of(value.begin(), value.end(), scalar);
}

// "statement 2" or "statement 2 (Sid "Admins")", 1-based as people count.
std::string describe(const json& statement, size_t index) {
  std::string name = "statement " + std::to_string(index + 1);
  auto sid = statement.find("Sid");
  if (sid != statement.end() && sid->is_string() && !sid->get_ref<const std::string&>().empty()) {
    name += " (Sid " + quote_text(sid->get_ref<const std::string&>()) + ")";
  }
  return name;
}

// The one of two alternative keys a statement has: an error when it has neither or both.
Result<const json*> one_of(const json& statement, const char* first, const char* second,
                           const std::string& where, const std::string& why) {
  auto a = statement.find(first);
  auto b = statement.find(second);
  if (a != statement.end() && b != statement.end()) {
    return make_error(where + ": both " + first + " and " + second, "IAM accepts one of them");
  }
  if (a == statement.end() && b == statement.end()) {
    return make_error(where + ": no " + first + " or " + second, why);
  }
  return a != statement.end() ? &*a : &*b;
}

Result<void> check_statement(const json& statement, size_t index, const std::string& source) {
  if (!statement.is_object()) {
    return make_error(source + ": statement " + std::to_string(index + 1) + " is not an object");
  }
  const std::string where = source + ": " + describe(statement, index);
  auto sid = statement.find("Sid");
  if (sid != statement.end() && !sid->is_string()) return make_error(where + ": Sid must be a string");

  auto effect = statement.find("Effect");
  if (effect == statement.end()) return make_error(where + ": no Effect", "add \"Effect\": \"Allow\"");
  if (!effect->is_string() || (*effect != "Allow" && *effect != "Deny")) {
    return make_error(where + ": Effect must be \"Allow\" or \"Deny\", not " + shown(*effect));
  }

  auto action = one_of(statement, "Action", "NotAction", where, "add \"Action\": \"sts:AssumeRole\"");
  if (!action) return std::move(action).error();
  if (!is_string_list(**action)) {
    return make_error(where + ": " + (statement.contains("Action") ? "Action" : "NotAction") +
                      " must be a string or a list of strings, not " + shown(**action));
  }

  auto principal = one_of(statement, "Principal", "NotPrincipal", where,
                          "a trust policy says who may assume the role: add a Principal");
  if (!principal) return std::move(principal).error();
  const json& who = **principal;
  bool principal_ok = who.is_string() ? who == "*" : who.is_object() && !who.empty();
  if (principal_ok && who.is_object()) {
    principal_ok = std::all_of(who.begin(), who.end(), [](const json& ids) { return is_string_list(ids); });
  }
  if (!principal_ok) {
    return make_error(where + ": " + (statement.contains("Principal") ? "Principal" : "NotPrincipal") +
                          " must be \"*\" or an object of principal lists, not " + shown(who),
                      "for example {\"AWS\": [\"arn:aws:iam::123456789012:root\"]}");
  }

  for (const char* name : {"Resource", "NotResource"}) {
    auto resource = statement.find(name);
    if (resource != statement.end() && !is_string_list(*resource)) {
      return make_error(where + ": " + name + " must be a string or a list of strings, not " +
                        shown(*resource));
    }
  }

  auto condition = statement.find("Condition");
  if (condition != statement.end()) {
    bool condition_ok = condition->is_object();
    for (auto op = condition->begin(); condition_ok && op != condition->end(); ++op) {
      condition_ok = op->is_object() &&
                     std::all_of(op->begin(), op->end(), [](const json& v) { return is_condition_value(v); });
    }
    if (!condition_ok) {
      return make_error(where + ": Condition must map operators to {key: value or list of values}, not " +
                        shown(*condition));
    }
  }
  return {};
}

Result<void> check_document(const json& document, const std::string& source) {
  if (!document.is_object())
    return make_error(source + ": a policy is a JSON object, not " + shown(document));
  auto version = document.find("Version");
  if (version != document.end() && *version != "2012-10-17" && *version != "2008-10-17") {
    return make_error(source + ": Version must be \"2012-10-17\" (or the older \"2008-10-17\"), not " +
                      shown(*version));
  }
  auto id = document.find("Id");
  if (id != document.end() && !id->is_string()) return make_error(source + ": Id must be a string");
  auto statements = document.find("Statement");
  if (statements == document.end()) return make_error(source + ": no Statement");
  if (statements->is_object()) return check_statement(*statements, 0, source);
  if (!statements->is_array()) {
    return make_error(source + ": Statement must be an object or a list of objects, not " +
                      shown(*statements));
  }
  if (statements->empty()) return make_error(source + ": Statement is an empty list");
  for (size_t i = 0; i < statements->size(); ++i) {
    auto checked = check_statement((*statements)[i], i, source);
    if (!checked) return checked;
  }
  return {};
}

// A total order on set members: by type, then strings by bytes and other values by their JSON text.
bool member_less(const json& a, const json& b) {
  if (a.type() != b.type()) return static_cast<int>(a.type()) < static_cast<int>(b.type());
  if (a.is_string()) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  return a.dump(-1, ' ', false, json::error_handler_t::replace) <
         b.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A value IAM reads as a set: a one-element list when it was one value, sorted, without duplicates.
void make_set(json& value) {
  if (!value.is_array()) {
    json list = json::array();
    list.push_back(std::move(value));
    value = std::move(list);
  }
  auto& items = value.get_ref<json::array_t&>();
  std::sort(items.begin(), items.end(), member_less);
  auto same = [](const json& a, const json& b) { return !member_less(a, b) && !member_less(b, a); };
  items.erase(std::unique(items.begin(), items.end(), same), items.end());
}

void normalise_statement(json& statement) {
  if (!statement.is_object()) return;
  for (const char* name : {"Action", "NotAction", "Resource", "NotResource"}) {
    auto found = statement.find(name);
    if (found != statement.end()) make_set(*found);
  }
  for (const char* name : {"Principal", "NotPrincipal"}) {
    auto found = statement.find(name);
    if (found == statement.end() || !found->is_object()) continue;  // "*" stays "*"
    for (json& ids : *found) make_set(ids);
  }
  auto condition = statement.find("Condition");
  if (condition != statement.end() && condition->is_object()) {
    for (json& op : *condition) {
      if (!op.is_object()) continue;
      for (json& values : op) make_set(values);
    }
  }
}

// Printing.

enum class Shape { document, statement_list, statement, plain };

constexpr std::array<std::string_view, 3> k_document_order = {"Version", "Id", "Statement"};
constexpr std::array<std::string_view, 9> k_statement_order = {"Sid",          "Effect",      "Principal",
                                                               "NotPrincipal", "Action",      "NotAction",
                                                               "Resource",     "NotResource", "Condition"};

// The length of the valid UTF-8 sequence at `i`, or 0 (overlong forms and surrogates are not valid).
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned lead = byte(0);
  size_t length = 0;
  unsigned low = 0x80;
  unsigned high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

void write_escape(std::string& out, unsigned code) {
  static const char k_hex[] = "0123456789abcdef";
  out += "\\u00";
  out += k_hex[(code >> 4) & 0xF];
  out += k_hex[code & 0xF];
}

// A JSON string that is also safe for a terminal: C0 controls, DEL and C1 controls escaped; bytes that are
// not UTF-8 (which parse_policy never lets in) become U+FFFD.
void write_string(std::string& out, std::string_view text) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            write_escape(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const size_t length = utf8_length(text, i);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
    } else if (c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      write_escape(out, static_cast<unsigned char>(text[i + 1]));  // U+0080..U+009F
      i += 2;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  out += '"';
}

template <size_t N>
std::vector<const json::object_t::value_type*> ordered_members(const json::object_t& object,
                                                               const std::array<std::string_view, N>& first) {
  std::vector<const json::object_t::value_type*> members;
  for (std::string_view name : first) {
    auto found = object.find(name);
    if (found != object.end()) members.push_back(&*found);
  }
  for (const auto& member : object) {
    if (std::find(first.begin(), first.end(), member.first) == first.end()) members.push_back(&member);
  }
  return members;
}

// `pretty`: newlines and two spaces per level; otherwise no whitespace at all.
void write_value(std::string& out, const json& value, Shape shape, bool pretty, size_t level) {
  auto newline = [&](size_t depth) {
    if (!pretty) return;
    out += '\n';
    out.append(2 * depth, ' ');
  };
  if (value.is_object()) {
    const auto& object = value.get_ref<const json::object_t&>();
    if (object.empty()) {
      out += "{}";
      return;
    }
    std::vector<const json::object_t::value_type*> members;
    if (shape == Shape::document) {
      members = ordered_members(object, k_document_order);
    } else if (shape == Shape::statement) {
      members = ordered_members(object, k_statement_order);
    } else {
      members = ordered_members(object, std::array<std::string_view, 0>{});
    }
    out += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out += ',';
      newline(level + 1);
      write_string(out, members[i]->first);
      out += pretty ? ": " : ":";
      Shape inner = Shape::plain;
      if (shape == Shape::document && members[i]->first == "Statement") {
        inner = members[i]->second.is_array() ? Shape::statement_list : Shape::statement;
      }
      write_value(out, members[i]->second, inner, pretty, level + 1);
    }
    newline(level);
    out += '}';
  } else if (value.is_array()) {
    if (value.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out += ',';
      newline(level + 1);
      write_value(out, value[i], shape == Shape::statement_list ? Shape::statement : Shape::plain, pretty,
                  level + 1);
    }
    newline(level);
    out += ']';
  } else if (value.is_string()) {
    write_string(out, value.get_ref<const std::string&>());
  } else {
    out += value.dump();  // a number, true, false or null
  }
}

// Principals.

bool is_account_id(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct IamArn {
  std::string account;
  std::string resource;  // "root", "user/...", "role/..."
};

// arn:PARTITION:iam::ACCOUNT:RESOURCE with PARTITION "aws" or "aws-..." and a root, user or role resource.
std::optional<IamArn> parse_iam_arn(std::string_view text) {
  if (text.size() > 1024) return std::nullopt;
  std::vector<std::string> parts = split(text, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[3].empty()) return std::nullopt;
  const std::string& partition = parts[1];
  auto partition_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  if (partition != "aws" && (partition.rfind("aws-", 0) != 0 || partition.size() == 4 ||
                             !std::all_of(partition.begin(), partition.end(), partition_char))) {
    return std::nullopt;
  }
  if (!is_account_id(parts[4])) return std::nullopt;
  const std::string& resource = parts[5];
  if (resource != "root") {
    if (resource.rfind("user/", 0) != 0 && resource.rfind("role/", 0) != 0) return std::nullopt;
    std::string_view path = std::string_view(resource).substr(5);  // optional /path/ segments, then the name
    auto name_char = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             std::string_view("+=,.@_-/").find(c) != std::string_view::npos;
    };
    if (path.empty() || path.back() == '/' || path.find("//") != std::string_view::npos ||
        !std::all_of(path.begin(), path.end(), name_char)) {
      return std::nullopt;
    }
  }
  return IamArn{parts[4], resource};
}

// The same principal: the same string, or an account id and that account's root ARN (IAM stores the ARN when
// given the id).
bool same_principal(std::string_view have, std::string_view want) {
  if (have == want) return true;
  auto root_of = [](std::string_view arn) {
    auto parsed = parse_iam_arn(arn);
    return parsed && parsed->resource == "root" ? parsed->account : std::string();
  };
  if (is_account_id(want)) return root_of(have) == want;
  if (is_account_id(have)) return root_of(want) == have;
  return false;
}

// IAM's action matching: case-insensitive, '*' any run of characters, '?' any one.
bool action_matches(std::string_view pattern, std::string_view action) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  size_t p = 0;
  size_t a = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  while (a < action.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = a;
    } else if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(action[a]))) {
      ++p;
      ++a;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      a = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// A statement whose principals kura edits: Allow, an Action matching sts:AssumeRole, a Principal object.
bool edits_principals(const json& statement) {
  if (!statement.is_object()) return false;
  auto effect = statement.find("Effect");
  auto action = statement.find("Action");
  auto principal = statement.find("Principal");
  if (effect == statement.end() || *effect != "Allow" || action == statement.end() ||
      principal == statement.end() || !principal->is_object()) {
    return false;
  }
  auto allows = [](const json& entry) {
    return entry.is_string() && action_matches(entry.get_ref<const std::string&>(), "sts:AssumeRole");
  };
  if (action->is_array()) return std::any_of(action->begin(), action->end(), allows);
  return allows(*action);
}

// The principals checked and without repeats (in the order given); the statements to edit.
Result<std::vector<std::string>> checked_principals(const Policy& policy,
                                                    const std::vector<std::string>& principals) {
  std::vector<std::string> unique;
  for (const std::string& principal : principals) {
    auto checked = check_principal(principal);
    if (!checked) return std::move(checked).error().context(policy.source());
    if (std::find(unique.begin(), unique.end(), principal) == unique.end()) unique.push_back(principal);
  }
  return unique;
}

Error no_statement_to_edit(const Policy& policy) {
  return make_error(
      policy.source() + ": no statement allows sts:AssumeRole to a list of principals",
      "kura edits statements with \"Effect\": \"Allow\", an Action that matches sts:AssumeRole, "
      "and a Principal object (not \"*\")");
}

}  // namespace

Result<Policy> parse_policy(std::string_view text, const std::string& source) {
  if (text.size() > k_policy_max_bytes) {
    return make_error(source + ": " + std::to_string(text.size()) +
                          " bytes is too long for a trust policy (kura reads " +
                          std::to_string(k_policy_max_bytes) + ")",
                      "IAM limits a role's trust policy to " + std::to_string(k_trust_policy_default_limit) +
                          " characters without whitespace (" + std::to_string(k_trust_policy_quota_limit) +
                          " with a quota increase)");
  }
  size_t read = 0;
  DocumentBuilder builder(text, source, &read);
  const char* begin = text.data();
  CountingIterator first(begin, begin, &read);
  CountingIterator last(begin + text.size(), begin, &read);
  try {
    if (!json::sax_parse(first, last, &builder)) return builder.error();
  } catch (const json::exception& e) {  // not expected from the SAX interface; kept as an error all the same
    return make_error(source + ": " + printable(e.what(), 200));
  }
  auto checked = check_document(builder.root(), source);
  if (!checked) return std::move(checked).error();
  return Policy(std::move(builder.root()), source);
}

Policy normalise(const Policy& policy) {
  json document = policy.document();
  auto statements = document.find("Statement");
  if (statements != document.end()) {
    if (statements->is_object()) {
      json list = json::array();
      list.push_back(std::move(*statements));
      *statements = std::move(list);
    }
    if (statements->is_array()) {
      for (json& statement : *statements) normalise_statement(statement);
    }
  }
  return Policy(std::move(document), policy.source());
}

bool equivalent(const Policy& a, const Policy& b) {
  return normalise(a).document() == normalise(b).document();
}

std::string pretty(const Policy& policy) {
  std::string out;
  write_value(out, policy.document(), Shape::document, true, 0);
  out += '\n';
  return out;
}

std::string compact(const Policy& policy) {
  std::string out;
  write_value(out, policy.document(), Shape::document, false, 0);
  return out;
}

std::string semantic_diff(const Policy& before, const Policy& after, const std::string& before_label,
                          const std::string& after_label) {
  return unified_diff(pretty(normalise(before)), pretty(normalise(after)), before_label, after_label);
}

Result<void> check_principal(std::string_view principal) {
  if (is_account_id(principal) || parse_iam_arn(principal)) return {};
  return make_error(quote_text(principal) + " is not an account id or the ARN of an IAM user, role or root",
                    "for example 123456789012, arn:aws:iam::123456789012:root or "
                    "arn:aws:iam::123456789012:role/deploy");
}

Result<PrincipalEdit> add_principals(Policy& policy, const std::vector<std::string>& principals) {
  auto wanted = checked_principals(policy, principals);
  if (!wanted) return std::move(wanted).error();
  Policy edited = normalise(policy);
  json& statements = (*edited.m_json)["Statement"];
  if (std::none_of(statements.begin(), statements.end(), edits_principals))
    return no_statement_to_edit(policy);

  PrincipalEdit edit;
  for (const std::string& principal : *wanted) {
    bool everywhere = true;
    for (json& statement : statements) {
      if (!edits_principals(statement)) continue;
      json& aws = statement["Principal"]["AWS"];  // normalised: a list, or null when there was none
      if (!aws.is_array()) aws = json::array();
      bool present = std::any_of(aws.begin(), aws.end(), [&](const json& have) {
        return have.is_string() && same_principal(have.get_ref<const std::string&>(), principal);
      });
      if (!present) {
        aws.push_back(principal);
        edit.changed = true;
        everywhere = false;
      }
    }
    if (everywhere) edit.unchanged.push_back(principal);
  }
  policy = normalise(edited);  // the new entries in their sorted places
  return edit;
}

Result<PrincipalEdit> remove_principals(Policy& policy, const std::vector<std::string>& principals) {
  auto wanted = checked_principals(policy, principals);
  if (!wanted) return std::move(wanted).error();
  Policy edited = normalise(policy);
  json& statements = (*edited.m_json)["Statement"];
  if (std::none_of(statements.begin(), statements.end(), edits_principals))
    return no_statement_to_edit(policy);

  PrincipalEdit edit;
  std::vector<bool> found(wanted->size(), false);
  for (size_t index = 0; index < statements.size(); ++index) {
    json& statement = statements[index];
    if (!edits_principals(statement)) continue;
    json& who = statement["Principal"];
    auto aws = who.find("AWS");
    if (aws == who.end() || !aws->is_array()) continue;
    auto& list = aws->get_ref<json::array_t&>();
    const size_t before = list.size();
    std::erase_if(list, [&](const json& have) {
      bool match = false;
      for (size_t i = 0; i < wanted->size(); ++i) {
        if (have.is_string() && same_principal(have.get_ref<const std::string&>(), (*wanted)[i])) {
          found[i] = true;
          match = true;
        }
      }
      return match;
    });
    if (list.size() == before) continue;
    edit.changed = true;
    if (list.empty()) who.erase("AWS");
    if (who.empty()) {
      return make_error(
          policy.source() + ": " + describe(statement, index) + " would be left with no principal",
          "keep at least one principal in it, or delete the statement by editing the policy");
    }
  }
  for (size_t i = 0; i < wanted->size(); ++i) {
    if (!found[i]) edit.unchanged.push_back((*wanted)[i]);
  }
  policy = std::move(edited);
  return edit;
}

}  // namespace kura
