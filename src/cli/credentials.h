// Credentials for a command: the flags every credential command shares, the provider chain run for a profile,
// and what a child process gets (its environment without stale or secret variables, plus the credentials).
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/context.h"
#include "creds/resolver.h"

namespace kura {

struct CredentialFlags {
  std::string profile;  // empty: chosen on the terminal, else AWS_PROFILE (profile_name)
  std::optional<std::string> duration;
  bool no_session = false;
  std::optional<std::string> mfa_token;
  std::optional<std::string> region;
};
void bind_credential_flags(FlagSet& flags, CredentialFlags& input);

// The profile a command is about: the one given; else, with a person at the terminal, the one they pick from
// the config's profiles (AWS_PROFILE selected at first); else AWS_PROFILE; else an error.
Result<std::string> profile_name(Context& context, const std::string& given);

// The variables aws-vault applies to the profile asked for (AWS_ROLE_ARN, AWS_MFA_SERIAL, AWS_SESSION_TAGS,
// AWS_TRANSITIVE_TAGS, AWS_SOURCE_IDENTITY), when kura runs as aws-vault.
Result<void> apply_profile_variables(const Settings& settings, Profile& profile);

// True when `kura use` put these credentials in the shell (AWS_VAULT names the profile it exported): a
// command run from that shell is not nested in an exec.
bool exported_by_use(const Environment& env);

// Refuses to run inside another exec's environment (AWS_VAULT or KURA_PROFILE set there), as aws-vault does:
// which profile is active would be anyone's guess. `what` starts the message ("running").
Result<void> refuse_nesting(const Environment& env, std::string_view what, Persona persona);

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
// The same as NAME=value entries for execve, without the variables named in `also_left_out`; built straight
// from the environment (exec runs it on every hit: no intermediate map, one allocation per entry).
std::vector<std::string> child_environment(const Environment& env,
                                           std::initializer_list<std::string_view> also_left_out = {});
// exec's child environment: those, plus the credentials, the region, AWS_VAULT and KURA_PROFILE.
std::vector<std::string> exec_environment(const Environment& env, const ProfileCredentials& creds);

}  // namespace kura
