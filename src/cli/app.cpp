// The command line: one table of commands (name, aliases, summary, flag binder, run function) and the
// dispatch over it. Only the command being run gets a parser; global flags are accepted before or after it.
#include "cli/app.h"

#include <algorithm>
#include <array>
#include <functional>

#include "cli/args.h"
#include "cli/command_table.h"
#include "cli/commands.h"
#include "cli/manpage.h"
#include "cli/shell.h"
#include "util/full_build.h"
#include "util/log.h"

#ifndef KURA_VERSION
#define KURA_VERSION "0.0.0"
#endif

namespace kura {

namespace {

int run_parsed(Invocation& in, FlagSet& flags, const std::function<Result<void>(Context&)>& run);

// One row's run function: bind the input's flags, parse, run against a context.
template <typename Input, void (*Bind)(FlagSet&, Input&), Result<void> (*Run)(Context&, const Input&)>
int command(Invocation& in) {
  Input input;
  FlagSet flags;
  Bind(flags, input);
  return run_parsed(in, flags, [&input](Context& context) { return Run(context, input); });
}

// One row's flags, for completion and the man page: bound to an input that is never run.
template <typename Input, void (*Bind)(FlagSet&, Input&)>
void describe(FlagSet& flags) {
  static Input input;
  Bind(flags, input);
}

template <typename Input, void (*Bind)(FlagSet&, Input&), Result<void> (*Run)(Context&, const Input&)>
constexpr CommandSpec row(std::string_view name, std::string_view alias, std::string_view summary,
                          unsigned personas = k_every_persona) {
  return CommandSpec{name, alias, summary, personas, command<Input, Bind, Run>, describe<Input, Bind>};
}

// A row whose command runs in the static build (CommandSpec::static_build).
constexpr CommandSpec in_static_build(CommandSpec spec) {
  spec.static_build = true;
  return spec;
}

struct NoInput {};
void bind_nothing(FlagSet&, NoInput&) {}

Result<void> run_version(Context& context, const NoInput&) {
  context.out(KURA_VERSION "\n");
  return {};
}

// aws-vault's command that kura needs no counterpart for: said, not guessed.
Result<void> run_proxy(Context&, const NoInput&) {
  return make_error("kura needs no proxy on 169.254.169.254: `exec --ec2-server` serves IMDS on 127.0.0.1",
                    "and points the command at it with AWS_EC2_METADATA_SERVICE_ENDPOINT (no sudo)");
}
void bind_proxy(FlagSet& flags, NoInput&) {
  static bool stop = false;
  flags.flag("--stop", &stop, "stop the proxy");
}

constexpr CommandSpec k_commands[] = {
    in_static_build(row<ExecInput, bind_exec, run_exec>(
        "exec", "", "run a command (default: $SHELL) with temporary credentials")),
    in_static_build(row<ExportInput, bind_export, run_export>(
        "export", "", "print credentials (env, json for credential_process, ini, dotenv, fish, powershell)")),
    in_static_build(row<UseInput, bind_use, run_use>(
        "use", "",
        "put a profile's credentials in the current shell, renewed at the prompt "
        "(needs `kura shell-hook`)")),
    row<LoginInput, bind_login, run_login>("login", "",
                                           "open the AWS console for a profile (or print the URL)"),
    row<ServeInput, bind_serve, run_serve>(
        "serve", "", "serve credentials on a local ECS or IMDS endpoint until interrupted"),
    row<SsoInput, bind_sso, run_sso>(
        "sso", "",
        "IAM Identity Center: login (cached for the AWS CLI too), logout, populate profiles for every role"),
    row<TrustInput, bind_trust, run_trust>(
        "trust", "",
        "show, diff, apply or edit (add/remove principals) the trust policy of many roles at once"),
    row<EachInput, bind_each, run_each>(
        "each", "",
        "run a command once per profile (names, globs), concurrently, with each one's credentials"),
    row<AddInput, bind_add, run_add>("add", "", "store a long-term access key for a profile"),
    in_static_build(
        row<ListInput, bind_list, run_list>("list", "ls", "list profiles, stored keys and cached sessions")),
    row<RemoveInput, bind_remove, run_remove>("remove", "rm",
                                              "remove a profile's stored key and its sessions"),
    row<RotateInput, bind_rotate, run_rotate>(
        "rotate", "", "replace a profile's access key with a new one, verified before the old is deleted"),
    row<RenameInput, bind_rename, run_rename>(
        "rename", "mv", "move a stored key (and drop its sessions) to another profile name"),
    row<ClearInput, bind_clear, run_clear>("clear", "", "remove cached sessions (of one profile, or all)"),
    row<MfaCommandInput, bind_mfa, run_mfa>(
        "mfa", "", "aws-mfa's workflow: write a short-term profile into ~/.aws/credentials"),
    row<ImportInput, bind_import, run_import>(
        "import", "", "move plaintext keys from ~/.aws/credentials (or aws-vault's store) into the keystore"),
    row<BackendsInput, bind_backends, run_backends>("backends", "",
                                                    "list keystore backends and whether they work here"),
    row<MigrateInput, bind_migrate, run_migrate>("migrate", "migrate-backend",
                                                 "copy stored keys and sessions to another backend"),
    in_static_build(row<CompletionInput, bind_completion, run_completion>(
        "completion", "", "print the completion script for bash, zsh or fish (kura, aws-vault, aws-mfa)")),
    in_static_build(row<ShellHookInput, bind_shell_hook, run_shell_hook>(
        "shell-hook", "", "print the shell functions for `kura use` and the prompt hook that renews them")),
    in_static_build(row<DirenvInput, bind_direnv, run_direnv>("direnv", "",
                                                              "print direnv's `use kura PROFILE` function")),
    in_static_build(row<NoInput, bind_nothing, run_version>("version", "", "print kura's version")),

    row<NoInput, bind_proxy, run_proxy>("proxy", "server", "aws-vault's IMDS proxy (kura needs none)",
                                        k_aws_vault_only),
    CommandSpec{"help", "", "help for kura, or for a command (kura help exec)", k_every_persona, nullptr,
                nullptr, false, true},
};

unsigned mask_of(Persona persona) {
  return persona == Persona::aws_vault ? k_aws_vault_only : k_kura_only;
}

std::string program(Persona persona) {
  return persona == Persona::aws_vault ? "aws-vault" : persona == Persona::aws_mfa ? "aws-mfa" : "kura";
}

std::string main_help(Persona persona) {
  std::string text =
      persona == Persona::aws_vault
          ? "aws-vault (kura): AWS credentials from your OS keystore, with MFA sessions cached encrypted\n\n"
            "usage: aws-vault [global flags] COMMAND [flags] [args]\n\ncommands:\n"
          : "kura: AWS credentials from your OS keystore, with MFA sessions cached encrypted\n\n"
            "usage: kura [global flags] COMMAND [flags] [args]\n\ncommands:\n";
  for (const CommandSpec& spec : k_commands) {
    if (spec.hidden || (spec.personas & mask_of(persona)) == 0) continue;
    std::string name(spec.name);
    if (!spec.alias.empty()) name += ", " + std::string(spec.alias);
    name.resize(std::max<size_t>(name.size() + 2, 14), ' ');
    text += "  " + name + std::string(spec.summary) + "\n";
  }
  text += "\nglobal flags and variables:\n" + settings_help(persona);
  text += "\n`" + program(persona) +
          " help COMMAND` (or COMMAND --help) for a command's flags; man kura, or README.md, for the rest.\n";
  return text;
}

int usage_error(const Error& error, std::string_view name, Persona persona) {
  Error shown = error;
  if (shown.hint.empty()) {
    shown.hint = name.empty() ? "run `" + program(persona) + " --help` for usage"
                              : "run `" + program(persona) + " " + std::string(name) + " --help` for usage";
  }
  log_error(shown);
  return 2;
}

int run_parsed(Invocation& in, FlagSet& flags, const std::function<Result<void>(Context&)>& run) {
  bind_global_flags(flags, in.persona);
  auto parsed = flags.parse(in.args, in.first);
  if (flags.help_requested()) {
    in.deps.write_out(flags.help(program(in.persona) + " " + std::string(in.name)));
    return 0;
  }
  if (!parsed) return usage_error(parsed.error().context(std::string(in.name)), in.name, in.persona);
  std::map<std::string, std::string> global;
  for (const auto& [flag, value] : flags.collected()) global[flag] = value;
  auto settings = resolve_settings(in.deps.env, global, in.persona);
  if (!settings) {
    log_error(settings.error());
    return 1;
  }
  set_debug(settings->debug);
  for (const std::string& note : settings->notes) log_note(note);
  Context context(in.deps, std::move(*settings));
  if (auto result = run(context); !result) {
    log_error(result.error());
    return context.error_exit_code();
  }
  return context.exit_code();
}

}  // namespace

std::span<const CommandSpec> command_table() {
  return k_commands;
}

const CommandSpec* find_command(std::string_view name, Persona persona) {
  for (const CommandSpec& spec : k_commands) {
    if ((spec.personas & mask_of(persona)) == 0) continue;
    if (spec.name == name || (!spec.alias.empty() && spec.alias == name)) return &spec;
  }
  return nullptr;
}

void bind_global_flags(FlagSet& flags, Persona persona) {
  for (const SettingSpec& spec : setting_specs()) {
    if (has_flag(spec, persona)) {
      flags.collect(StaticText::of(spec.flag), StaticText::of(spec.value_name), !spec.value_name.empty(),
                    StaticText::of(spec.help));  // views into the constexpr settings table
    }
  }
}

int run_cli(const std::vector<std::string>& given, AppDeps& deps, Persona persona) {
  if (!given.empty() && given[0] == "__man") {  // the build writes kura.1 with it
    deps.write_out(man_page());
    return 0;
  }
  if (!given.empty() && given[0] == "__complete") {
    std::vector<std::string> words(given.begin() + 1, given.end());
    return complete_words(words, deps, persona);
  }
  std::vector<std::string> args = given;
  if (persona == Persona::aws_mfa) args.insert(args.begin(), "mfa");  // aws-mfa is `kura mfa`
  // Global flags may come before the command: find the command's name without building any parser.
  size_t at = 0;
  while (at < args.size() && args[at].size() > 1 && args[at][0] == '-') {
    const std::string& arg = args[at];
    if (arg == "--help" || arg == "-h") {
      deps.write_out(main_help(persona));
      return 0;
    }
    if (arg == "--version" || (persona == Persona::aws_vault && arg == "-v")) {
      deps.write_out(KURA_VERSION "\n");
      return 0;
    }
    const SettingSpec* global = nullptr;
    for (const SettingSpec& spec : setting_specs()) {
      if (!has_flag(spec, persona)) continue;
      if (arg == spec.flag || arg.rfind(std::string(spec.flag) + "=", 0) == 0) global = &spec;
      // --no-NAME turns a switch off, as aws-vault's parser allows.
      if (spec.value_name.empty() && arg.starts_with("--no-") && "--" + arg.substr(5) == spec.flag)
        global = &spec;
    }
    if (!global) {
      std::vector<std::string> known;
      for (const SettingSpec& spec : setting_specs()) {
        if (has_flag(spec, persona)) known.emplace_back(spec.flag);
      }
      const std::string flag = arg.substr(0, arg.find('='));
      auto suggestion = closest_match(flag, known);
      return usage_error(make_error("unknown flag '" + flag + "' before the command" +
                                    (suggestion ? "; did you mean '" + *suggestion + "'?" : "")),
                         "", persona);
    }
    at += (!global->value_name.empty() && arg.find('=') == std::string::npos) ? 2 : 1;
  }
  if (at >= args.size()) {
    deps.write_out(main_help(persona));
    return usage_error(make_error("a command is required"), "", persona);
  }
  const std::string& name = args[at];
  const CommandSpec* spec = find_command(name, persona);
  if (!spec) {
    std::vector<std::string> names;
    for (const CommandSpec& command : k_commands) {
      if (!command.hidden && (command.personas & mask_of(persona)) != 0) names.emplace_back(command.name);
    }
    auto suggestion = closest_match(name, names);
    return usage_error(make_error("unknown command '" + name + "'" +
                                  (suggestion ? "; did you mean '" + *suggestion + "'?" : "")),
                       "", persona);
  }
  if (spec->name == "help") {
    if (at + 1 < args.size()) {
      if (const CommandSpec* about = find_command(args[at + 1], persona); about && about->run) {
        std::vector<std::string> help_args{args[at + 1], "--help"};
        Invocation in{help_args, 1, deps, about->name, persona};
        return about->run(in);
      }
    }
    deps.write_out(main_help(persona));
    return 0;
  }
  if (!spec->static_build) need_full_build("the command '" + std::string(spec->name) + "'");
  // The global flags before the command are parsed with the command's own (they are the same set).
  std::vector<std::string> reordered(args.begin() + static_cast<long>(at) + 1, args.end());
  reordered.insert(reordered.begin(), args.begin(), args.begin() + static_cast<long>(at));
  Invocation in{reordered, 0, deps, spec->name, persona};
  return spec->run(in);
}

}  // namespace kura
