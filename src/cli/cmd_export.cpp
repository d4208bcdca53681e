// kura export: print credentials for the shell, for credential_process (json, Version 1), or as an INI
// section.
#include "aws/render.h"
#include "cli/commands.h"
#include "util/strings.h"

namespace kura {

void bind_export(FlagSet& flags, ExportInput& input) {
  bind_credential_flags(flags, input.flags);
  flags.option(
      "--format,-f", "F", &input.format,
      "env (export lines; export-env too), dotenv (NAME=value), json (credential_process), ini, fish or "
      "powershell; as aws-vault: env is dotenv");
  flags.suggest("--format", {"env", "export-env", "dotenv", "json", "ini", "fish", "powershell"});
  flags.flag("--stdout", &input.print_url, "print sign-in URLs instead of opening a browser");
}

Result<void> run_export(Context& context, const ExportInput& input) {
  std::string name = input.format.value_or("env");
  // aws-vault's env format has no `export`: its export-env has.
  if (context.settings().persona == Persona::aws_vault && name == "env") name = "dotenv";
  auto format = credential_format(name);
  if (!format) {
    return make_error("--format: unknown format '" + name + "'",
                      "use env, export-env, dotenv, json, ini, fish or powershell");
  }
  if (context.settings().persona == Persona::aws_vault && !exported_by_use(context.env())) {
    if (auto vault = context.env().get("AWS_VAULT"); vault && !vault->empty()) {
      return make_error("in an existing aws-vault subshell for '" + printable(*vault) + "'",
                        "'exit' from the subshell, or unset AWS_VAULT to force");
    }
  }
  auto creds = credentials_for(context, input.flags);
  if (!creds) return creds.error();
  Secret text =
      render_credentials(creds->obtained.credentials, *format, {creds->profile.name, creds->region, {}});
  context.out(text.view());
  return {};
}

}  // namespace kura
