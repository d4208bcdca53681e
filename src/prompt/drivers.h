// MFA code drivers: the terminal, GUI dialogs (zenity, kdialog, osascript), a YubiKey (ykman), or the
// profile's own `mfa_process`. Chosen by --prompt / KURA_PROMPT, else the terminal when there is one, else
// the first GUI driver found on PATH.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prompt/prompt.h"
#include "util/env.h"
#include "util/result.h"

namespace kura {

struct MfaDriverConfig {
  std::string driver;  // "" (automatic), terminal, zenity, kdialog, osascript, ykman, mfa_process
  std::optional<std::string> mfa_process;    // the profile's mfa_process command line
  std::optional<std::string> ykman_account;  // KURA_YKMAN_OATH_CREDENTIAL_NAME; else the MFA serial
};

// A code for an MFA device, as typed or produced; its shape is checked by the caller (creds/providers.h).
using MfaCodeSource = std::function<Result<std::string>(const std::string& serial)>;

struct MfaDriver {
  MfaCodeSource source;
  // "terminal", "zenity", ..., "mfa_process"; for an automatic choice, filled in when a code is first asked
  // for.
  std::shared_ptr<const std::string> name;
};

// The driver the config chooses. Nothing is probed here unless the choice is automatic, and even then only
// when a code is first asked for: a cache hit never opens /dev/tty or searches PATH.
Result<MfaDriver> make_mfa_code_source(const MfaDriverConfig& config, const Environment& env,
                                       Prompt& terminal);

// The name of the driver automatic choice picks here (for messages and tests).
std::string automatic_driver(const Environment& env, const std::optional<std::string>& mfa_process);

}  // namespace kura
