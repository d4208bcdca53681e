// Credentials for a command: the flags every credential command shares, the provider chain run for a profile,
// and what a child process gets (its environment without stale or secret variables, plus the credentials).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/context.h"
#include "creds/resolver.h"

namespace kura {

struct CredentialFlags {
  std::string profile;
  std::optional<std::string> duration;
  bool no_session = false;
  std::optional<std::string> mfa_token;
  std::optional<std::string> region;
};
void bind_credential_flags(FlagSet& flags, CredentialFlags& input);

// --duration, --no-session, --mfa-token and the settings (refresh window, session name, MFA driver) as
// provider options for a profile.
Result<ProviderOptions> provider_options(Context& context, const CredentialFlags& flags,
                                         const Profile& profile);

struct ProfileCredentials {
  Profile profile;
  std::string region;
  ObtainedCredentials obtained;
};
Result<ProfileCredentials> credentials_for(Context& context, const CredentialFlags& flags);

// The caller's environment without any variable that would point a child at other credentials, nor kura's
// secret ones.
std::map<std::string, std::string> child_variables(const Environment& env);
// exec's child environment: those, plus the credentials, the region and KURA_PROFILE.
std::vector<std::string> exec_environment(const Environment& env, const ProfileCredentials& creds);

}  // namespace kura
