// The section index of a big config kept between runs (IniIndex, config/config_index.h): the file it stands
// for, its stored form (untrusted bytes, read with every count and offset checked), and where it is kept.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/env.h"
#include "util/result.h"

namespace kura {

// The config as fstat saw it when its index was built. The index is used only while the open file still has
// every one of these: kura's own editor renames a new file over the old one (a new inode), other editors
// write in place (size, mtime and ctime), and ctime cannot be set back by anyone.
struct FileStamp {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  int64_t ctime_sec = 0;
  int64_t ctime_nsec = 0;

  static FileStamp of(const struct stat& info);
  bool operator==(const FileStamp&) const = default;
};

// A table that a read fills: growing it leaves new entries as they are (no pass to zero what the read
// overwrites).
template <typename T>
struct UnzeroedAllocator : std::allocator<T> {
  using std::allocator<T>::allocator;
  template <typename U>
  struct rebind {
    using other = UnzeroedAllocator<U>;
  };
  template <typename U>
  void construct(U* at) noexcept {
    ::new (static_cast<void*>(at)) U;
  }
  template <typename U, typename... Args>
  void construct(U* at, Args&&... args) {
    ::new (static_cast<void*>(at)) U(std::forward<Args>(args)...);
  }
};
template <typename T>
using ReadTable = std::vector<T, UnzeroedAllocator<T>>;

// An index as stored. The chunks and hash slots are IniIndex's own; what they mean, and the checks that need
// the config's bytes, are config_index.cpp's.
struct StoredIndex {
  struct Chunk {     // trivial, so that a table of them is allocated without a loop to zero it
    uint32_t begin;  // offset of its column-0 header's '[' (0 for the text before the first header)
    uint32_t hash;   // of that header's name
  };
  FileStamp file;
  uint64_t seed = 0;  // of the name hash
  uint32_t check =
      0;  // the name hash of a fixed text under that seed: the hash function is the one that wrote
  ReadTable<Chunk> chunks;
  ReadTable<uint32_t> slots;
  std::vector<uint32_t> parse_now;  // chunks parsed when the index is loaded, in file order
  uint32_t extras = 0;              // the sections they hold besides their column-0 headers
  std::vector<std::pair<uint32_t, std::string>>
      kept;  // column-0 headers the caller's Keep wanted: chunk, name
};

// Names what an index depends on besides the file: kura's version, this format, the config's path and the
// caller's Keep (`keep_name`). An index stored under another key is not used.
std::string index_key(std::string_view config_path, std::string_view keep_name);

std::string encode_index(const StoredIndex& index, std::string_view key);
// The index in `bytes`, when it was stored under `key` for a file with `file`'s stamp, its lengths add up,
// its checksum fits its bytes, and its short lists are in order and in bounds (the entries of the big tables,
// chunks and slots, are checked where config_index.cpp uses them). The error says what did not fit (for
// --debug only: the caller scans the file instead).
Result<StoredIndex> decode_index(std::string_view bytes, std::string_view key, const FileStamp& file);
// The checksum a stored index holds is a mix of these, of its parts.
uint64_t index_checksum(std::string_view bytes);
// Gives stored bytes whose lengths add up the checksum they would have been written with: damage that the
// checksum does not catch (fuzz_index_cache, tests). False when the lengths do not add up.
bool seal_index(std::string& bytes);

// $XDG_CACHE_HOME/kura/index (an absolute XDG_CACHE_HOME only), else ~/.cache/kura/index.
std::string index_cache_directory(const Environment& env);
// The file in `directory` for the config at `config_path`.
std::string index_cache_file(const std::string& directory, std::string_view config_path);
// The index kept in the file at `path`, decoded as decode_index() does (its tables read straight into place);
// an empty optional when there is none. An error when it is not a regular file of this user's with mode 0600,
// cannot be read, or does not fit.
Result<std::optional<StoredIndex>> read_index_cache(const std::string& path, std::string_view key,
                                                    const FileStamp& file);
// Written to a temporary file and renamed, 0600, in a directory created 0700 (one that exists must be this
// user's and closed to others).
Result<void> write_index_cache(const std::string& path, std::string_view bytes);

}  // namespace kura
