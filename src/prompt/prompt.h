// Prompt: the seam through which kura asks a person for something (MFA codes, keys, passphrases).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

struct Prompt {
  virtual ~Prompt() = default;
  // A visible answer (an access key id, an MFA code).
  virtual Result<std::string> ask_line(std::string_view question) = 0;
  // A hidden answer (a secret key, a passphrase): not echoed.
  virtual Result<Secret> ask_secret(std::string_view question) = 0;
  // Text for that person's eyes only (an MFA device's QR code and seed): on the terminal, never on stdout or
  // stderr, where it could be captured or logged. An error when there is no terminal.
  virtual Result<void> show(std::string_view text);
  // Whether a person is there to choose: stdin and stderr are terminals (not a pipe to a program, as for
  // credential_process) and /dev/tty opens.
  virtual bool interactive() const { return false; }
  // One of `items`, chosen by that person (prompt/picker.h); nullopt when they cancel.
  virtual Result<std::optional<std::string>> choose(std::string_view title,
                                                    const std::vector<std::string>& items,
                                                    std::string_view initial);
};

// Reads from and writes to /dev/tty only, so stdout stays clean for `$(kura export)` and credential_process.
class TtyPrompt final : public Prompt {
 public:
  Result<std::string> ask_line(std::string_view question) override;
  Result<Secret> ask_secret(std::string_view question) override;
  Result<void> show(std::string_view text) override;
  bool interactive() const override;
  Result<std::optional<std::string>> choose(std::string_view title, const std::vector<std::string>& items,
                                            std::string_view initial) override;
};

// Six ASCII digits: the shape of a TOTP code (checked once, in creds/providers.cpp, before STS is asked).
bool is_mfa_code(std::string_view code);

}  // namespace kura
