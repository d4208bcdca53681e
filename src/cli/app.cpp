// The command line: one table of commands (name, aliases, summary, flag binder, run function) and the
// dispatch over it. Only the command being run gets a parser; global flags are accepted before or after it.
#include "cli/app.h"

#include <array>
#include <functional>

#include "cli/args.h"
#include "cli/commands.h"
#include "util/log.h"

#ifndef KURA_VERSION
#define KURA_VERSION "0.0.0"
#endif

namespace kura {

namespace {

// What running a command needs besides its own flags: the global ones, then the context.
struct Invocation {
  const std::vector<std::string>& args;
  size_t first;  // the first argument after the command's name
  AppDeps& deps;
  std::string_view name;
};

int run_parsed(Invocation& in, FlagSet& flags, const std::function<Result<void>(Context&)>& run);

struct CommandSpec {
  std::string_view name;
  std::string_view alias;
  std::string_view summary;
  int (*run)(Invocation& in);
};

// One row's run function: bind the input's flags, parse, run against a context.
template <typename Input, void (*Bind)(FlagSet&, Input&), Result<void> (*Run)(Context&, const Input&)>
int command(Invocation& in) {
  Input input;
  FlagSet flags;
  Bind(flags, input);
  return run_parsed(in, flags, [&input](Context& context) { return Run(context, input); });
}

constexpr std::array<CommandSpec, 16> k_commands = {{
    {"exec", "", "run a command (default: $SHELL) with temporary credentials",
     command<ExecInput, bind_exec, run_exec>},
    {"export", "", "print credentials (env, json for credential_process, ini, fish, powershell)",
     command<ExportInput, bind_export, run_export>},
    {"login", "", "open the AWS console for a profile (or print the URL)",
     command<LoginInput, bind_login, run_login>},
    {"serve", "", "serve credentials on a local ECS or IMDS endpoint until interrupted",
     command<ServeInput, bind_serve, run_serve>},
    {"trust", "", "show, diff, apply or edit (add/remove principals) the trust policy of many roles at once",
     command<TrustInput, bind_trust, run_trust>},
    {"each", "", "run a command once per profile (names, globs), concurrently, with each one's credentials",
     command<EachInput, bind_each, run_each>},
    {"add", "", "store a long-term access key for a profile", command<AddInput, bind_add, run_add>},
    {"list", "ls", "list profiles, stored keys and cached sessions", command<ListInput, bind_list, run_list>},
    {"remove", "rm", "remove a profile's stored key and its sessions",
     command<RemoveInput, bind_remove, run_remove>},
    {"clear", "", "remove cached sessions (of one profile, or all)",
     command<ClearInput, bind_clear, run_clear>},
    {"mfa", "", "aws-mfa's workflow: write a short-term profile into ~/.aws/credentials",
     command<MfaCommandInput, bind_mfa, run_mfa>},
    {"import", "", "move plaintext keys from ~/.aws/credentials (or aws-vault's store) into the keystore",
     command<ImportInput, bind_import, run_import>},
    {"backends", "", "list keystore backends and whether they work here",
     command<BackendsInput, bind_backends, run_backends>},
    {"migrate", "", "copy stored keys and sessions to another backend",
     command<MigrateInput, bind_migrate, run_migrate>},
    {"version", "", "print kura's version",
     [](Invocation& in) {
       in.deps.write_out(KURA_VERSION "\n");
       return 0;
     }},
    {"help", "", "help for kura, or for a command (kura help exec)", nullptr},
}};

void bind_global_flags(FlagSet& flags) {
  for (const SettingSpec& spec : setting_specs()) {
    if (!spec.flag.empty()) {
      flags.collect(std::string(spec.flag), std::string(spec.value_name), !spec.value_name.empty(),
                    std::string(spec.help));
    }
  }
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& spec : k_commands) {
    if (spec.name == name || (!spec.alias.empty() && spec.alias == name)) return &spec;
  }
  return nullptr;
}

std::string main_help() {
  std::string text =
      "kura: AWS credentials from your OS keystore, with MFA sessions cached encrypted\n\n"
      "usage: kura [global flags] COMMAND [flags] [args]\n\ncommands:\n";
  for (const CommandSpec& spec : k_commands) {
    std::string name(spec.name);
    if (!spec.alias.empty()) name += ", " + std::string(spec.alias);
    name.resize(std::max<size_t>(name.size() + 2, 14), ' ');
    text += "  " + name + std::string(spec.summary) + "\n";
  }
  text += "\nglobal flags and variables:\n" + settings_help();
  text += "\n`kura help COMMAND` (or `kura COMMAND --help`) for a command's flags; README.md for the rest.\n";
  return text;
}

int usage_error(const Error& error, std::string_view name) {
  Error shown = error;
  if (shown.hint.empty()) {
    shown.hint = name.empty() ? "run `kura --help` for usage"
                              : "run `kura " + std::string(name) + " --help` for usage";
  }
  log_error(shown);
  return 2;
}

int run_parsed(Invocation& in, FlagSet& flags, const std::function<Result<void>(Context&)>& run) {
  bind_global_flags(flags);
  auto parsed = flags.parse(in.args, in.first);
  if (flags.help_requested()) {
    in.deps.write_out(flags.help("kura " + std::string(in.name)));
    return 0;
  }
  if (!parsed) return usage_error(parsed.error().context(std::string(in.name)), in.name);
  std::map<std::string, std::string> global;
  for (const auto& [flag, value] : flags.collected()) global[flag] = value;
  auto settings = resolve_settings(in.deps.env, global);
  if (!settings) {
    log_error(settings.error());
    return 1;
  }
  set_debug(settings->debug);
  Context context(in.deps, std::move(*settings));
  if (auto result = run(context); !result) {
    log_error(result.error());
    return context.error_exit_code();
  }
  return context.exit_code();
}

}  // namespace

