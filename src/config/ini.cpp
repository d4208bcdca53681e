// INI parsing in the AWS CLI's dialect: configparser.RawConfigParser's rules (strict about duplicates, blank
// and comment lines inside values, continuation by indentation) and botocore's nested blocks.
#include "config/ini.h"

#include <algorithm>

#include "util/strings.h"

namespace kura {

namespace {

// The length in bytes of the character at `pos` if Python's str.isspace() holds for it, else 0. configparser
// strips lines, keys and values, and measures indentation, with Python's notion of whitespace, which includes
// some control characters and, in UTF-8, NBSP, the Unicode spaces and the line and paragraph separators.
size_t space_at(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  unsigned first = byte(pos);
  if (first == ' ' || (first >= 0x09 && first <= 0x0d) || (first >= 0x1c && first <= 0x1f)) return 1;
  if (first == 0xc2 && (byte(pos + 1) == 0x85 || byte(pos + 1) == 0xa0)) return 2;
  if (first == 0xe1 && byte(pos + 1) == 0x9a && byte(pos + 2) == 0x80) return 3;  // U+1680
  if (first == 0xe2 && byte(pos + 1) == 0x80) {
    unsigned third = byte(pos + 2);
    if ((third >= 0x80 && third <= 0x8a) || third == 0xa8 || third == 0xa9 || third == 0xaf) return 3;
  }
  if (first == 0xe2 && byte(pos + 1) == 0x81 && byte(pos + 2) == 0x9f) return 3;  // U+205F
  if (first == 0xe3 && byte(pos + 1) == 0x80 && byte(pos + 2) == 0x80) return 3;  // U+3000
  return 0;
}

// The length of a whitespace character that ends just before `end`, else 0.
size_t space_before(std::string_view text, size_t end) {
  for (size_t length = 3; length >= 1; --length) {
    if (end >= length && space_at(text, end - length) == length) return length;
  }
  return 0;
}

struct Indent {
  size_t bytes = 0;
  size_t chars = 0;
};

Indent leading_space(std::string_view text) {
  Indent indent;
  while (size_t length = space_at(text, indent.bytes)) {
    indent.bytes += length;
    ++indent.chars;
  }
  return indent;
}

std::string_view rstrip(std::string_view text) {
  size_t end = text.size();
  while (size_t length = space_before(text, end)) end -= length;
  return text.substr(0, end);
}

// Python's str.strip().
std::string_view strip(std::string_view text) {
  return rstrip(text.substr(leading_space(text).bytes));
}

// Characters that Python's str.splitlines() breaks at (besides "\r" and "\n", which never stay inside a
// line): botocore splits nested blocks with it, so a line holding one reads as two.
bool has_splitlines_break(std::string_view text) {
  static constexpr std::string_view k_breaks[] = {"\x0b", "\x0c",     "\x1c",         "\x1d",
                                                  "\x1e", "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9"};
  return std::any_of(std::begin(k_breaks), std::end(k_breaks),
                     [&](std::string_view mark) { return text.find(mark) != std::string_view::npos; });
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

Error line_error(const std::string& source, size_t index, std::string_view text, const std::string& what,
                 std::string hint = {}) {
  return make_error(
      source + ":" + std::to_string(index + 1) + ": " + what + ": '" + std::string(strip(text)) + "'",
      std::move(hint));
}

bool is_value_line(IniLine::Kind kind) {
  return kind == IniLine::Kind::continuation || kind == IniLine::Kind::sub_key;
}

std::string join_lines(const std::vector<IniLine>& lines) {
  std::string out;
  for (const IniLine& line : lines) {
    out += line.text;
    out += line.ending;
  }
  return out;
}

// What a header line (stripped, starting with '[') names, and why parse() refuses it if it does.
enum class HeaderProblem { none, malformed, text_after, default_section };
struct Header {
  std::string_view name;
  HeaderProblem problem = HeaderProblem::none;
};

Header read_header(std::string_view stripped) {
  // configparser takes the name up to the last ']' and ignores the rest of the line; kura wants nothing
  // after the first ']', since "[a] # note" or "[a] [b]" would name sections nobody meant.
  size_t first_close = stripped.find(']');
  if (first_close == std::string_view::npos || first_close < 2) return {{}, HeaderProblem::malformed};
  if (first_close + 1 != stripped.size()) return {{}, HeaderProblem::text_after};
  std::string_view name = stripped.substr(1, first_close - 1);
  if (name == "DEFAULT") return {name, HeaderProblem::default_section};
  return {name, HeaderProblem::none};
}

// The key being read: its value is every line configparser appends to it, "" for a blank line.
struct OpenKey {
  size_t section = 0;
  std::string key;
  size_t line = 0;
  size_t indent = 0;
  std::vector<std::pair<size_t, std::string>> parts;  // line index and stripped text
};

// configparser joins the parts with "\n" and strips the end; botocore reads a value that then starts with
// "\n" as a nested block of `name = value` lines.
Result<void> close_key(std::vector<IniLine>& lines, IniSection& section, const OpenKey& open,
                       const std::string& source, size_t first_line) {
  std::string joined;
  for (size_t i = 0; i < open.parts.size(); ++i) joined += (i ? "\n" : "") + open.parts[i].second;
  while (!joined.empty() && joined.back() == '\n') joined.pop_back();
  if (joined.empty() || joined[0] != '\n') {
    section.values[open.key] = joined;
    return {};
  }
  std::map<std::string, std::string>& nested = section.nested[open.key];
  for (size_t i = 1; i < open.parts.size(); ++i) {
    const auto& [index, text] = open.parts[i];
    if (text.empty()) continue;
    IniLine& line = lines[index];
    if (has_splitlines_break(text)) {
      return line_error(source, first_line + index, line.text, "a control character inside a nested block",
                        "remove it; the AWS CLI would split the line there");
    }
    size_t equals = text.find('=');
    if (equals == std::string::npos) {
      return line_error(source, first_line + index, line.text, "expected 'key = value' in nested block",
                        "indented lines under '" + open.key + " =' are its sub-keys");
    }
    std::string name(strip(std::string_view(text).substr(0, equals)));
    if (name.empty()) return line_error(source, first_line + index, line.text, "empty key in nested block");
    if (nested.count(name)) {
      return line_error(source, first_line + index, line.text,
                        "duplicate key '" + name + "' under '" + open.key + "'");
    }
    line.kind = IniLine::Kind::sub_key;
    line.name = name;
    line.value = std::string(strip(std::string_view(text).substr(equals + 1)));
    nested[name] = line.value;
  }
  section.values[open.key] = "";
  return {};
}

}  // namespace

size_t ini_indent_bytes(std::string_view line) {
  return leading_space(line).bytes;
}

std::optional<std::string_view> ini_header_name(std::string_view line) {
  // "[name]" is already stripped: no need to measure whitespace at either end.
  std::string_view stripped =
      line.size() >= 2 && line.front() == '[' && line.back() == ']' ? line : strip(line);
  if (stripped.empty() || stripped[0] != '[') return std::nullopt;
  Header header = read_header(stripped);
  if (header.problem != HeaderProblem::none) return std::nullopt;
  return header.name;
}

IniContent apply_edits(IniContent content, const std::vector<IniEdit>& edits) {
  for (const IniEdit& edit : edits) {
    switch (edit.kind) {
      case IniEdit::Kind::set:
        content[edit.section][to_lower(edit.key)] = IniValue{edit.value, {}};
        break;
      case IniEdit::Kind::remove_key:
        if (auto section = content.find(edit.section); section != content.end()) {
          section->second.erase(to_lower(edit.key));
        }
        break;
      case IniEdit::Kind::remove_section:
        content.erase(edit.section);
        break;
    }
  }
  return content;
}

std::optional<std::string> first_difference(const IniContent& expected, const IniContent& actual) {
  auto section_of = [](const IniContent& content, const std::string& name) {
    auto it = content.find(name);
    return it == content.end() ? nullptr : &it->second;
  };
  std::vector<std::string> names;
  for (const auto& [name, keys] : expected) names.push_back(name);
  for (const auto& [name, keys] : actual) names.push_back(name);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const auto* want = section_of(expected, name);
    const auto* got = section_of(actual, name);
    if (!want || !got) return "[" + name + "]";
    std::vector<std::string> keys;
    for (const auto& [key, value] : *want) keys.push_back(key);
    for (const auto& [key, value] : *got) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) {
      auto w = want->find(key);
      auto g = got->find(key);
      if (w == want->end() || g == got->end() || !(w->second == g->second)) return "[" + name + "] " + key;
    }
  }
  return std::nullopt;
}

