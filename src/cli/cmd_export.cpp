// kura export: print credentials for the shell, for credential_process (json, Version 1), or as an INI
// section.
#include "aws/render.h"
#include "cli/commands.h"

namespace kura {

void bind_export(FlagSet& flags, ExportInput& input) {
  bind_credential_flags(flags, input.flags);
  flags.option("--format,-f", "F", &input.format, "env, json, ini, fish or powershell");
}

Result<void> run_export(Context& context, const ExportInput& input) {
  auto format = credential_format(input.format);
  if (!format) {
    return make_error("--format: unknown format '" + input.format + "'",
                      "use env, json, ini, fish or powershell");
  }
  auto creds = credentials_for(context, input.flags);
  if (!creds) return creds.error();
  Secret text =
      render_credentials(creds->obtained.credentials, *format, {creds->profile.name, creds->region, {}});
  context.out(text.view());
  return {};
}

}  // namespace kura
