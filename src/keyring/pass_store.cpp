// pass (the standard unix password manager): one entry per item under a prefix, written with `pass insert -m`
// and read with `pass show`; gpg does the encryption. Item names are percent-encoded into entry names, so any
// profile name is a safe path. GPG_TTY is set from the controlling terminal so gpg's pinentry can ask.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "keyring/backends.h"
#include "process/spawn.h"
#include "util/env.h"
#include "util/fs.h"
#include "util/full_build.h"
#include "util/strings.h"

namespace kura {

namespace {

// kura's settings always give the directory; without one (a library caller), pass's own rule applies.
std::string store_directory(const BackendOptions& options) {
  if (options.pass_dir) return *options.pass_dir;
  Environment env = Environment::from_process();
  return env.get("PASSWORD_STORE_DIR").value_or(env.home() + "/.password-store");
}

std::map<std::string, std::string> pass_environment(const std::string& directory) {
  std::map<std::string, std::string> env{{"PASSWORD_STORE_DIR", directory}};
  int tty = ::open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (tty >= 0) {
    if (const char* name = ttyname(tty)) env["GPG_TTY"] = name;
    ::close(tty);
  }
  return env;
}

class PassKeystore final : public Keystore {
 public:
  PassKeystore(std::string directory, std::string prefix, std::string command)
      : m_directory(std::move(directory)),
        m_prefix(std::move(prefix)),
        m_command(std::move(command)),
        m_env(pass_environment(m_directory)) {}
  std::string name() const override { return "pass"; }

  Result<std::optional<Secret>> get(const std::string& item) override {
    if (!file_exists(entry_file(item))) return std::optional<Secret>();
    auto shown = spawn({m_command, "show", entry(item)}, {}, m_env);
    if (!shown) return shown.error();
    if (shown->exit_code != 0) {
      wipe_string(shown->out);
      return failure("read '" + item + "'", *shown);
    }
    Secret value(std::move(shown->out));
    return std::optional<Secret>(std::move(value));
  }

  Result<void> set(const std::string& item, std::string_view value, Lifetime /*lifetime*/) override {
    auto inserted = spawn({m_command, "insert", "--multiline", "--force", entry(item)}, value, m_env);
    if (!inserted) return inserted.error();
    if (inserted->exit_code != 0) return failure("store '" + item + "'", *inserted);
    return {};
  }

  Result<bool> contains(const std::string& item) override { return file_exists(entry_file(item)); }

  Result<bool> remove(const std::string& item) override {
    if (!file_exists(entry_file(item))) return false;
    auto removed = spawn({m_command, "rm", "--force", entry(item)}, {}, m_env);
    if (!removed) return removed.error();
    if (removed->exit_code != 0) return failure("remove '" + item + "'", *removed);
    return true;
  }

  Result<std::vector<std::string>> list() override {
    std::vector<std::string> items;
    DIR* dir = ::opendir((m_directory + "/" + m_prefix).c_str());
    if (!dir) return items;
    while (dirent* e = ::readdir(dir)) {
      std::string file = e->d_name;
      if (file.size() > 4 && file.compare(file.size() - 4, 4, ".gpg") == 0) {
        items.push_back(uri_decode(file.substr(0, file.size() - 4)));
      }
    }
    ::closedir(dir);
    return items;
  }

 private:
  std::string entry(const std::string& item) const { return m_prefix + "/" + uri_encode(item); }
  std::string entry_file(const std::string& item) const { return m_directory + "/" + entry(item) + ".gpg"; }
  static Error failure(const std::string& what, const SpawnResult& result) {
    return make_error("pass: cannot " + what + ": " + printable(result.err, 300),
                      "check `pass` works here (gpg key, agent, GPG_TTY), or use --backend file");
  }

  std::string m_directory;
  std::string m_prefix;
  std::string m_command;
  std::map<std::string, std::string> m_env;
};

// The store's directory, if `pass init` made one there.
Result<std::string> initialised_store(const BackendOptions& options) {
  std::string directory = store_directory(options);
  if (!file_exists(directory + "/.gpg-id")) {
    return make_error("no password store at " + directory, "create one with `pass init GPG-ID`");
  }
  return directory;
}

}  // namespace

Result<void> probe_pass(const BackendOptions& options) {
  if (auto store = initialised_store(options); !store) return store.error();
  auto version = spawn({options.pass_command, "version"}, {}, {});
  if (!version || version->exit_code != 0) return make_error("the `pass` program is not installed");
  return {};
}

Result<std::unique_ptr<Keystore>> open_pass(const BackendOptions& options) {
  // Reading an item runs gpg, which may ask for a passphrase or a card's PIN: were the static build to read a
  // session and then hand a miss over, kura-full would ask again (util/full_build.h).
  need_full_build("the pass store");
  // Only the store's marker here: running `pass version` on every open would cost every run ~25 ms.
  auto directory = initialised_store(options);
  if (!directory) return directory.error();
  return std::unique_ptr<Keystore>(
      std::make_unique<PassKeystore>(*directory, options.pass_prefix, options.pass_command));
}

}  // namespace kura
