// INI parsing in the AWS CLI's dialect (botocore's RawConfigParser rules, strict about duplicates).
#include "config/ini.h"

#include "util/strings.h"

namespace kura {

namespace {

bool starts_indented(std::string_view line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}

Error line_error(const std::string& source, size_t index, std::string_view text, const std::string& what,
                 std::string hint = {}) {
  return make_error(
      source + ":" + std::to_string(index + 1) + ": " + what + ": '" + std::string(trim(text)) + "'",
      std::move(hint));
}

// "key = value" or "key: value", split at the first delimiter as configparser does.
bool split_key_value(std::string_view text, std::string& key, std::string& value) {
  size_t pos = text.find_first_of("=:");
  if (pos == std::string_view::npos) return false;
  key = to_lower(trim(text.substr(0, pos)));
  value = std::string(trim(text.substr(pos + 1)));
  return !key.empty();
}

}  // namespace

Result<IniDocument> IniDocument::parse(std::string_view text, std::string source) {
  IniDocument doc;
  doc.m_source = std::move(source);

  // Split keeping each line's ending so serialize() gives back the same bytes.
  size_t start = 0;
  while (start < text.size()) {
    size_t newline = text.find('\n', start);
    IniLine line;
    if (newline == std::string_view::npos) {
      line.text = std::string(text.substr(start));
      start = text.size();
    } else {
      line.text = std::string(text.substr(start, newline - start));
      line.ending = "\n";
      start = newline + 1;
    }
    if (!line.text.empty() && line.text.back() == '\r') {
      line.text.pop_back();
      line.ending = "\r" + line.ending;
    }
    doc.m_lines.push_back(std::move(line));
  }

  IniSection* section = nullptr;
  std::string current_key;  // the last key line in this section, for nested and continuation lines
  std::map<std::string, size_t> section_lines;
  for (size_t i = 0; i < doc.m_lines.size(); ++i) {
    IniLine& line = doc.m_lines[i];
    std::string_view stripped = trim(line.text);
    if (stripped.empty()) {
      line.kind = IniLine::Kind::blank;
      current_key.clear();
      continue;
    }
    if (stripped[0] == '#' || stripped[0] == ';') {
      line.kind = IniLine::Kind::comment;
      continue;
    }
    if (starts_indented(line.text) && section && !current_key.empty()) {
      std::string& parent_value = section->values[current_key];
      std::string key, value;
      if (parent_value.empty() && split_key_value(stripped, key, value)) {
        line.kind = IniLine::Kind::sub_key;
        line.name = key;
        line.value = value;
        auto& nested = section->nested[current_key];
        if (nested.count(key)) {
          return line_error(doc.m_source, i, line.text,
                            "duplicate key '" + key + "' under '" + current_key + "'");
        }
        nested[key] = value;
        continue;
      }
      if (section->nested.count(current_key)) {
        return line_error(doc.m_source, i, line.text, "expected 'key = value' in nested block");
      }
      line.kind = IniLine::Kind::continuation;
      line.value = std::string(stripped);
      parent_value += (parent_value.empty() ? "" : "\n") + line.value;
      continue;
    }
    if (stripped[0] == '[') {
      size_t close = stripped.find(']');
      std::string name =
          close == std::string_view::npos ? "" : std::string(trim(stripped.substr(1, close - 1)));
      if (name.empty())
        return line_error(doc.m_source, i, line.text, "malformed section header", "write [name]");
      line.kind = IniLine::Kind::section;
      line.name = name;
      if (auto seen = section_lines.find(name); seen != section_lines.end()) {
        return line_error(
            doc.m_source, i, line.text,
            "duplicate section [" + name + "] (first at line " + std::to_string(seen->second + 1) + ")",
            "merge the two sections into one");
      }
      section_lines[name] = i;
      doc.m_sections.push_back(IniSection{name, i, {}, {}, {}});
      section = &doc.m_sections.back();
      current_key.clear();
      continue;
    }
    std::string key, value;
    if (!split_key_value(stripped, key, value)) {
      return line_error(doc.m_source, i, line.text, "malformed line",
                        "expected 'key = value', [section] or a comment");
    }
    if (!section)
      return line_error(doc.m_source, i, line.text, "key outside of any section", "add a [section] above it");
    if (section->values.count(key)) {
      return line_error(doc.m_source, i, line.text,
                        "duplicate key '" + key + "' in [" + section->name + "] (first at line " +
                            std::to_string(section->key_lines[key] + 1) + ")");
    }
    line.kind = IniLine::Kind::key;
    line.name = key;
    line.value = value;
    section->values[key] = value;
    section->key_lines[key] = i;
    current_key = key;
  }
  return doc;
}

std::string IniDocument::serialize() const {
  std::string out;
  for (const IniLine& line : m_lines) {
    out += line.text;
    out += line.ending;
  }
  return out;
}

void IniDocument::reindex() {
  auto reparsed = parse(serialize(), m_source);
  // Edits only write well-formed lines, so the document stays parseable; keep it as is if not.
  if (reparsed) *this = std::move(*reparsed);
}

std::string IniDocument::line_ending() const {
  for (const IniLine& line : m_lines) {
    if (!line.ending.empty()) return line.ending;
  }
  return "\n";
}

size_t IniDocument::section_content_end(size_t header) const {
  size_t end = header + 1;
  for (size_t i = header + 1; i < m_lines.size(); ++i) {
    IniLine::Kind kind = m_lines[i].kind;
    if (kind == IniLine::Kind::section) break;
    if (kind == IniLine::Kind::key || kind == IniLine::Kind::sub_key || kind == IniLine::Kind::continuation)
      end = i + 1;
  }
  return end;
}

void IniDocument::set(const std::string& section_name, const std::string& key, const std::string& value) {
  const std::string eol = line_ending();
  const IniSection* section = find(section_name);
  if (section) {
    auto it = section->key_lines.find(key);
    if (it != section->key_lines.end()) {
      IniLine& line = m_lines[it->second];
      // Keep the key as written and the spacing around the delimiter; replace only the value.
      size_t delimiter = line.text.find_first_of("=:");
      size_t value_start = delimiter + 1;
      while (value_start < line.text.size() &&
             (line.text[value_start] == ' ' || line.text[value_start] == '\t')) {
        ++value_start;
      }
      if (value_start == line.text.size() && delimiter + 1 == value_start) {
        line.text += " ";  // "key =" had no space after the delimiter
        ++value_start;
      }
      line.text = line.text.substr(0, value_start) + value;
      // Drop continuation or nested lines that belonged to the old value.
      size_t next = it->second + 1;
      while (next < m_lines.size() && (m_lines[next].kind == IniLine::Kind::continuation ||
                                       m_lines[next].kind == IniLine::Kind::sub_key)) {
        m_lines.erase(m_lines.begin() + static_cast<long>(next));
      }
      reindex();
      return;
    }
    size_t at = section_content_end(section->header_line);
    if (at > 0 && m_lines[at - 1].ending.empty()) m_lines[at - 1].ending = eol;
    IniLine line;
    line.text = key + " = " + value;
    line.ending = eol;
    m_lines.insert(m_lines.begin() + static_cast<long>(at), line);
    reindex();
    return;
  }
  if (!m_lines.empty()) {
    if (m_lines.back().ending.empty()) m_lines.back().ending = eol;
    if (!trim(m_lines.back().text).empty()) m_lines.push_back(IniLine{IniLine::Kind::blank, "", eol, "", ""});
  }
  m_lines.push_back(IniLine{IniLine::Kind::section, "[" + section_name + "]", eol, "", ""});
  m_lines.push_back(IniLine{IniLine::Kind::key, key + " = " + value, eol, "", ""});
  reindex();
}

bool IniDocument::remove_key(const std::string& section_name, const std::string& key) {
  const IniSection* section = find(section_name);
  if (!section) return false;
  auto it = section->key_lines.find(key);
  if (it == section->key_lines.end()) return false;
  size_t first = it->second;
  size_t last = first + 1;
  while (last < m_lines.size() && (m_lines[last].kind == IniLine::Kind::continuation ||
                                   m_lines[last].kind == IniLine::Kind::sub_key)) {
    ++last;
  }
  m_lines.erase(m_lines.begin() + static_cast<long>(first), m_lines.begin() + static_cast<long>(last));
  reindex();
  return true;
}

bool IniDocument::remove_section(const std::string& section_name) {
  const IniSection* section = find(section_name);
  if (!section) return false;
  size_t first = section->header_line;
  size_t last = section_content_end(first);
  // Trailing comments and blank lines stay: they usually introduce the next section.
  bool blank_before = first > 0 && m_lines[first - 1].kind == IniLine::Kind::blank;
  bool blank_after = last < m_lines.size() && m_lines[last].kind == IniLine::Kind::blank;
  if (blank_before && (blank_after || last == m_lines.size())) --first;  // no double blank line left behind
  m_lines.erase(m_lines.begin() + static_cast<long>(first), m_lines.begin() + static_cast<long>(last));
  reindex();
  return true;
}

const IniSection* IniDocument::find(std::string_view name) const {
  for (const IniSection& section : m_sections) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

}  // namespace kura
