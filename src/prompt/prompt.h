// Prompt: the seam through which kura asks a person for something (MFA codes, keys, passphrases).
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

struct Prompt {
  virtual ~Prompt() = default;
  // A visible answer (an access key id, an MFA code).
  virtual Result<std::string> ask_line(std::string_view question) = 0;
  // A hidden answer (a secret key, a passphrase): not echoed.
  virtual Result<Secret> ask_secret(std::string_view question) = 0;
};

// Reads from and writes to /dev/tty only, so stdout stays clean for `$(kura export)` and credential_process.
class TtyPrompt final : public Prompt {
 public:
  Result<std::string> ask_line(std::string_view question) override;
  Result<Secret> ask_secret(std::string_view question) override;
};

// Six ASCII digits: the shape of a TOTP code (checked once, in creds/providers.cpp, before STS is asked).
bool is_mfa_code(std::string_view code);

}  // namespace kura
