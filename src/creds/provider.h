// The provider: runs a plan, reusing cached sessions (the cache decorator) and asking for MFA codes.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "config/profiles.h"
#include "creds/plan.h"
#include "creds/store_items.h"
#include "keyring/keystore.h"
#include "prompt/prompt.h"
#include "util/fs.h"
#include "util/time.h"

namespace kura {

struct ProviderDeps {
  Keystore& keystore;
  Prompt& prompt;
  const Clock& clock;
  const ConfigFiles& files;
  // Made only when an STS call is needed, so a cache hit never sets up the network stack.
  std::function<Result<StsClient*>()> sts;
  // Serialises refreshing one session across processes (see lock_session); empty: no locking (unit tests).
  std::function<Result<FileLock>(const std::string& cache_id)> lock_session = nullptr;
};

struct ProviderOptions {
  PlanOptions plan;
  std::optional<std::string> mfa_token;  // --mfa-token: used for the first MFA prompt
  // Where codes come from (--prompt / KURA_PROMPT / mfa_process); empty: the terminal prompt.
  std::function<Result<std::string>(const std::string& serial)> mfa_code;
  Seconds refresh_window{300};  // a session is renewed this long before it expires
};

// Where the credentials came from, for --debug and tests.
enum class Origin { long_term_key, cache, sts };

struct ObtainedCredentials {
  Credentials credentials;
  Origin origin = Origin::sts;
};

// The credentials- or config-file section holding a profile's plaintext key, if any.
const IniSection* plaintext_key_section(const ConfigFiles& files, const std::string& profile);

// Long-term key of a profile: from the keystore, else plaintext keys in the credentials or config file.
Result<std::optional<Credentials>> find_long_term_key(Keystore& keystore, const ConfigFiles& files,
                                                      const std::string& profile);

Result<ObtainedCredentials> obtain_credentials(const Profile& profile, ProviderDeps& deps,
                                               const ProviderOptions& options);

// A cached session is reused while it has more than `refresh_window` left and is not shorter than asked for.
bool session_usable(const CachedSession& session, const Step& step, TimePoint now, Seconds refresh_window);

}  // namespace kura
