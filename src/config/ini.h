// IniDocument: the AWS CLI's INI dialect, parsed without losing a byte so that edits can be lossless.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kura {

struct IniLine {
  enum class Kind { blank, comment, section, key, sub_key, continuation };
  Kind kind = Kind::blank;
  std::string text;    // the line as written, without its line ending
  std::string ending;  // "\n", "\r\n", or "" for a last line with no newline
  std::string name;    // section: the header's name; key/sub_key: the key, lowercased
  std::string value;   // key/sub_key: the trimmed value
};

struct IniSection {
  std::string name;        // as in the header, trimmed: "profile dev", "default", "services s"
  size_t header_line = 0;  // index into lines(); the 1-based line number is header_line + 1
  std::map<std::string, std::string> values;
  // `sts =` followed by indented `endpoint_url = ...` lines.
  std::map<std::string, std::map<std::string, std::string>> nested;
  std::map<std::string, size_t> key_lines;
};

class IniDocument {
 public:
  // `source` names the file in error messages ("~/.aws/config:12: ...").
  static Result<IniDocument> parse(std::string_view text, std::string source);

  std::string serialize() const;
  const std::string& source() const { return m_source; }
  const std::vector<IniLine>& lines() const { return m_lines; }
  const std::vector<IniSection>& sections() const { return m_sections; }
  const IniSection* find(std::string_view name) const;

  // Lossless edits: only the lines of the keys and sections named change; everything else keeps its bytes.
  // Values must be single-line. New lines use the document's line ending.
  // Sets `key` in `section`, creating the section at the end of the document if needed.
  void set(const std::string& section, const std::string& key, const std::string& value);
  // Removes a key (with its continuation or nested lines); true if it was there.
  bool remove_key(const std::string& section, const std::string& key);
  // Removes a section header and its keys (and comments among them); true if it was there.
  bool remove_section(const std::string& section);

 private:
  void reindex();
  std::string line_ending() const;
  // Index one past the last key-ish line of the section that starts at `header`.
  size_t section_content_end(size_t header) const;

  std::string m_source;
  std::vector<IniLine> m_lines;
  std::vector<IniSection> m_sections;
};

}  // namespace kura
