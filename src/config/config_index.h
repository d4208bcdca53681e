// IniIndex: one AWS INI file scanned once for its section headers; a section is read and parsed when asked
// for.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/index_cache.h"
#include "config/ini.h"
#include "util/result.h"

namespace kura {

// A line whose first character is '[' starts a section whatever came before it (configparser never lets a
// column-0 line continue a value), so the file falls into chunks at those lines, and each chunk reads alone
// exactly as it reads inside the file (IniDocument::parse, errors naming lines of the whole file).
//
// The scan streams the file through a small buffer and looks only at '[' bytes: for each column-0 header it
// keeps the offset and a hash of the name (names are not copied: a lookup reads the header back to confirm
// it). A chunk that also holds a line starting with '[' after whitespace (a header or a line of a value,
// depending on indentation) is parsed during the scan, as is whatever comes before the first header, so that
// their sections are known too. Any other chunk is read again (pread) and parsed when one of its sections is
// asked for, then kept. A column-0 header that parse() refuses, a duplicate section anywhere, or a chunk
// parsed during the scan that does not parse makes the whole file parse as before, so that the error is the
// file's first one, named exactly as before.
//
// For a big file the scan itself is the cost of a lookup (a pass over every byte), so load() can keep the
// index between runs (Persist): the next run reads the index and the sections it asks for, checked as the
// scan's own findings are (a header read back before it is used, a chunk's bounds at the start of lines).
class IniIndex {
 public:
  enum class Parse { lazily, fully };
  // Where a section is in its file; orders sections as the file does.
  struct Position {
    uint32_t chunk = 0;
    uint32_t index = 0;  // among the sections of its chunk
    bool operator==(const Position&) const = default;
    bool operator<(const Position& other) const {
      return chunk != other.chunk ? chunk < other.chunk : index < other.index;
    }
  };
  // Asked about every section name during the scan; kept() gives back, in file order, those it wants.
  using Keep = bool (*)(std::string_view name);

  // A big file's index kept between runs (config/index_cache.h), so that a run reads the index and the few
  // sections it asks for instead of scanning the whole file. The kept index is used only while fstat of the
  // open file gives what it did when the index was built, and only for the same key (kura's version, the
  // path, `keep_name`); anything wrong with it (absent, stale, damaged, not private) and the file is scanned
  // as without it, and the index kept anew (--debug says why). It is kept only when the file did not change
  // during the scan and its last change is `settle` old: a change within one tick of the file system's
  // timestamps leaves the stamp as it was.
  struct Persist {
    std::string directory;       // index_cache_directory()
    std::string_view keep_name;  // names `keep`: a kept index holds its answers
    // A smaller file is scanned and nothing is kept: below ~20 KB the scan costs no more than reading an
    // index (docs/PERFORMANCE.md), and up to this size it costs a few hundredths of a millisecond more.
    uint64_t min_size = uint64_t{32} * 1024;
    std::chrono::nanoseconds settle = std::chrono::seconds(2);
  };

  IniIndex();  // an empty file

  // Reads `path`; a file that does not exist reads as an empty one. A regular file stays open (close on exec)
  // so that sections are read from it when asked for; anything else (a pipe) is read into memory. With
  // `persist`, a regular file's index is kept between runs (Parse::lazily only).
  static Result<IniIndex> load(const std::string& path, Parse parse = Parse::lazily, Keep keep = nullptr,
                               const Persist* persist = nullptr);
  static Result<IniIndex> from_text(std::string_view text, std::string source, Parse parse = Parse::lazily,
                                    Keep keep = nullptr);
  // What load() keeps for this index of a file stamped `file`: nothing when the file was parsed whole (an
  // error of the file, or Parse::fully).
  std::optional<std::string> stored_form(std::string_view key, const FileStamp& file) const;
  // The index of `text` taken from `stored` as load() takes it for a file that fstat says is `file`; nothing
  // when it does not fit (tests, fuzz_index_cache).
  static std::optional<IniIndex> from_stored(std::string_view text, std::string source,
                                             std::string_view stored, std::string_view key,
                                             const FileStamp& file, Keep keep = nullptr);
  // True when the index came from a kept one rather than a scan.
  bool from_stored_index() const;

  const std::string& source() const;
  size_t size() const;  // sections
  Result<std::optional<Position>> find(std::string_view name) const;
  // The section of that name, its chunk parsed on first use; nullptr when there is none.
  Result<const IniSection*> section(std::string_view name) const;
  // The same for a section find() has found.
  Result<const IniSection*> section_at(Position position, std::string_view name) const;
  const std::vector<std::pair<Position, std::string>>& kept() const;
  // Every section's name in file order, for listings: the headers are read again.
  Result<std::vector<std::string>> names() const;
  // The whole file parsed, on first use, for callers that walk every section.
  Result<const IniDocument*> document() const;

  // Chunks parsed so far (tests: that a lookup parses only what it needs).
  size_t parsed_chunks() const;
  // True if a chunk read differently than the scan saw it (a bug, or the file changed since) and the whole
  // file answered instead: the equivalence tests and fuzz_config_index look for it.
  bool disagreed() const;

  struct State;  // defined in config_index.cpp; copies of an index share it

 private:
  explicit IniIndex(std::shared_ptr<State> state);
  static Result<IniIndex> build(std::shared_ptr<State> state, Parse parse, Keep keep);
  static Result<IniIndex> build_persisted(std::shared_ptr<State> state, Keep keep, const Persist& persist);

  std::shared_ptr<State> m_state;
};

}  // namespace kura
