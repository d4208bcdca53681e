// Completion, `kura use` and its prompt hook, direnv.
#include "cli/shell.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include "aws/render.h"
#include "cli/command_table.h"
#include "cli/commands.h"
#include "config/profiles.h"
#include "util/strings.h"

namespace kura {

namespace {

// --- completion -------------------------------------------------------------------------------------------

// The scripts ask the program they complete (kura, or its aws-vault / aws-mfa link) for the candidates, so
// they follow whichever binary is on PATH and the table it was built with.
constexpr std::string_view k_bash_completion = R"SH(# kura's bash completion: eval "$(kura completion bash)"
__kura_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n' out
  out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  case $out in
    :command) COMPREPLY=($(compgen -c -- "$cur")) ;;
    :file) COMPREPLY=($(compgen -f -- "$cur")) ;;
    *) COMPREPLY=($out) ;;
  esac
}
complete -o default -F __kura_complete kura aws-vault aws-mfa
)SH";

// Loaded two ways: eval'd (defines _kura and registers it), or autoloaded from $fpath as _kura (this body is
// then _kura's first run: it redefines _kura and must complete at once, or the first TAB would do nothing).
constexpr std::string_view k_zsh_completion = R"SH(#compdef kura aws-vault aws-mfa
# kura's zsh completion: eval "$(kura completion zsh)", or this file as _kura in $fpath
_kura() {
  local -a out
  out=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case ${out[1]} in
    :command) _command_names ;;
    :file) _files ;;
    *) (( ${#out} )) && [[ -n ${out[1]} ]] && compadd -Q -- "${out[@]}" ;;
  esac
}
if [[ ${funcstack[1]-} == _kura ]]; then
  _kura "$@"
elif (( $+functions[compdef] )); then
  compdef _kura kura aws-vault aws-mfa
else
  autoload -Uz compinit && compinit -u && compdef _kura kura aws-vault aws-mfa
fi
)SH";

constexpr std::string_view k_fish_completion = R"SH(# kura's fish completion: kura completion fish | source
function __kura_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out (command $words[1] __complete $words[2..-1] 2>/dev/null)
    switch "$out[1]"
        case :command
            __fish_complete_command
        case :file
            __fish_complete_path (commandline -ct)
        case '*'
            printf '%s\n' $out
    end
end
for name in kura aws-vault aws-mfa
    complete -c $name -f -a '(__kura_complete)'
end
)SH";

bool takes_value(const FlagSet::Flag& flag) {
  return !flag.value_name.empty();
}

const FlagSet::Flag* find_flag(const FlagSet& flags, std::string_view name) {
  for (const FlagSet::Flag& flag : flags.declared_flags()) {
    if (std::find(flag.names.begin(), flag.names.end(), name) != flag.names.end()) return &flag;
  }
  return nullptr;
}

std::vector<std::string> profile_candidates(AppDeps& deps) {
  auto files = ConfigFiles::load(deps.env);
  if (!files) return {};
  return files->profile_names();
}

// What a flag's value can be.
std::vector<std::string> value_candidates(const FlagSet::Flag& flag, AppDeps& deps) {
  if (!flag.allowed.empty()) return flag.allowed;
  if (!flag.suggested.empty()) return flag.suggested;
  const std::string_view name = flag.names.front();
  if (name == "--backend" || name == "--session-backend" || name == "--from" || name == "--to") {
    return {"secret-service", "pass", "kernel", "file"};
  }
  if (name == "--prompt") return {"terminal", "zenity", "kdialog", "osascript", "ykman", "mfa_process"};
  if (name == "--profile") return profile_candidates(deps);
  return {":file"};
}

std::vector<std::string> positional_candidates(std::string_view command,
                                               const FlagSet::Positional& positional, AppDeps& deps,
                                               Persona persona) {
  if (positional.name.find("PROFILE") != std::string::npos) return profile_candidates(deps);
  if (positional.name == "SHELL") return {"bash", "zsh", "fish"};
  if (command == "trust" && positional.name == "ACTION") return {"show", "diff", "apply", "add", "remove"};
  if (command == "help") {
    std::vector<std::string> names;
    for (const CommandSpec& spec : command_table()) {
      if (!spec.hidden && find_command(spec.name, persona) == &spec) names.emplace_back(spec.name);
    }
    return names;
  }
  return {};
}

}  // namespace