Result<IniDocument> IniDocument::parse(std::string_view text, std::string source) {
  return parse(text, std::move(source), 0);
}

Result<IniDocument> IniDocument::parse(std::string_view text, std::string source, size_t first_line) {
  IniDocument doc;
  doc.m_source = std::move(source);

  // Split keeping each line's ending so serialize() gives back the same bytes. Python reads the files with
  // universal newlines: "\r\n", "\n" and a lone "\r" each end a line.
  size_t start = 0;
  while (start < text.size()) {
    size_t stop = find_either(text, '\r', '\n', start);
    IniLine line;
    if (stop == std::string_view::npos) {
      line.text = std::string(text.substr(start));
      start = text.size();
    } else {
      line.text = std::string(text.substr(start, stop - start));
      bool crlf = text[stop] == '\r' && stop + 1 < text.size() && text[stop + 1] == '\n';
      line.ending = crlf ? "\r\n" : std::string(1, text[stop]);
      start = stop + line.ending.size();
    }
    doc.m_lines.push_back(std::move(line));
  }

  std::optional<size_t> section;  // index into m_sections
  std::optional<OpenKey> open;    // the key whose value further lines may continue
  std::map<std::string, size_t> section_lines;
  auto close = [&]() -> Result<void> {
    if (!open) return {};
    auto closed = close_key(doc.m_lines, doc.m_sections[open->section], *open, doc.m_source, first_line);
    open.reset();
    return closed;
  };
  for (size_t i = 0; i < doc.m_lines.size(); ++i) {
    IniLine& line = doc.m_lines[i];
    Indent indent = leading_space(line.text);
    line.indent = indent.chars;
    std::string_view stripped = strip(line.text);
    if (stripped.empty()) {
      // empty_lines_in_values: an empty line belongs to the value if a more indented line follows.
      line.kind = IniLine::Kind::blank;
      if (open) open->parts.emplace_back(i, "");
      continue;
    }
    if (stripped[0] == '#' || stripped[0] == ';') {
      line.kind = IniLine::Kind::comment;  // skipped, even inside a value: the value goes on after it
      continue;
    }
    if (open && indent.chars > open->indent) {
      line.kind = IniLine::Kind::continuation;
      line.value = std::string(stripped);
      open->parts.emplace_back(i, line.value);
      continue;
    }
    if (auto closed = close(); !closed) return closed.error();
    if (stripped[0] == '[') {
      Header header = read_header(stripped);
      switch (header.problem) {
        case HeaderProblem::none:
          break;
        case HeaderProblem::malformed:
          return line_error(doc.m_source, first_line + i, line.text, "malformed section header",
                            "write [name]");
        case HeaderProblem::text_after:
          return line_error(doc.m_source, first_line + i, line.text,
                            "text after the section header's closing ']'",
                            "put comments on a line of their own");
        case HeaderProblem::default_section:
          return line_error(doc.m_source, first_line + i, line.text,
                            "[DEFAULT] would give its keys to every section, which kura does not follow",
                            "rename it [default] if it is meant as the default profile");
      }
      std::string name(header.name);
      if (auto seen = section_lines.find(name); seen != section_lines.end()) {
        return line_error(doc.m_source, first_line + i, line.text,
                          "duplicate section [" + name + "] (first at line " +
                              std::to_string(first_line + seen->second + 1) + ")",
                          "merge the two sections into one");
      }
      line.kind = IniLine::Kind::section;
      line.name = name;
      section_lines[name] = i;
      doc.m_sections.push_back(IniSection{name, i, {}, {}, {}});
      section = doc.m_sections.size() - 1;
      continue;
    }
    // "key = value" or "key: value", split at the first delimiter as configparser does.
    size_t delimiter = find_either(stripped, '=', ':');
    std::string_view written_key =
        delimiter == std::string_view::npos ? std::string_view() : rstrip(stripped.substr(0, delimiter));
    if (written_key.empty()) {
      return line_error(doc.m_source, first_line + i, line.text, "malformed line",
                        "expected 'key = value', [section] or a comment");
    }
    if (!section) {
      return line_error(doc.m_source, first_line + i, line.text, "key outside of any section",
                        "add a [section] above it");
    }
    if (!is_ascii(written_key)) {
      // configparser lowercases keys with Unicode's rules, which kura does not carry.
      return line_error(doc.m_source, first_line + i, line.text, "a key name with non-ASCII characters",
                        "AWS keys are ASCII; rename the key");
    }
    std::string key = to_lower(written_key);
    IniSection& current = doc.m_sections[*section];
    if (auto seen = current.key_lines.find(key); seen != current.key_lines.end()) {
      return line_error(doc.m_source, first_line + i, line.text,
                        "duplicate key '" + key + "' in [" + current.name + "] (first at line " +
                            std::to_string(first_line + seen->second + 1) + ")");
    }
    line.kind = IniLine::Kind::key;
    line.name = key;
    line.value = std::string(strip(stripped.substr(delimiter + 1)));
    current.key_lines[key] = i;
    open = OpenKey{*section, key, i, indent.chars, {{i, line.value}}};
  }
  if (auto closed = close(); !closed) return closed.error();
  return doc;
}

