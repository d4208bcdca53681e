// MFA code drivers: the terminal, GUI dialogs (zenity, kdialog, osascript), a YubiKey (ykman), or the
// profile's own `mfa_process`. Chosen by --prompt / KURA_PROMPT, else the terminal when there is one, else
// the first GUI driver found on PATH.
#pragma once

#include <functional>
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

// Returns a function that obtains a code for a serial (validated: six digits).
using MfaCodeSource = std::function<Result<std::string>(const std::string& serial)>;
Result<MfaCodeSource> make_mfa_code_source(const MfaDriverConfig& config, const Environment& env,
                                           Prompt& terminal);

// The name of the driver automatic choice picks here (for messages and tests).
std::string automatic_driver(const Environment& env, const std::optional<std::string>& mfa_process);

}  // namespace kura
