// kura in the user's shell: completion (scripts for bash, zsh and fish that ask `kura __complete` what fits,
// from the command table), `kura use` with the prompt hook that renews what it exported, and direnv's
// `use kura`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/context.h"
#include "cli/credentials.h"
#include "cli/settings.h"

namespace kura {

struct CompletionInput {
  std::string shell;  // bash, zsh, fish
};
void bind_completion(FlagSet& flags, CompletionInput& input);
Result<void> run_completion(Context& context, const CompletionInput& input);

// The candidates for the last of `words` (the words after the program's name, the last one being completed,
// possibly empty), one per line on stdout; ":command" or ":file" asks the shell for its own command or file
// completion. Reads only the config files (no keystore), so it stays fast and never prompts.
int complete_words(const std::vector<std::string>& words, AppDeps& deps, Persona persona);
// The same, as a list (tests).
std::vector<std::string> completions(const std::vector<std::string>& words, AppDeps& deps, Persona persona);

struct ShellHookInput {
  std::string shell;
};
void bind_shell_hook(FlagSet& flags, ShellHookInput& input);
Result<void> run_shell_hook(Context& context, const ShellHookInput& input);

// kura use PROFILE: shell code exporting the profile's credentials, AWS_VAULT, KURA_PROFILE and the time at
// which the prompt hook renews them; `kura use -` unsets them. Run by the function shell-hook defines.
struct UseInput {
  CredentialFlags flags;
  std::optional<std::string> shell;  // set by the hook's function
};
void bind_use(FlagSet& flags, UseInput& input);
Result<void> run_use(Context& context, const UseInput& input);

struct DirenvInput {};
void bind_direnv(FlagSet& flags, DirenvInput& input);
Result<void> run_direnv(Context& context, const DirenvInput& input);

}  // namespace kura
