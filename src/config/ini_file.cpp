// The locked, atomic, lossless editor.
#include "config/ini_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "util/fs.h"
#include "util/log.h"

namespace kura {

namespace {

// flock on the directory: released by the kernel if the holder dies, and no lock file to litter ~/.aws.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& directory) {
    m_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_fd >= 0 && ::flock(m_fd, LOCK_EX) != 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }
  ~DirectoryLock() {
    if (m_fd >= 0) ::close(m_fd);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  bool locked() const { return m_fd >= 0; }

 private:
  int m_fd = -1;
};

std::string real_target(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved)) return resolved;
  return path;  // does not exist yet (or a dangling link's target is created at the link's path)
}

// Temporary files of writers that died between creating and renaming them: ours to clean while we hold the
// lock.
void remove_stale_temporaries(const std::string& target) {
  std::string directory = parent_directory(target);
  std::string prefix = target.substr(target.rfind('/') + 1) + ".kura-tmp-";
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) return;
  while (dirent* entry = ::readdir(dir)) {
    if (std::string(entry->d_name).rfind(prefix, 0) == 0) ::unlink((directory + "/" + entry->d_name).c_str());
  }
  ::closedir(dir);
}

}  // namespace

Result<void> edit_aws_file(const std::string& path, AwsFile kind,
                           const std::function<Result<bool>(IniDocument&)>& edit) {
  const std::string target = real_target(path);
  const std::string directory = parent_directory(target);
  if (auto made = make_directories(directory, 0700); !made) return made.error();
  DirectoryLock lock(directory);
  if (!lock.locked()) return make_error("cannot lock " + directory + " for editing " + target);

  auto text = read_file(target);
  if (!text) return text.error();
  auto doc = IniDocument::parse(text->value_or(""), path);
  if (!doc) {
    Error error = doc.error();
    error.hint = "fix that line first; kura did not change the file";
    return error;
  }
  auto changed = edit(*doc);
  if (!changed) return changed.error();
  if (!*changed) return {};

  unsigned mode = 0600;
  struct stat st {};
  if (text->has_value() && ::stat(target.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
    if (kind == AwsFile::credentials && (mode & 077) != 0) {
      char octal[8];
      std::snprintf(octal, sizeof octal, "%03o", mode & 0777);
      log_warning(target + " was readable by others (mode " + octal + "); making it 0600");
      mode = 0600;
    }
  }
  remove_stale_temporaries(target);
  return write_file_atomic(target, doc->serialize(), mode);
}

}  // namespace kura
