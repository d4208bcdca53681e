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

const IniSection* IniDocument::find(std::string_view name) const {
  for (const IniSection& section : m_sections) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

}  // namespace kura
