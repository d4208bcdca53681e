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

 private:
  std::string m_source;
  std::vector<IniLine> m_lines;
  std::vector<IniSection> m_sections;
};

}  // namespace kura
