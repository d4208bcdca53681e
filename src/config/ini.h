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
  std::string ending;  // "\n", "\r\n", "\r", or "" for a last line with no line ending
  std::string name;    // section: the header's name; key: the key, lowercased; sub_key: the name as written
  std::string value;   // key/sub_key: the value on this line, stripped; continuation: the stripped line
  size_t indent = 0;   // leading whitespace in characters (configparser compares these, not bytes)
};

struct IniSection {
  std::string name;        // between the brackets, as configparser reads it: "profile dev", "default"
  size_t header_line = 0;  // index into lines(); the 1-based line number is header_line + 1
  std::map<std::string, std::string> values;  // a nested block's key maps to ""
  // `sts =` followed by more indented `endpoint_url = ...` lines; sub-key names keep their case, as
  // botocore's.
  std::map<std::string, std::map<std::string, std::string>> nested;
  std::map<std::string, size_t> key_lines;
};

// What botocore reads from a file (configparser, then its nested blocks): section -> key -> value. Comments,
// layout and order are not part of it; two documents that read the same are the same to every AWS tool.
struct IniValue {
  std::string text;                           // "" for a nested block
  std::map<std::string, std::string> nested;  // a nested block's sub-keys; empty for a plain value
  bool operator==(const IniValue&) const = default;
};
using IniContent = std::map<std::string, std::map<std::string, IniValue>>;

// One edit as asked for, so that what a file reads as after edits can be checked against what was asked.
struct IniEdit {
  enum class Kind { set, remove_key, remove_section };
  Kind kind = Kind::set;
  std::string section;
  std::string key;  // as given; keys compare lowercased
  std::string value;
};

// How IniDocument::parse reads one line on its own, for an index that must agree with it without parsing the
// whole file (config/config_index.h).
// The bytes of leading whitespace (Python's str.isspace(), as parse() measures indentation).
size_t ini_indent_bytes(std::string_view line);
// The section a header line names ("[profile dev]" -> "profile dev"), or nothing when the line's first
// character other than whitespace is not '[' or when parse() would refuse the header.
std::optional<std::string_view> ini_header_name(std::string_view line);

// `content` as it should read after `edits`.
IniContent apply_edits(IniContent content, const std::vector<IniEdit>& edits);
// The first place where two contents differ, as "[section] key" or "[section]"; nothing if they are equal.
std::optional<std::string> first_difference(const IniContent& expected, const IniContent& actual);

class IniDocument {
 public:
  // Reads as configparser.RawConfigParser and botocore do (lines end at "\r\n", "\n" or "\r"; a line indented
  // more than its key continues the key's value, across blank and comment lines; a value that starts on the
  // next line is a nested block). Where kura cannot be sure what a line means, or what AWS tools would make
  // of it, it is an error naming `source` and the line ("~/.aws/config:12: ..."), never a silent guess.
  static Result<IniDocument> parse(std::string_view text, std::string source);
  // The same for a part of a file that starts at its line `first_line` (0-based), so that errors name lines
  // of the whole file. Indexes into lines() (IniSection::header_line, key_lines) stay relative to `text`.
  static Result<IniDocument> parse(std::string_view text, std::string source, size_t first_line);

  std::string serialize() const;
  const std::string& source() const { return m_source; }
  const std::vector<IniLine>& lines() const { return m_lines; }
  const std::vector<IniSection>& sections() const { return m_sections; }
  const IniSection* find(std::string_view name) const;
  IniContent content() const;
  // Every edit made since parse(), in order.
  const std::vector<IniEdit>& edits() const { return m_edits; }

  // Lossless edits: only the lines of the keys and sections named change; everything else keeps its bytes.
  // Each edit is checked by reading the result again: if it would read as anything but the document with that
  // one change, the edit is refused with an error and the document stays as it was. Values must be one line
  // without leading or trailing whitespace. New lines use the document's line ending.
  // Sets `key` in `section` (replacing the key with all its value lines), creating the section at the end of
  // the document if needed.
  Result<void> set(const std::string& section, const std::string& key, const std::string& value);
  // Removes a key with all its value lines (continuation and nested lines, and the comments and blank lines
  // among them); true if it was there.
  Result<bool> remove_key(const std::string& section, const std::string& key);
  // Removes a section header and its keys (and comments among them); true if it was there.
  Result<bool> remove_section(const std::string& section);

 private:
  std::string line_ending() const;
  // One past the last line of the key at `key_line`, or of the last key in the section at `header`.
  size_t key_end(size_t key_line) const;
  size_t section_content_end(size_t header) const;
  // The first line from `from` on that is not blank or a comment, or lines().size().
  size_t next_significant(size_t from) const;
  // Takes the first candidate layout that reads as this document with `edit` applied.
  Result<void> adopt(const std::vector<std::vector<IniLine>>& candidates, const IniEdit& edit,
                     const std::string& what);

  std::string m_source;
  std::vector<IniLine> m_lines;
  std::vector<IniSection> m_sections;
  std::vector<IniEdit> m_edits;
};

}  // namespace kura
