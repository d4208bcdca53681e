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

#include <cerrno>
#include <cstdio>
#include <cstring>

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

// A file kura may replace: the user's own and meant to be written. Root passes access(W_OK) on anything, so
// the owner-write bit is what says "read-only" here; and a file of another user's, rewritten by rename, would
// become root's, so that is refused too.
Result<void> check_writable(const std::string& path, const std::string& target, const struct stat& st) {
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  if (st.st_uid != ::geteuid()) {
    return make_error(
        path + " belongs to another user (uid " + std::to_string(st.st_uid) + "); nothing was written",
        "run kura as that user");
  }
  if ((st.st_mode & S_IWUSR) == 0) {
    return make_error(path + " is read-only (mode " + octal + "); nothing was written",
                      "chmod u+w " + target + " if kura may change it");
  }
  if (::geteuid() != 0 && ::access(target.c_str(), W_OK) != 0) {
    return make_error(path + " is not writable (" + std::strerror(errno) + "); nothing was written",
                      "chmod u+w " + target + " if kura may change it");
  }
  return {};
}

// Reads the result back and compares it with the file before the edits plus the edits asked for: whatever the
// document's own placement logic did, nothing else may change meaning for the AWS tools reading the file.
Result<void> check_only_edits_changed(const std::string& path, const IniContent& before,
                                      const IniDocument& doc) {
  auto written = IniDocument::parse(doc.serialize(), path);
  if (!written) {
    return make_error(path + ": the edit would leave a file that does not parse; nothing was written",
                      "please report this as a bug in kura");
  }
  if (auto difference = first_difference(apply_edits(before, doc.edits()), written->content())) {
    return make_error(path + ": the edit would also change " + *difference + "; nothing was written",
                      "please report this as a bug in kura");
  }
  return {};
}

}  // namespace

Result<void> check_aws_file_writable(const std::string& path) {
  const std::string target = real_target(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return {};
  return check_writable(path, target, st);
}

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
  const IniContent before = doc->content();
  auto changed = edit(*doc);
  if (!changed) return changed.error();
  if (!*changed) return {};
  if (auto checked = check_only_edits_changed(path, before, *doc); !checked) return checked;

  unsigned mode = 0600;
  struct stat st {};
  if (text->has_value() && ::stat(target.c_str(), &st) == 0) {
    if (auto writable = check_writable(path, target, st); !writable) return writable;
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