std::string IniDocument::serialize() const {
  return join_lines(m_lines);
}

IniContent IniDocument::content() const {
  IniContent content;
  for (const IniSection& section : m_sections) {
    auto& keys = content[section.name];
    for (const auto& [key, value] : section.values) {
      auto nested = section.nested.find(key);
      keys[key] = IniValue{
          value, nested == section.nested.end() ? std::map<std::string, std::string>{} : nested->second};
    }
  }
  return content;
}

std::string IniDocument::line_ending() const {
  for (const IniLine& line : m_lines) {
    if (!line.ending.empty()) return line.ending;
  }
  return "\n";
}

size_t IniDocument::key_end(size_t key_line) const {
  size_t end = key_line + 1;
  for (size_t i = key_line + 1; i < m_lines.size(); ++i) {
    IniLine::Kind kind = m_lines[i].kind;
    if (kind == IniLine::Kind::key || kind == IniLine::Kind::section) break;
    if (is_value_line(kind)) end = i + 1;
  }
  return end;
}

size_t IniDocument::section_content_end(size_t header) const {
  size_t end = header + 1;
  for (size_t i = header + 1; i < m_lines.size(); ++i) {
    IniLine::Kind kind = m_lines[i].kind;
    if (kind == IniLine::Kind::section) break;
    if (kind == IniLine::Kind::key || is_value_line(kind)) end = i + 1;
  }
  return end;
}

