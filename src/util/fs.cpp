// Files.
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "util/secret.h"

namespace kura {

static Error errno_error(const std::string& what, const std::string& path, int err) {
  return make_error(what + " " + path + ": " + strerror(err));
}

Result<std::optional<std::string>> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
    return errno_error("cannot open", path, errno);
  }
  struct stat st {};
  const bool sized = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  std::string data;
  const int err = read_to_end(fd, sized ? static_cast<uint64_t>(st.st_size) : 0, false, data);
  ::close(fd);
  if (err != 0) return errno_error("cannot read", path, err);
  return std::optional<std::string>(std::move(data));
}

int read_to_end(int fd, uint64_t stated, bool from_start, std::string& out) {
  // Straight into the string, one byte more than the size stated, so that a file of that size ends in one
  // read; a file that grows, or one with no size, doubles it. A file on disk reads short only at its end:
  // once its stated size is in, a short read is the last, with no second one to see the end. (/proc's files
  // state no size and come a page or so per read: they are read until a read gives nothing.)
  out.assign(stated > 0 ? static_cast<size_t>(stated) + 1 : 4096, '\0');
  size_t used = 0;
  while (true) {
    if (used == out.size()) out.resize(used * 2);
    const size_t wanted = out.size() - used;
    const ssize_t n = from_start ? ::pread(fd, out.data() + used, wanted, static_cast<off_t>(used))
                                 : ::read(fd, out.data() + used, wanted);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      wipe_string(out);  // what was read of it: a credentials file's keys, perhaps
      return err;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (stated > 0 && used >= stated && static_cast<size_t>(n) < wanted) break;
  }
  out.resize(used);
  return 0;
}

std::string parent_directory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<void> make_directories(const std::string& path, unsigned mode) {
  if (path.empty() || path == "/" || path == ".") return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return make_error(path + " exists and is not a directory");
    return {};
  }
  auto parent = make_directories(parent_directory(path), 0755);
  if (!parent) return parent;
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
    return errno_error("cannot create directory", path, errno);
  ::chmod(path.c_str(), mode);
  return {};
}

static Result<void> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<void> write_file_atomic(const std::string& path, std::string_view data, unsigned mode) {
  std::string directory = parent_directory(path);
  std::random_device random;
  std::string temp = path + ".kura-tmp-" + std::to_string(random()) + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("cannot create", temp, errno);
  ::fchmod(fd, mode);  // the umask must not widen or narrow what we asked for
  auto written = write_all(fd, data, temp);
  if (written && ::fsync(fd) != 0) written = errno_error("cannot fsync", temp, errno);
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return errno_error("cannot rename into", path, err);
  }
  int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

Result<bool> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return errno_error("cannot remove", path, errno);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (m_fd >= 0) ::close(m_fd);
}

Result<FileLock> lock_file(const std::string& path, std::chrono::milliseconds timeout) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("cannot open lock", path, errno);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      ::close(fd);
      return errno_error("cannot lock", path, err);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return make_error("timed out after " + std::to_string(timeout.count() / 1000) +
                            " s waiting for another kura "
                            "process refreshing the same session (" +
                            path + ")",
                        "if it is waiting for an MFA code, answer it there; or try again");
    }
    ::usleep(20 * 1000);
  }
  return FileLock(fd);
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool directory_has_entries(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return false;
  bool found = false;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") {
      found = true;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

}  // namespace kura