std::vector<std::string> completions(const std::vector<std::string>& given, AppDeps& deps, Persona persona) {
  std::vector<std::string> words = given;
  if (words.empty()) words.emplace_back();
  // bash splits `--format=js` into `--format`, `=`, `js`: the word after `=` is the flag's value.
  std::string current = words.back();
  words.pop_back();
  // ... and with the cursor right after `=`, the word being completed is the `=` itself.
  if (current == "=" && !words.empty() && words.back().starts_with("-")) {
    words.push_back("=");
    current.clear();
  }
  bool after_equals = !words.empty() && words.back() == "=";
  if (after_equals) words.pop_back();
  if (!after_equals && current.rfind("--", 0) == 0 && current.find('=') != std::string::npos) {
    // zsh and fish keep `--format=js` whole: complete the value, keeping the flag in front.
    const size_t eq = current.find('=');
    std::vector<std::string> head(words);
    head.push_back(current.substr(0, eq));
    head.push_back("=");
    head.push_back(current.substr(eq + 1));
    std::vector<std::string> values = completions(head, deps, persona);
    for (std::string& value : values) {
      if (value[0] != ':') value = current.substr(0, eq + 1) + value;
    }
    return values;
  }
  if (persona == Persona::aws_mfa) words.insert(words.begin(), "mfa");

  FlagSet globals;
  bind_global_flags(globals, persona);
  const CommandSpec* command = nullptr;
  FlagSet flags;
  size_t positionals = 0;
  bool in_rest = false;
  const FlagSet::Flag* pending = nullptr;  // the flag whose value `current` is
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const bool last = i + 1 == words.size();
    if (in_rest) break;
    if (word == "--" && command) {
      in_rest = !flags.rest_name().empty();
      continue;
    }
    if (word.size() > 1 && word[0] == '-') {
      const std::string name = word.substr(0, word.find('='));
      const FlagSet::Flag* flag = command ? find_flag(flags, name) : nullptr;
      if (!flag) flag = find_flag(globals, name);
      if (flag && takes_value(*flag) && word.find('=') == std::string::npos) {
        if (last) {
          pending = flag;
        } else {
          ++i;  // its value; bash hands `--format=json` over as `--format`, `=`, `json`
          if (words[i] == "=" && i + 1 < words.size()) ++i;
        }
      }
      if (last && after_equals) {
        if (!flag || !takes_value(*flag)) return {};  // `--debug=`, or a flag this command lacks
        pending = flag;
      }
      continue;
    }
    if (!command) {
      command = find_command(word, persona);
      if (!command) return {};
      if (command->describe) command->describe(flags);
      continue;
    }
    const auto& declared = flags.declared_positionals();
    if (positionals < declared.size()) {
      if (!declared[positionals].many) ++positionals;
    } else if (!flags.rest_name().empty()) {
      in_rest = true;  // the command to run has started
    }
  }

  std::vector<std::string> candidates;
  if (in_rest) return {":command"};
  if (pending) {
    candidates = value_candidates(*pending, deps);
  } else if (!command) {
    if (current.starts_with("-")) {
      for (const FlagSet::Flag& flag : globals.declared_flags()) {
        candidates.insert(candidates.end(), flag.names.begin(), flag.names.end());
      }
      candidates.emplace_back("--help");
      candidates.emplace_back("--version");
    } else {
      for (const CommandSpec& spec : command_table()) {
        if (spec.hidden || find_command(spec.name, persona) != &spec) continue;
        candidates.emplace_back(spec.name);
      }
    }
  } else if (current.starts_with("-")) {
    for (const FlagSet* set : {&flags, &globals}) {
      for (const FlagSet::Flag& flag : set->declared_flags()) {
        for (std::string_view name : flag.names) {
          if (name.starts_with("--")) candidates.emplace_back(name);
        }
      }
    }
    candidates.emplace_back("--help");
  } else if (command->name == "help") {
    candidates = positional_candidates("help", FlagSet::Positional{}, deps, persona);
  } else {
    const auto& declared = flags.declared_positionals();
    if (positionals < declared.size()) {
      candidates = positional_candidates(command->name, declared[positionals], deps, persona);
    } else if (!flags.rest_name().empty()) {
      return {":command"};
    }
  }
  if (candidates.size() == 1 && candidates[0][0] == ':') return candidates;
  std::vector<std::string> out;
  for (std::string& candidate : candidates) {
    if (candidate.starts_with(current)) out.push_back(std::move(candidate));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int complete_words(const std::vector<std::string>& words, AppDeps& deps, Persona persona) {
  std::string text;
  for (const std::string& candidate : completions(words, deps, persona)) text += candidate + "\n";
  deps.write_out(text);
  return 0;
}

namespace {

struct ShellScripts {
  std::string_view bash, zsh, fish;
};

// Prints the script for `shell`, or says which shells there are.
Result<void> print_script(Context& context, std::string_view command, const std::string& shell,
                          const ShellScripts& scripts) {
  if (shell == "bash") {
    context.out(scripts.bash);
  } else if (shell == "zsh") {
    context.out(scripts.zsh);
  } else if (shell == "fish") {
    context.out(scripts.fish);
  } else {
    return make_error(std::string(command) + ": unknown shell '" + printable(shell) + "'",
                      "bash, zsh or fish");
  }
  return {};
}

}  // namespace

void bind_completion(FlagSet& flags, CompletionInput& input) {
  flags.positional("SHELL", &input.shell, "bash, zsh or fish");
}

Result<void> run_completion(Context& context, const CompletionInput& input) {
  return print_script(context, "completion", input.shell,
                      {k_bash_completion, k_zsh_completion, k_fish_completion});
}

// --- kura use and the prompt hook -------------------------------------------------------------------------

namespace {

// The hook costs nothing on a prompt before the renewal time: the shell's own clock (bash's printf %(%s)T,
// zsh's EPOCHSECONDS, fish reading /proc/uptime) against KURA_USE_REFRESH_AT (KURA_USE_REFRESH_UPTIME for
// fish); no process is started until it is due. A renewal that fails is tried again a minute later. fish's
// hook also wants KURA_USE_PROFILE, which `kura exec` takes from its child (KURA_USE_REFRESH_UPTIME it
// keeps).
constexpr std::string_view k_bash_hook = R"SH(# kura's shell hook (bash): eval "$(kura shell-hook bash)"
kura() {
  if [ "${1-}" = use ]; then
    shift
    local __kura_code
    __kura_code=$(command kura use --shell bash "$@") && eval "$__kura_code"
  else
    command kura "$@"
  fi
}
__kura_use_hook() {
  local __kura_status=$?
  if [ -n "${KURA_USE_REFRESH_AT-}" ]; then
    local __kura_now __kura_code
    printf -v __kura_now '%(%s)T' -1
    if [ "$__kura_now" -ge "$KURA_USE_REFRESH_AT" ]; then
      if __kura_code=$(command kura use --shell bash "$KURA_USE_PROFILE"); then
        eval "$__kura_code"
      else
        KURA_USE_REFRESH_AT=$((__kura_now + 60))
      fi
    fi
  fi
  return $__kura_status
}
case ";${PROMPT_COMMAND-};" in
  *";__kura_use_hook;"*) ;;
  *) PROMPT_COMMAND="__kura_use_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac
)SH";