size_t IniDocument::next_significant(size_t from) const {
  while (from < m_lines.size() &&
         (m_lines[from].kind == IniLine::Kind::blank || m_lines[from].kind == IniLine::Kind::comment)) {
    ++from;
  }
  return from;
}

Result<void> IniDocument::adopt(const std::vector<std::vector<IniLine>>& candidates, const IniEdit& edit,
                                const std::string& what) {
  const IniContent expected = apply_edits(content(), {edit});
  std::string problem;
  for (const std::vector<IniLine>& candidate : candidates) {
    auto reparsed = parse(join_lines(candidate), m_source);
    if (!reparsed) {
      // Not the parser's message: it quotes the line, which may hold the new value, a secret.
      if (problem.empty()) problem = "would leave a file that does not parse";
      continue;
    }
    if (auto difference = first_difference(expected, reparsed->content())) {
      if (problem.empty()) problem = "would also change " + *difference;
      continue;
    }
    reparsed->m_edits = std::move(m_edits);
    reparsed->m_edits.push_back(edit);
    *this = std::move(*reparsed);
    return {};
  }
  return make_error(m_source + ": " + what + " " + problem, "edit the file by hand; kura left it as it was");
}

Result<void> IniDocument::set(const std::string& section_name, const std::string& key,
                              const std::string& value) {
  const std::string what = "setting [" + section_name + "] " + key;
  if (section_name.empty() || section_name.find_first_of("]\r\n") != std::string::npos ||
      section_name == "DEFAULT") {
    return make_error(m_source + ": " + what + ": not a section name kura can write");
  }
  if (key.empty() || strip(key) != key || key.find_first_of("=:\r\n") != std::string::npos || key[0] == '#' ||
      key[0] == ';' || key[0] == '[' || !is_ascii(key)) {
    return make_error(m_source + ": " + what + ": not a key name kura can write");
  }
  // The value itself never goes into a message: it may be a secret.
  if (value.find_first_of("\r\n") != std::string::npos || strip(value) != value) {
    return make_error(m_source + ": " + what +
                      ": the value spans lines or starts or ends with whitespace, which AWS tools would not "
                      "read back");
  }
  const IniEdit edit{IniEdit::Kind::set, section_name, key, value};
  const std::string eol = line_ending();
  const std::string pair = value.empty() ? key + " =" : key + " = " + value;
  auto indentation = [&](size_t index) {
    return index < m_lines.size() ? m_lines[index].text.substr(0, leading_space(m_lines[index].text).bytes)
                                  : std::string();
  };
  std::vector<std::vector<IniLine>> candidates;
  const IniSection* section = find(section_name);
  if (section) {
    if (auto it = section->key_lines.find(to_lower(key)); it != section->key_lines.end()) {
      // Keep the key as written and the spacing around the delimiter; the value lines make way for the new
      // one.
      std::vector<IniLine> lines = m_lines;
      IniLine& line = lines[it->second];
      size_t delimiter = find_either(line.text, '=', ':');
      size_t value_start = delimiter + 1;
      while (size_t length = space_at(line.text, value_start)) value_start += length;
      std::string prefix = line.text.substr(0, value_start);
      if (value_start == line.text.size() && delimiter + 1 == value_start) prefix += " ";  // "key=" had none
      line.text = value.empty() ? std::string(rstrip(prefix)) : prefix + value;
      lines.erase(lines.begin() + static_cast<long>(it->second + 1),
                  lines.begin() + static_cast<long>(key_end(it->second)));
      candidates.push_back(std::move(lines));
    } else {
      // After the section's last key, indented like it (or else like the line that follows, so that line
      // does not become part of the new value); failing that, right after the header.
      const size_t header = section->header_line;
      const size_t end = section_content_end(header);
      std::optional<size_t> last_key;
      for (size_t i = header + 1; i < end; ++i) {
        if (m_lines[i].kind == IniLine::Kind::key) last_key = i;
      }
      auto insert = [&](size_t at, const std::string& indent) {
        std::vector<IniLine> lines = m_lines;
        if (at > 0 && lines[at - 1].ending.empty()) lines[at - 1].ending = eol;
        IniLine line;
        line.text = indent + pair;
        line.ending = eol;
        lines.insert(lines.begin() + static_cast<long>(at), std::move(line));
        candidates.push_back(std::move(lines));
      };
      insert(end, last_key ? indentation(*last_key) : std::string());
      insert(end, indentation(next_significant(end)));
      insert(header + 1, indentation(next_significant(header + 1)));
      insert(header + 1, "");
    }
  } else {
    std::vector<IniLine> lines = m_lines;
    if (!lines.empty()) {
      if (lines.back().ending.empty()) lines.back().ending = eol;
      if (!strip(lines.back().text).empty())
        lines.push_back(IniLine{IniLine::Kind::blank, "", eol, "", "", 0});
    }
    lines.push_back(IniLine{IniLine::Kind::section, "[" + section_name + "]", eol, "", "", 0});
    lines.push_back(IniLine{IniLine::Kind::key, pair, eol, "", "", 0});
    candidates.push_back(std::move(lines));
  }
  return adopt(candidates, edit, what);
}

