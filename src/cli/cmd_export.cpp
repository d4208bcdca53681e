// kura export: print credentials for the shell, for credential_process (json, Version 1), or as an INI
// section.
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "util/strings.h"

namespace kura {

namespace {

std::vector<std::pair<std::string, std::string>> variables(const ProfileCredentials& creds) {
  const Credentials& c = creds.obtained.credentials;
  std::vector<std::pair<std::string, std::string>> vars = {
      {"AWS_ACCESS_KEY_ID", c.access_key_id},
      {"AWS_SECRET_ACCESS_KEY", std::string(c.secret_access_key.view())}};
  if (!c.session_token.empty()) vars.emplace_back("AWS_SESSION_TOKEN", std::string(c.session_token.view()));
  if (c.expiration) vars.emplace_back("AWS_CREDENTIAL_EXPIRATION", format_iso8601(*c.expiration));
  vars.emplace_back("AWS_REGION", creds.region);
  vars.emplace_back("AWS_DEFAULT_REGION", creds.region);
  return vars;
}

}  // namespace

Result<void> run_export(Context& context, const ExportInput& input) {
  static const char* const k_formats[] = {"env", "json", "ini", "fish", "powershell"};
  bool known = false;
  for (const char* format : k_formats) known = known || input.format == format;
  if (!known) {
    return make_error("--format: unknown format '" + input.format + "'",
                      "use env, json, ini, fish or powershell");
  }
  auto creds = credentials_for(context, input.flags);
  if (!creds) return creds.error();
  const Credentials& c = creds->obtained.credentials;

  std::string text;
  if (input.format == "json") {
    // The credential_process contract: Version 1; SessionToken and Expiration only for temporary credentials.
    nlohmann::json json = {{"Version", 1},
                           {"AccessKeyId", c.access_key_id},
                           {"SecretAccessKey", std::string(c.secret_access_key.view())}};
    if (!c.session_token.empty()) json["SessionToken"] = std::string(c.session_token.view());
    if (c.expiration) json["Expiration"] = format_iso8601(*c.expiration);
    text = json.dump() + "\n";
    for (const char* key : {"SecretAccessKey", "SessionToken"}) {
      if (json.contains(key)) wipe_string(json[key].get_ref<std::string&>());
    }
  } else if (input.format == "ini") {
    text = "[" + creds->profile.name + "]\n";
    text += "aws_access_key_id = " + c.access_key_id + "\n";
    text += "aws_secret_access_key = " + std::string(c.secret_access_key.view()) + "\n";
    if (!c.session_token.empty()) text += "aws_session_token = " + std::string(c.session_token.view()) + "\n";
    if (c.expiration) text += "expiration = " + format_iso8601(*c.expiration) + "\n";
    text += "region = " + creds->region + "\n";
  } else {
    auto vars = variables(*creds);
    if (input.format == "env" && c.session_token.empty())
      text += "unset AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION\n";
    for (auto& [name, value] : vars) {
      if (input.format == "env") text += "export " + name + "=" + sh_quote(value) + "\n";
      if (input.format == "fish") text += "set -gx " + name + " " + fish_quote(value) + ";\n";
      if (input.format == "powershell") text += "$env:" + name + " = " + powershell_quote(value) + "\n";
      wipe_string(value);
    }
  }
  context.out(text);
  wipe_string(text);
  return {};
}

}  // namespace kura