constexpr std::string_view k_zsh_hook = R"SH(# kura's shell hook (zsh): eval "$(kura shell-hook zsh)"
zmodload -F zsh/datetime p:EPOCHSECONDS
kura() {
  if [[ ${1-} == use ]]; then
    shift
    local __kura_code
    __kura_code=$(command kura use --shell zsh "$@") && eval "$__kura_code"
  else
    command kura "$@"
  fi
}
__kura_use_hook() {
  [[ -n ${KURA_USE_REFRESH_AT-} ]] || return 0
  (( EPOCHSECONDS >= KURA_USE_REFRESH_AT )) || return 0
  local __kura_code
  if __kura_code=$(command kura use --shell zsh "$KURA_USE_PROFILE"); then
    eval "$__kura_code"
  else
    export KURA_USE_REFRESH_AT=$((EPOCHSECONDS + 60))
  fi
}
autoload -Uz add-zsh-hook
add-zsh-hook precmd __kura_use_hook
)SH";

constexpr std::string_view k_fish_hook = R"SH(# kura's shell hook (fish): kura shell-hook fish | source
function kura
    if test "$argv[1]" = use
        set -l code (command kura use --shell fish $argv[2..-1]); and printf '%s\n' $code | source
    else
        command kura $argv
    end
end
function __kura_use_hook --on-event fish_prompt
    set -q KURA_USE_REFRESH_UPTIME KURA_USE_PROFILE; or return 0
    read -l up rest </proc/uptime
    set up (string split -m1 . $up)[1]
    test $up -lt $KURA_USE_REFRESH_UPTIME; and return 0
    set -l code (command kura use --shell fish $KURA_USE_PROFILE)
    and printf '%s\n' $code | source
    or set -gx KURA_USE_REFRESH_UPTIME (math $up + 60)
end
)SH";

// What `kura use` exports and `kura use -` takes away.
constexpr const char* k_use_variables[] = {"AWS_ACCESS_KEY_ID",
                                           "AWS_SECRET_ACCESS_KEY",
                                           "AWS_SESSION_TOKEN",
                                           "AWS_SECURITY_TOKEN",
                                           "AWS_CREDENTIAL_EXPIRATION",
                                           "AWS_REGION",
                                           "AWS_DEFAULT_REGION",
                                           "AWS_VAULT",
                                           "KURA_PROFILE",
                                           "KURA_USE_PROFILE",
                                           "KURA_USE_REFRESH_AT",
                                           "KURA_USE_REFRESH_UPTIME"};

