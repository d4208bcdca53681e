// The commands. Each has an input struct, a function that only binds its flags, and a function that runs it
// against a Context (no argv, no parser): a command runs in a unit test without a terminal or a network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/bulk.h"
#include "cli/context.h"
#include "cli/credentials.h"
#include "cli/shell.h"

namespace kura {

struct AddInput {
  std::string profile;
  bool from_env = false;  // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY instead of prompts
  // Add [profile NAME] to ~/.aws/config when it has none: aws-vault does by default (--no-add-config).
  std::optional<bool> add_config;
  bool verify = true;  // GetCallerIdentity before storing (--no-verify: offline)
};
void bind_add(FlagSet& flags, AddInput& input);
Result<void> run_add(Context& context, const AddInput& input);

struct ListInput {
  bool profiles_only = false;
  bool credentials_only = false;
  bool sessions_only = false;
};
void bind_list(FlagSet& flags, ListInput& input);
Result<void> run_list(Context& context, const ListInput& input);

struct RemoveInput {
  std::string profile;
  bool force = false;
  bool sessions_only = false;  // aws-vault's -s: only the profile's cached sessions (kura clear PROFILE)
};
void bind_remove(FlagSet& flags, RemoveInput& input);
Result<void> run_remove(Context& context, const RemoveInput& input);

struct ClearInput {
  std::optional<std::string> profile;
};
void bind_clear(FlagSet& flags, ClearInput& input);
Result<void> run_clear(Context& context, const ClearInput& input);

struct ExecInput {
  CredentialFlags flags;
  std::vector<std::string> command;  // empty: $SHELL
  bool ecs_server = false;           // serve credentials on a local ECS endpoint instead of the environment
  bool imds_server = false;          // or on a local IMDS endpoint
  bool imds_v1 = false;              // allow IMDSv1 (no token) on it
  bool allow_role_arn = false;       // ECS: also serve /role-arn/<arn> (roles assumed with the served ones)
  bool json = false;                 // aws-vault's -j: print credential_process JSON instead of running
  bool lazy = false;                 // aws-vault's --lazy: accepted (kura fetches before the command starts)
  bool print_url = false;            // aws-vault's --stdout: print sign-in URLs instead of opening a browser
  bool profile_env = false;          // aws-vault's --profile-env: the child gets AWS_PROFILE, not keys
};
void bind_exec(FlagSet& flags, ExecInput& input);
// Returns only on failure: on success the process becomes the command.
Result<void> run_exec(Context& context, const ExecInput& input);
Result<void> run_exec_with_server(Context& context, const ExecInput& input);

// kura serve: a local ECS or IMDS endpoint in the foreground until interrupted.
struct ServeInput {
  CredentialFlags flags;
  bool ecs = false;
  bool imds = false;
  bool imds_v1 = false;
  bool allow_role_arn = false;
  std::optional<std::string> port;
};
void bind_serve(FlagSet& flags, ServeInput& input);
Result<void> run_serve(Context& context, const ServeInput& input);

struct ExportInput {
  CredentialFlags flags;
  std::optional<std::string> format;  // env (default), export-env, dotenv, json, ini, fish, powershell
  bool print_url = false;             // aws-vault's --stdout (sign-in URLs)
};
void bind_export(FlagSet& flags, ExportInput& input);
Result<void> run_export(Context& context, const ExportInput& input);

// kura each: a command run once per profile, concurrently, each with its profile's credentials as exec gives
// them.
struct EachInput {
  BulkFlags bulk;
  bool group = false;                // each profile's output whole, instead of prefixed lines
  std::vector<std::string> command;  // after --
};
void bind_each(FlagSet& flags, EachInput& input);
Result<void> run_each(Context& context, const EachInput& input);

// kura trust: the trust policy of each profile's role (show, diff, apply, add/remove principals).
struct TrustInput {
  std::string action;  // show, diff, apply, add, remove
  BulkFlags bulk;
  std::optional<std::string> role_name;  // another role in the profile's account than its role_arn's
  std::string format = "text";           // show: text or json
  std::optional<std::string> policy;     // diff, apply: the policy file
  std::vector<std::string> principals;   // add, remove
  bool dry_run = false;
  bool yes = false;
};
void bind_trust(FlagSet& flags, TrustInput& input);
Result<void> run_trust(Context& context, const TrustInput& input);

// kura rotate (and aws-vault rotate): a new access key in place of the old.
struct RotateInput {
  std::optional<std::string> profile;
  std::optional<std::string> mfa_token;
  bool no_session = false;
};
void bind_rotate(FlagSet& flags, RotateInput& input);
Result<void> run_rotate(Context& context, const RotateInput& input);

// kura rename OLD NEW: a stored key under another profile name.
struct RenameInput {
  std::string from;
  std::string to;
};
void bind_rename(FlagSet& flags, RenameInput& input);
Result<void> run_rename(Context& context, const RenameInput& input);

// kura sso: IAM Identity Center sign-in, sign-out and profiles for every account and role.
constexpr const char* k_default_populate_template = "{account_name}.{role_name}";
struct SsoInput {
  std::string action;  // login, logout, populate
  std::optional<std::string> profile;
  std::optional<std::string> sso_session;
  bool use_device_code = false;
  bool no_browser = false;
  std::string name_template = k_default_populate_template;
  std::optional<std::string> region;
  bool prune = false;
  bool dry_run = false;
};
void bind_sso(FlagSet& flags, SsoInput& input);
Result<void> run_sso(Context& context, const SsoInput& input);

// kura mfa (and aws-mfa): aws-mfa's interface, writing a short-term profile into ~/.aws/credentials.
struct MfaCommandInput {
  std::optional<std::string> profile;  // the one profile (from --profile given once)
  std::vector<std::string> profiles;   // every --profile given
  bool all = false;                    // every [NAME-long-term] section (and stored NAME-long-term key)
  std::optional<std::string> device;
  std::optional<std::string> assume_role;
  std::optional<std::string> role_session_name;
  std::optional<std::string> duration;
  std::optional<std::string> long_suffix;
  std::optional<std::string> short_suffix;
  std::optional<std::string> token;
  std::optional<std::string> region;
  std::optional<std::string> external_id;
  std::string log_level = "DEBUG";
  bool force = false;
  bool setup = false;
  // kura mfa enroll PROFILE [--name DEVICE] [--codes C1,C2] [-t CODE] [-n]
  std::optional<std::string> action;          // "enroll", or nothing (aws-mfa's workflow)
  std::optional<std::string> enroll_profile;  // the profile after "enroll"
  std::optional<std::string> device_name;     // --name
  std::optional<std::string> codes;           // --codes C1,C2
  bool no_session = false;                    // -n
};
void bind_mfa(FlagSet& flags, MfaCommandInput& input);
// kura mfa enroll: a virtual MFA device created, shown as a QR code, enabled with two codes, and named as the
// profile's mfa_serial.
Result<void> run_mfa_enroll(Context& context, const MfaCommandInput& input);
Result<void> run_mfa(Context& context, const MfaCommandInput& input);

// kura import: moves plaintext keys from ~/.aws/credentials (or aws-vault's store) into the keystore.
struct ImportInput {
  std::vector<std::string> profiles;  // section names; empty with `all`: every section with a long-term key
  std::optional<std::string> as;      // --as PROFILE: the one section's key stored under this name
  bool all = false;
  bool dry_run = false;
  std::optional<std::string> from;                // "aws-vault": read aws-vault's store instead of the file
  std::string aws_vault_backend = "file";         // aws-vault's backend: file, pass or secret-service
  std::optional<std::string> aws_vault_dir;       // its file directory (AWS_VAULT_FILE_DIR, ~/.awsvault/keys)
  std::optional<std::string> aws_vault_prefix;    // its pass prefix (AWS_VAULT_PASS_PREFIX)
  std::string aws_vault_collection = "awsvault";  // its Secret Service collection
};
void bind_import(FlagSet& flags, ImportInput& input);
Result<void> run_import(Context& context, const ImportInput& input);
Result<void> run_import_aws_vault(Context& context, const ImportInput& input);

// kura backends: each backend, whether it is usable here, and why not.
struct BackendsInput {};
void bind_backends(FlagSet& flags, BackendsInput& input);
Result<void> run_backends(Context& context, const BackendsInput& input);

// kura migrate: copies items between backends, verifies each by reading it back, then optionally deletes.
struct MigrateInput {
  std::string from;
  std::string to;
  std::optional<std::string> profile;
  bool dry_run = false;
  bool delete_source = false;
};
void bind_migrate(FlagSet& flags, MigrateInput& input);
Result<void> run_migrate(Context& context, const MigrateInput& input);

// kura login: a console sign-in URL for a profile, printed or opened in a browser.
struct LoginInput {
  CredentialFlags flags;
  std::optional<std::string> path;         // console path, e.g. /s3
  std::optional<std::string> destination;  // a full console URL instead
  bool to_stdout = false;
  bool browser_profile = false;  // a browser user-data directory per kura profile
  bool auto_logout = false;      // sign out of the console's current session first (aws-vault's -a)
  std::optional<std::string>
      policy_arn;  // GetFederationToken: a managed policy instead of "what the user can"
};
void bind_login(FlagSet& flags, LoginInput& input);
Result<void> run_login(Context& context, const LoginInput& input);

}  // namespace kura
