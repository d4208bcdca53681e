// The command line. The only file that knows CLI11; each command binds its flags into its input struct here.
#include "cli/app.h"

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "util/log.h"

namespace kura {

namespace {

constexpr const char* k_version = "0.1.0";

void bind_credential_flags(CLI::App* command, CredentialFlags& flags) {
  command->add_option("profile", flags.profile, "Profile name in ~/.aws/config")->required();
  command->add_option("--duration,-d", flags.duration, "Session duration, e.g. 1h, 45m, 3600");
  command->add_flag("--no-session,-n", flags.no_session,
                    "Skip GetSessionToken; use the long-term key directly");
  command->add_option("--mfa-token,-t", flags.mfa_token, "The MFA code, instead of asking on the terminal");
  command->add_option("--region", flags.region, "Region for STS and for the credentials' environment");
  command->add_option("--prompt", flags.prompt,
                      "MFA prompt: terminal, zenity, kdialog, osascript, ykman, mfa_process");
}

}  // namespace

int run_cli(const std::vector<std::string>& args, AppDeps& deps) {
  CLI::App app{"kura: AWS credentials from your OS keystore, with MFA sessions cached encrypted", "kura"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags work after the command too: `kura exec --backend pass prod`
  app.set_version_flag("--version", k_version);
  GlobalOptions global;
  app.add_option("--backend", global.backend,
                 "secret-service, pass, kernel or file (default: KURA_BACKEND, or chosen)");
  app.add_option("--session-backend", global.session_backend,
                 "Keep sessions in another backend (e.g. kernel)");
  app.add_option("--pass-dir", global.pass_dir,
                 "pass's store (default: PASSWORD_STORE_DIR, ~/.password-store)");
  app.add_flag("--debug", global.debug, "Explain what kura does on stderr (secrets masked)");

  AddInput add;
  ListInput list;
  RemoveInput remove;
  ExecInput exec;
  ExportInput exp;
  ClearInput clear;
  MfaCommandInput mfa;
  ImportInput import;
  MigrateInput migrate;

  CLI::App* add_cmd = app.add_subcommand("add", "Store a long-term access key for a profile");
  add_cmd->add_option("profile", add.profile, "Profile name")->required();
  add_cmd->add_flag("--env", add.from_env,
                    "Read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment");

  CLI::App* list_cmd = app.add_subcommand("list", "List profiles, stored keys and cached sessions");
  list_cmd->alias("ls");
  list_cmd->add_flag("--profiles", list.profiles_only, "Only profile names");
  list_cmd->add_flag("--credentials", list.credentials_only, "Only profiles with a stored key");
  list_cmd->add_flag("--sessions", list.sessions_only, "Only cached sessions");

  CLI::App* remove_cmd = app.add_subcommand("remove", "Remove a profile's stored key and its sessions");
  remove_cmd->alias("rm");
  remove_cmd->add_option("profile", remove.profile, "Profile name")->required();
  remove_cmd->add_flag("--force,-f", remove.force, "Do not ask for confirmation");

  CLI::App* exec_cmd =
      app.add_subcommand("exec", "Run a command with temporary credentials (default: $SHELL)");
  bind_credential_flags(exec_cmd, exec.flags);
  exec_cmd->add_option("command", exec.command, "The command and its arguments, after --");
  exec_cmd->add_flag("--imds-server", exec.imds_server,
                     "Give the command a local IMDS endpoint (IMDSv2) instead of keys");
  exec_cmd->add_flag("--imds-v1", exec.imds_v1, "Also answer IMDSv1 requests (no token) on that endpoint");
  exec_cmd->add_flag("--allow-role-arn", exec.allow_role_arn,
                     "ECS: also serve /role-arn/<arn> to the command");
  exec_cmd->add_flag(
      "--ecs-server", exec.ecs_server,
      "Give the command a local ECS credential endpoint (renewed credentials) instead of keys");

  CLI::App* export_cmd =
      app.add_subcommand("export", "Print credentials (env, json for credential_process, ...)");
  bind_credential_flags(export_cmd, exp.flags);
  export_cmd->add_option("--format,-f", exp.format, "env, json, ini, fish or powershell");

  CLI::App* clear_cmd = app.add_subcommand("clear", "Remove cached sessions (of one profile, or all)");
  clear_cmd->add_option("profile", clear.profile, "Profile name");

  CLI::App* mfa_cmd =
      app.add_subcommand("mfa", "aws-mfa's workflow: write a short-term profile into ~/.aws/credentials");
  mfa_cmd->add_option("--profile", mfa.profile, "Profile name (default: AWS_PROFILE, then 'default')");
  mfa_cmd->add_option("--device", mfa.device, "MFA device ARN (or MFA_DEVICE, aws_mfa_device, mfa_serial)");
  mfa_cmd->add_option("--assume-role,--assume", mfa.assume_role, "Role ARN to assume (or MFA_ASSUME_ROLE)");
  mfa_cmd->add_option("--role-session-name", mfa.role_session_name,
                      "Role session name (default: login name)");
  mfa_cmd->add_option("--duration", mfa.duration,
                      "Seconds (or MFA_STS_DURATION); 3600 with a role, else 43200");
  mfa_cmd->add_option("--long-term-suffix,--long-suffix", mfa.long_suffix,
                      "Long-term section suffix ('none')");
  mfa_cmd->add_option("--short-term-suffix,--short-suffix", mfa.short_suffix, "Short-term section suffix");
  mfa_cmd->add_option("--token,--mfa-token", mfa.token, "The MFA code, instead of asking on the terminal");
  mfa_cmd->add_option("--region", mfa.region, "Region for STS");
  mfa_cmd->add_option("--external-id", mfa.external_id, "External id for the role");
  mfa_cmd->add_option("--log-level", mfa.log_level, "CRITICAL, ERROR, WARNING, INFO, DEBUG or NOTSET")
      ->check(CLI::IsMember({"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "NOTSET"}));
  mfa_cmd->add_flag("--force", mfa.force, "Refresh credentials even if currently valid");
  mfa_cmd->add_flag("--setup", mfa.setup,
                    "Store a long-term key (encrypted) and the MFA device for a profile");

  CLI::App* import_cmd =
      app.add_subcommand("import", "Move plaintext keys from ~/.aws/credentials into the keystore");
  import_cmd->add_option("profiles", import.profiles, "Sections to import (e.g. dev-long-term)");
  import_cmd->add_flag("--all", import.all, "Every section with a long-term key");
  import_cmd->add_flag("--dry-run", import.dry_run, "Only say what would be imported");
  import_cmd->add_option("--from", import.from, "aws-vault: import aws-vault's stored keys");
  import_cmd->add_option("--aws-vault-backend", import.aws_vault_backend,
                         "aws-vault's backend: file, pass or secret-service");
  import_cmd->add_option("--aws-vault-dir", import.aws_vault_dir,
                         "aws-vault's file store (~/.awsvault/keys)");
  import_cmd->add_option("--aws-vault-prefix", import.aws_vault_prefix, "aws-vault's pass prefix");
  import_cmd->add_option("--aws-vault-collection", import.aws_vault_collection,
                         "aws-vault's Secret Service collection (awsvault)");

  LoginInput login;
  CLI::App* login_cmd = app.add_subcommand("login", "Open the AWS console for a profile (or print the URL)");
  bind_credential_flags(login_cmd, login.flags);
  auto* path_option = login_cmd->add_option("--path", login.path, "Console path, e.g. /s3");
  login_cmd->add_option("--destination", login.destination, "A full console URL to land on")
      ->excludes(path_option);
  login_cmd->add_flag("--stdout", login.to_stdout, "Print the URL instead of opening a browser");
  login_cmd->add_flag("--browser-profile", login.browser_profile,
                      "A separate browser profile per kura profile");
  login_cmd->add_option("--policy-arn", login.policy_arn,
                        "IAM users: limit the federation token to this policy");

  ServeInput serve;
  CLI::App* serve_cmd =
      app.add_subcommand("serve", "Serve credentials on a local endpoint until interrupted");
  bind_credential_flags(serve_cmd, serve.flags);
  serve_cmd->add_flag("--ecs", serve.ecs, "The ECS container-credentials protocol");
  serve_cmd->add_flag("--imds", serve.imds, "The EC2 instance metadata protocol (IMDSv2)");
  serve_cmd->add_flag("--imds-v1", serve.imds_v1, "Also answer IMDSv1 requests (no token)");
  serve_cmd->add_flag("--allow-role-arn", serve.allow_role_arn, "ECS: also serve /role-arn/<arn>");
  serve_cmd->add_option("--port", serve.port, "Port on 127.0.0.1 (default: any free one)");

  CLI::App* backends_cmd =
      app.add_subcommand("backends", "List keystore backends and whether they work here");

  CLI::App* migrate_cmd = app.add_subcommand("migrate", "Copy stored keys and sessions to another backend");
  migrate_cmd->add_option("--from", migrate.from, "Source backend")->required();
  migrate_cmd->add_option("--to", migrate.to, "Destination backend")->required();
  migrate_cmd->add_option("--profile", migrate.profile, "Only this profile's key and sessions");
  migrate_cmd->add_flag("--dry-run", migrate.dry_run, "Only say what would be copied");
  migrate_cmd->add_flag("--delete-source", migrate.delete_source,
                        "Delete from the source once all copies verify");

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    deps.write_out(app.help());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    deps.write_out(app.help("", CLI::AppFormatMode::All));
    return 0;
  } catch (const CLI::CallForVersion&) {
    deps.write_out(std::string(k_version) + "\n");
    return 0;
  } catch (const CLI::ParseError& e) {
    // Subcommand help (`kura exec --help`) arrives as CallForHelp from the subcommand too.
    if (e.get_exit_code() == 0) {
      for (CLI::App* sub : app.get_subcommands()) deps.write_out(sub->help());
      return 0;
    }
    log_error(make_error(e.what(), "run `kura --help` for usage"));
    return 2;
  }

  set_debug(global.debug);
  Context context(deps, global);
  Result<void> result;
  if (add_cmd->parsed()) result = run_add(context, add);
  if (list_cmd->parsed()) result = run_list(context, list);
  if (remove_cmd->parsed()) result = run_remove(context, remove);
  if (exec_cmd->parsed()) result = run_exec(context, exec);
  if (export_cmd->parsed()) result = run_export(context, exp);
  if (clear_cmd->parsed()) result = run_clear(context, clear);
  if (mfa_cmd->parsed()) result = run_mfa(context, mfa);
  if (import_cmd->parsed()) result = run_import(context, import);
  if (backends_cmd->parsed()) result = run_backends(context);
  if (serve_cmd->parsed()) result = run_serve(context, serve);
  if (login_cmd->parsed()) result = run_login(context, login);
  if (migrate_cmd->parsed()) result = run_migrate(context, migrate);
  if (!result) {
    log_error(result.error());
    return 1;
  }
  return context.exit_code();
}

}  // namespace kura