std::string unset_line(const std::string& shell, const std::vector<std::string>& names) {
  std::string line = shell == "fish" ? "set -e" : "unset";
  for (const std::string& name : names) line += " " + name;
  return line + (shell == "fish" ? ";\n" : "\n");
}

std::string export_line(const std::string& shell, std::string_view name, std::string_view value) {
  // Values here are profile names (any bytes a section name may hold) and numbers: quoted for the shell.
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') {
      quoted += shell == "fish" ? "\\'" : "'\\''";
    } else if (c == '\\' && shell == "fish") {
      quoted += "\\\\";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  if (shell == "fish") return "set -gx " + std::string(name) + " " + quoted + ";\n";
  return "export " + std::string(name) + "=" + quoted + "\n";
}

// Seconds since boot (CLOCK_BOOTTIME, what /proc/uptime shows): fish's hook compares against it.
long long uptime_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  return static_cast<long long>(now.tv_sec);
}

}  // namespace

void bind_shell_hook(FlagSet& flags, ShellHookInput& input) {
  flags.positional("SHELL", &input.shell, "bash, zsh or fish");
}

Result<void> run_shell_hook(Context& context, const ShellHookInput& input) {
  return print_script(context, "shell-hook", input.shell, {k_bash_hook, k_zsh_hook, k_fish_hook});
}

void bind_use(FlagSet& flags, UseInput& input) {
  bind_credential_flags(flags, input.flags);
  flags.option("--shell", "SHELL", &input.shell,
               "the shell the code is for (set by the shell hook's function)");
  flags.choices("--shell", {"bash", "zsh", "fish"});
}

Result<void> run_use(Context& context, const UseInput& input) {
  if (!input.shell) {
    return make_error(
        "`kura use` changes the current shell, so it runs through the shell hook's function",
        "add eval \"$(kura shell-hook bash)\" (or zsh; `kura shell-hook fish | source`) to your "
        "shell's rc file; or use `eval \"$(kura export PROFILE)\"`");
  }
  const std::string& shell = *input.shell;
  const std::vector<std::string> all(std::begin(k_use_variables), std::end(k_use_variables));
  if (input.flags.profile == "-") {
    // fish's `set -e` fails when a name is not set; `kura use -` succeeds all the same.
    context.out(unset_line(shell, all) + (shell == "fish" ? "true;\n" : ""));
    return {};
  }
  if (auto nested = refuse_nesting(context.env(), "kura use", context.settings().persona); !nested)
    return nested;
  auto creds = credentials_for(context, input.flags);
  if (!creds) return creds.error();
  const Credentials& c = creds->obtained.credentials;
  // Whatever a previous `use` set that these credentials do not (a session token, a refresh time).
  std::string out = unset_line(shell, all);
  out += unset_line(shell, {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"});
  context.out(out);
  Secret rendered = render_credentials(c, shell == "fish" ? CredentialFormat::fish : CredentialFormat::env,
                                       {creds->profile.name, creds->region, {}});
  context.out(rendered.view());
  out = export_line(shell, "AWS_VAULT", creds->profile.name);
  out += export_line(shell, "KURA_PROFILE", creds->profile.name);
  out += export_line(shell, "KURA_USE_PROFILE", creds->profile.name);
  if (c.expiration) {
    const TimePoint now = context.deps().clock.now();
    const auto left =
        std::chrono::duration_cast<Seconds>(*c.expiration - now) - context.settings().session_refresh;
    const long long due_in = std::max<long long>(left.count(), 5);
    const long long at = std::chrono::duration_cast<Seconds>(now.time_since_epoch()).count() + due_in;
    if (shell == "fish") {
      out += export_line(shell, "KURA_USE_REFRESH_UPTIME", std::to_string(uptime_seconds() + due_in));
    } else {
      out += export_line(shell, "KURA_USE_REFRESH_AT", std::to_string(at));
    }
  }
  context.out(out);
  return {};
}

// --- direnv -----------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view k_direnv = R"SH(# kura for direnv: kura direnv > ~/.config/direnv/lib/kura.sh
# then, in an .envrc: use kura PROFILE
use_kura() {
  local profile=${1:-${AWS_PROFILE:-}}
  if [ -z "$profile" ]; then
    log_error "use kura: name a profile (use kura PROFILE)"
    return 1
  fi
  local code
  code=$(command kura use --shell bash "$profile") || return 1
  eval "$code"
}
)SH";

}  // namespace

void bind_direnv(FlagSet&, DirenvInput&) {}

Result<void> run_direnv(Context& context, const DirenvInput&) {
  context.out(k_direnv);
  return {};
}

}  // namespace kura