Result<bool> IniDocument::remove_key(const std::string& section_name, const std::string& key) {
  const IniSection* section = find(section_name);
  if (!section) return false;
  auto it = section->key_lines.find(to_lower(key));
  if (it == section->key_lines.end()) return false;
  std::vector<IniLine> lines = m_lines;
  lines.erase(lines.begin() + static_cast<long>(it->second),
              lines.begin() + static_cast<long>(key_end(it->second)));
  auto adopted = adopt({std::move(lines)}, IniEdit{IniEdit::Kind::remove_key, section_name, key, ""},
                       "removing [" + section_name + "] " + key);
  if (!adopted) return std::move(adopted).error();
  return true;
}

Result<bool> IniDocument::remove_section(const std::string& section_name) {
  const IniSection* section = find(section_name);
  if (!section) return false;
  size_t first = section->header_line;
  size_t last = section_content_end(first);
  // Trailing comments and blank lines stay: they usually introduce the next section.
  bool blank_before = first > 0 && m_lines[first - 1].kind == IniLine::Kind::blank;
  bool blank_after = last < m_lines.size() && m_lines[last].kind == IniLine::Kind::blank;
  if (blank_before && (blank_after || last == m_lines.size())) --first;  // no double blank line left behind
  std::vector<IniLine> lines = m_lines;
  lines.erase(lines.begin() + static_cast<long>(first), lines.begin() + static_cast<long>(last));
  auto adopted = adopt({std::move(lines)}, IniEdit{IniEdit::Kind::remove_section, section_name, "", ""},
                       "removing [" + section_name + "]");
  if (!adopted) return std::move(adopted).error();
  return true;
}

const IniSection* IniDocument::find(std::string_view name) const {
  for (const IniSection& section : m_sections) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

}  // namespace kura