int run_cli(const std::vector<std::string>& args, AppDeps& deps) {
  // Global flags may come before the command: find the command's name without building any parser.
  size_t at = 0;
  while (at < args.size() && args[at].size() > 1 && args[at][0] == '-') {
    const std::string& arg = args[at];
    if (arg == "--help" || arg == "-h") {
      deps.write_out(main_help());
      return 0;
    }
    if (arg == "--version") {
      deps.write_out(KURA_VERSION "\n");
      return 0;
    }
    const SettingSpec* global = nullptr;
    for (const SettingSpec& spec : setting_specs()) {
      if (!spec.flag.empty() && (arg == spec.flag || arg.rfind(std::string(spec.flag) + "=", 0) == 0))
        global = &spec;
    }
    if (!global) {
      return usage_error(make_error("unknown flag '" + arg.substr(0, arg.find('=')) + "' before the command"),
                         "");
    }
    at += (!global->value_name.empty() && arg.find('=') == std::string::npos) ? 2 : 1;
  }
  if (at >= args.size()) {
    deps.write_out(main_help());
    return usage_error(make_error("a command is required"), "");
  }
  const std::string& name = args[at];
  const CommandSpec* spec = find_command(name);
  if (!spec) {
    std::vector<std::string> names;
    names.reserve(k_commands.size());
    for (const CommandSpec& command : k_commands) names.emplace_back(command.name);
    auto suggestion = closest_match(name, names);
    return usage_error(make_error("unknown command '" + name + "'" +
                                  (suggestion ? "; did you mean '" + *suggestion + "'?" : "")),
                       "");
  }
  if (spec->name == "help") {
    if (at + 1 < args.size()) {
      if (const CommandSpec* about = find_command(args[at + 1]); about && about->run) {
        std::vector<std::string> help_args{args[at + 1], "--help"};
        Invocation in{help_args, 1, deps, about->name};
        return about->run(in);
      }
    }
    deps.write_out(main_help());
    return 0;
  }
  // The global flags before the command are parsed with the command's own (they are the same set).
  std::vector<std::string> reordered(args.begin() + static_cast<long>(at) + 1, args.end());
  reordered.insert(reordered.begin(), args.begin(), args.begin() + static_cast<long>(at));
  Invocation in{reordered, 0, deps, spec->name};
  return spec->run(in);
}

}  // namespace kura
