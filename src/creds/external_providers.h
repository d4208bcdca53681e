// Providers whose credentials come from outside kura's keystore: a web identity token (a file, or
// aws-vault's web_identity_token_process) exchanged with AssumeRoleWithWebIdentity, and a profile's
// credential_process. Each starts a chain as the long-term key does; CachedProvider caches what they give
// by its expiration (credential_process output without one is used once, never stored).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "creds/providers.h"
#include "util/secret.h"

namespace kura {

// Runs a configured command line (credential_process, web_identity_token_process) and gives its standard
// output, bounded in size; an error when it cannot be run or exits non-zero (its stderr's last line in the
// message, printable). Implemented over process/ by the command line; a fake in unit tests.
using CommandOutput = std::function<Result<Secret>(const std::string& command_line)>;

struct WebIdentitySource {
  std::optional<std::string> token_file;     // web_identity_token_file (AWS_WEB_IDENTITY_TOKEN_FILE)
  std::optional<std::string> token_process;  // web_identity_token_process (aws-vault)
};

// AssumeRoleWithWebIdentity, unsigned: the token read fresh on every call (a projected service account token
// rotates), surrounding whitespace trimmed.
class WebIdentityProvider final : public CredentialProvider {
 public:
  WebIdentityProvider(StsAccess sts, std::string profile, WebIdentitySource source, AssumeRoleInput input,
                      CommandOutput run, const Clock& clock)
      : m_sts(std::move(sts)),
        m_profile(std::move(profile)),
        m_source(std::move(source)),
        m_input(std::move(input)),
        m_run(std::move(run)),
        m_clock(clock) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override { return "AssumeRoleWithWebIdentity " + m_input.role_arn; }

 private:
  Result<Secret> token() const;

  StsAccess m_sts;
  std::string m_profile;
  WebIdentitySource m_source;
  AssumeRoleInput m_input;  // role_arn, session_name (empty: kura-<unix time>), duration
  CommandOutput m_run;
  const Clock& m_clock;
};

// credential_process: the command's Version 1 JSON.
class ProcessCredentialsProvider final : public CredentialProvider {
 public:
  ProcessCredentialsProvider(std::string profile, std::string command, CommandOutput run, const Clock& clock)
      : m_profile(std::move(profile)), m_command(std::move(command)), m_run(std::move(run)), m_clock(clock) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override { return "the credential_process of '" + m_profile + "'"; }

 private:
  std::string m_profile;
  std::string m_command;
  CommandOutput m_run;
  const Clock& m_clock;
};

// The credential_process output as the AWS CLI reads it: {"Version": 1, "AccessKeyId", "SecretAccessKey",
// "SessionToken"?, "Expiration"? (ISO 8601, a UTC offset allowed)}; other members ignored, whatever they
// hold. Expired credentials are an error. Errors name `source` ("the credential_process of 'dev'") and never
// include a secret. Fuzzed: tests/fuzz/fuzz_process_credentials.cpp.
Result<Credentials> parse_process_credentials(std::string_view json, const std::string& source,
                                              TimePoint now);

}  // namespace kura
