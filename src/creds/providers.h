// Credential providers: each source of credentials is one small provider — a long-term key (keystore or
// plaintext file), GetSessionToken, AssumeRole, GetFederationToken. The resolver composes them into a chain
// (resolver.h); CachedProvider (cached_provider.h) wraps every step that yields a session.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "config/profiles.h"
#include "keyring/keystore.h"
#include "prompt/drivers.h"
#include "prompt/prompt.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

// Where credentials came from, for --debug and tests.
enum class Origin { long_term_key, cache, sts, credential_process };

struct ObtainedCredentials {
  Credentials credentials;
  Origin origin = Origin::sts;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Obtains the credentials: may read a keystore, call STS, ask for an MFA code.
  virtual Result<ObtainedCredentials> retrieve() = 0;
  // "GetSessionToken with MFA", "AssumeRole arn:...", "the long-term key of 'dev'".
  virtual std::string describe() const = 0;
};

// Where the MFA codes of one run come from: --mfa-token for the first (STS accepts a code once, so a second
// device is asked), then the configured source. The one place a code's shape is checked, before any STS call
// is spent on it.
class MfaCodes {
 public:
  // The driver's name prefixes a complaint about what it produced ("mfa_process: ..."; nothing for the
  // terminal, where the user typed it).
  MfaCodes(std::optional<std::string> flag_token, MfaDriver driver)
      : m_flag_token(std::move(flag_token)), m_driver(std::move(driver)) {}
  Result<std::string> code_for(const std::string& serial);

 private:
  std::optional<std::string> m_flag_token;
  MfaDriver m_driver;
};

// `driver`, or when it has no source, the terminal through `prompt` ("Enter MFA code for SERIAL: ").
MfaDriver with_terminal_fallback(MfaDriver driver, Prompt& prompt);

// The shape check itself (six digits), with the message every caller gives: "[WHERE: ]an MFA code is six
// digits".
Result<void> check_mfa_code(std::string_view code, std::string_view where, std::string_view serial);

// The STS client, made on first use: a cache hit never sets up the network stack.
using StsAccess = std::function<Result<StsClient*>()>;

// The credentials- or config-file section holding a profile's plaintext key, if any.
const IniSection* plaintext_key_section(const ConfigFiles& files, const std::string& profile);

// A profile's long-term key: the one stored in the keystore, else a plaintext key in the credentials (or
// config) file. `requested` is the profile the chain was asked for, for the message when there is none.
class LongTermKeyProvider final : public CredentialProvider {
 public:
  LongTermKeyProvider(Keystore& keystore, const ConfigFiles& files, std::string profile,
                      std::string requested)
      : m_keystore(keystore),
        m_files(files),
        m_profile(std::move(profile)),
        m_requested(std::move(requested)) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override { return "the long-term key of '" + m_profile + "'"; }
  // Empty optional when there is no key at all (neither stored nor in the files).
  Result<std::optional<Credentials>> find();

 private:
  Keystore& m_keystore;
  const ConfigFiles& m_files;
  std::string m_profile;
  std::string m_requested;
};

// GetSessionToken (with an MFA code when `mfa_serial` is set) using the source's credentials.
class SessionTokenProvider final : public CredentialProvider {
 public:
  SessionTokenProvider(std::unique_ptr<CredentialProvider> source, StsAccess sts, MfaCodes& mfa,
                       std::string profile, std::optional<std::string> mfa_serial, Seconds duration)
      : m_source(std::move(source)),
        m_sts(std::move(sts)),
        m_mfa(mfa),
        m_profile(std::move(profile)),
        m_mfa_serial(std::move(mfa_serial)),
        m_duration(duration) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override;

 private:
  std::unique_ptr<CredentialProvider> m_source;
  StsAccess m_sts;
  MfaCodes& m_mfa;
  std::string m_profile;
  std::optional<std::string> m_mfa_serial;
  Seconds m_duration;
};

// The role session name when none is configured: kura-<unix time>.
std::string default_session_name(const Clock& clock);

// AssumeRole using the source's credentials; the session name defaults to kura-<unix time>.
class AssumeRoleProvider final : public CredentialProvider {
 public:
  AssumeRoleProvider(std::unique_ptr<CredentialProvider> source, StsAccess sts, MfaCodes& mfa,
                     std::string profile, AssumeRoleInput input, std::optional<std::string> mfa_serial,
                     const Clock& clock)
      : m_source(std::move(source)),
        m_sts(std::move(sts)),
        m_mfa(mfa),
        m_profile(std::move(profile)),
        m_input(std::move(input)),
        m_mfa_serial(std::move(mfa_serial)),
        m_clock(clock) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override;

 private:
  std::unique_ptr<CredentialProvider> m_source;
  StsAccess m_sts;
  MfaCodes& m_mfa;
  std::string m_profile;
  AssumeRoleInput m_input;
  std::optional<std::string> m_mfa_serial;
  const Clock& m_clock;
};

// GetFederationToken using the source's credentials (an IAM user's long-term key): what `kura login`
// federates for a user, since session-token credentials cannot be.
class FederationTokenProvider final : public CredentialProvider {
 public:
  FederationTokenProvider(std::unique_ptr<CredentialProvider> source, StsAccess sts, std::string profile,
                          GetFederationTokenInput input)
      : m_source(std::move(source)),
        m_sts(std::move(sts)),
        m_profile(std::move(profile)),
        m_input(std::move(input)) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override { return "GetFederationToken " + m_input.name; }

 private:
  std::unique_ptr<CredentialProvider> m_source;
  StsAccess m_sts;
  std::string m_profile;
  GetFederationTokenInput m_input;
};

}  // namespace kura
