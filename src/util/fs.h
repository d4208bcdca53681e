// Files: read with "absent" apart from "failed", private directories, atomic 0600 writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kura {

// Empty optional when the file does not exist; an error when it exists but cannot be read.
Result<std::optional<std::string>> read_file(const std::string& path);

// Everything an open file holds, into `out`: with read(2) from the descriptor's place (a pipe too), or with
// `from_start` by pread(2) from offset 0 (a descriptor that is read elsewhere as well). `stated` is the size
// fstat gave, 0 for none (a pipe, /proc). 0, or the errno of the read that failed, with `out` wiped.
int read_to_end(int fd, uint64_t stated, bool from_start, std::string& out);

// Creates the directory and its missing parents; the last component gets `mode`.
Result<void> make_directories(const std::string& path, unsigned mode);

// Writes to a temporary file in the same directory, fsyncs, renames over `path`, fsyncs the directory.
Result<void> write_file_atomic(const std::string& path, std::string_view data, unsigned mode);

// Removes a file; true if it existed.
Result<bool> remove_file(const std::string& path);

bool file_exists(const std::string& path);
// True when `path` is a directory holding anything but . and ..
bool directory_has_entries(const std::string& path);

// An exclusive advisory lock on a file (flock), released when the object dies or the process does.
class FileLock {
 public:
  FileLock() = default;
  explicit FileLock(int fd) : m_fd(fd) {}
  FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  int m_fd = -1;
};

// Waits at most `timeout` for the lock, polling (flock has no timed wait). The file is created 0600.
Result<FileLock> lock_file(const std::string& path, std::chrono::milliseconds timeout);
std::string parent_directory(const std::string& path);

}  // namespace kura
