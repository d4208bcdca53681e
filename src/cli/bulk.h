// Profiles in bulk, for commands that work across many accounts (`kura trust`, `kura each`, `kura mfa
// --all`): names and shell-style globs chosen from the config, and credentials for all of them obtained
// before any work starts — concurrently, and with one MFA prompt for the profiles that share an MFA session.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/context.h"
#include "cli/credentials.h"

namespace kura {

constexpr size_t k_default_parallel = 8;
constexpr size_t k_max_parallel = 64;

struct BulkFlags {
  std::vector<std::string> profiles;  // names and globs
  std::optional<std::string> parallel;
  std::optional<std::string> duration;
  std::optional<std::string> mfa_token;
  std::optional<std::string> region;
};
// The PROFILE... positionals (unless the command binds its own) and --parallel, --duration, --mfa-token,
// --region.
void bind_bulk_flags(FlagSet& flags, BulkFlags& input, bool profiles_positional = true);
// --parallel N: 1 to 64, default 8.
Result<size_t> parallelism(const std::optional<std::string>& flag);

// True if `pattern` has glob characters (* ? [).
bool is_glob(std::string_view pattern);
// Each pattern in the order given: a plain name as it is (it may be a profile with only a stored key), a glob
// as the sorted names of the profiles in the config and credentials files it matches (fnmatch, as the shell
// would expand it). A name given twice counts once. A glob that matches nothing is an error, as a mistyped
// glob would otherwise quietly shrink the work.
Result<std::vector<std::string>> select_profiles(const std::vector<std::string>& all,
                                                 const std::vector<std::string>& patterns);

struct BulkCredentials {
  std::string name;
  std::optional<ProfileCredentials> credentials;  // or
  std::optional<Error> error;
  std::chrono::milliseconds took{0};
};

// Credentials for each profile, in the order given. Profiles whose chains start with the same MFA session
// (the same source profile and device), or with the same IAM Identity Center session, are grouped: one of
// each group runs first, on this thread, asking for the code (or signing in) once (--mfa-token is the first
// group's code); everything else then runs on up to `parallel` threads from the cached sessions. A failure is
// that profile's alone, or its group's when the MFA session or the sign-in failed.
std::vector<BulkCredentials> credentials_for_all(Context& context, const std::vector<std::string>& names,
                                                 const BulkFlags& flags, size_t parallel);

// The profiles a bulk command is asked for: the config loaded for threads, the patterns expanded.
Result<std::vector<std::string>> bulk_profiles(Context& context, const BulkFlags& flags);

}  // namespace kura
