// MFA code drivers. Helpers run without a shell (argv as given), except `mfa_process`, which is a command
// line the user wrote in their config and is run by /bin/sh as aws-vault and the AWS CLI's credential_process
// do.
#include "prompt/drivers.h"

#include <fcntl.h>
#include <unistd.h>
#include <memory>

#include "process/spawn.h"
#include "util/strings.h"

namespace kura {

namespace {

bool has_terminal() {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

Result<std::string> run_driver(const std::string& name, const std::vector<std::string>& argv,
                               const Environment& env) {
  std::map<std::string, std::string> child_env;
  if (auto path = env.get("PATH")) child_env["PATH"] = *path;
  auto ran = spawn(argv, {}, child_env);
  if (!ran) return ran.error().context("prompt " + name);
  if (ran->exit_code != 0) {
    std::string detail = printable(ran->err, 300);
    return make_error("prompt " + name + ": no code (exit " + std::to_string(ran->exit_code) + ")" +
                      (detail.empty() ? "" : ": " + detail));
  }
  // The last non-empty line: dialogs and scripts may print more.
  std::string code;
  for (const std::string& line : split(ran->out, '\n')) {
    if (!trim(line).empty()) code = std::string(trim(line));
  }
  return code;
}

}  // namespace

std::string automatic_driver(const Environment& env, const std::optional<std::string>& mfa_process) {
  if (mfa_process) return "mfa_process";
  if (has_terminal()) return "terminal";
  for (const char* gui : {"zenity", "kdialog", "osascript"}) {
    if (env.has_program(gui) &&
        (std::string(gui) == "osascript" || env.get("DISPLAY") || env.get("WAYLAND_DISPLAY"))) {
      return gui;
    }
  }
  return "";
}

namespace {

// The source for a named driver ("" when none is usable here).
Result<MfaCodeSource> driver_source(const std::string& driver, const MfaDriverConfig& config,
                                    const Environment& env, Prompt& terminal) {
  const std::string title = "kura";
  if (driver.empty()) {
    return MfaCodeSource([](const std::string& serial) -> Result<std::string> {
      return make_error("an MFA code is needed for " + serial + " but there is no terminal and no GUI prompt",
                        "pass --mfa-token CODE, set mfa_process in the profile, or choose --prompt "
                        "zenity|kdialog|osascript|ykman");
    });
  }
  if (driver == "terminal") {
    return MfaCodeSource([&terminal](const std::string& serial) {
      return terminal.ask_line("Enter MFA code for " + serial + ": ");
    });
  }
  if (driver == "zenity") {
    return MfaCodeSource([&env, title](const std::string& serial) {
      return run_driver(
          "zenity", {"zenity", "--entry", "--title", title, "--text", "Enter MFA code for " + serial}, env);
    });
  }
  if (driver == "kdialog") {
    return MfaCodeSource([&env, title](const std::string& serial) {
      return run_driver("kdialog",
                        {"kdialog", "--title", title, "--inputbox", "Enter MFA code for " + serial}, env);
    });
  }
  if (driver == "osascript") {
    return MfaCodeSource([&env, title](const std::string& serial) {
      return run_driver("osascript",
                        {"osascript", "-e",
                         "display dialog \"Enter MFA code for " + serial +
                             "\" default answer \"\" with title \"" + title + "\"",
                         "-e", "text returned of result"},
                        env);
    });
  }
  if (driver == "ykman") {
    std::optional<std::string> account = config.ykman_account;
    return MfaCodeSource([&env, account](const std::string& serial) {
      return run_driver("ykman", {"ykman", "oath", "accounts", "code", "--single", account.value_or(serial)},
                        env);
    });
  }
  if (driver == "mfa_process") {
    if (!config.mfa_process) {
      return make_error("--prompt mfa_process: the profile has no mfa_process",
                        "add mfa_process = COMMAND to it");
    }
    std::string command = *config.mfa_process;
    return MfaCodeSource([&env, command](const std::string&) {
      return run_driver("mfa_process", {"/bin/sh", "-c", command}, env);
    });
  }
  return make_error("--prompt: unknown driver '" + driver + "'",
                    "terminal, zenity, kdialog, osascript, ykman or mfa_process");
}

}  // namespace

Result<MfaDriver> make_mfa_code_source(const MfaDriverConfig& config, const Environment& env,
                                       Prompt& terminal) {
  auto name = std::make_shared<std::string>(config.driver);
  if (!config.driver.empty()) {
    auto source = driver_source(config.driver, config, env, terminal);
    if (!source) return source.error();
    return MfaDriver{std::move(*source), name};
  }
  if (config.mfa_process) {
    *name = "mfa_process";
    auto source = driver_source(*name, config, env, terminal);
    if (!source) return source.error();
    return MfaDriver{std::move(*source), name};
  }
  // Automatic: which one is decided when a code is first needed, so a run that needs none (a cache hit)
  // neither opens /dev/tty nor searches PATH for dialogs.
  auto chosen = std::make_shared<std::optional<MfaCodeSource>>();
  MfaCodeSource lazy = [chosen, name, config, &env,
                        &terminal](const std::string& serial) -> Result<std::string> {
    if (!*chosen) {
      *name = automatic_driver(env, config.mfa_process);
      auto source = driver_source(*name, config, env, terminal);
      if (!source) return source.error();
      *chosen = std::move(*source);
    }
    return (**chosen)(serial);
  };
  return MfaDriver{std::move(lazy), name};
}

}  // namespace kura
