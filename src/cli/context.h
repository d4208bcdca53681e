// Context: what a command runs against — the seams (AppDeps), the resolved Settings, and the config files,
// keystore and STS client, each opened on first use so that a command pays only for what it touches.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/http.h"
#include "aws/sts.h"
#include "cli/settings.h"
#include "cli/sso_sign_in.h"
#include "config/profiles.h"
#include "creds/cached_provider.h"
#include "creds/external_providers.h"
#include "keyring/keystore.h"
#include "keyring/selection.h"
#include "process/runner.h"
#include "prompt/prompt.h"
#include "util/env.h"
#include "util/time.h"

namespace kura {

// The seams. main() wires the real ones; unit tests wire fakes.
struct AppDeps {
  Environment env;
  Clock& clock;
  Prompt& prompt;
  ProcessRunner& runner;
  std::function<Result<std::unique_ptr<Keystore>>(const KeystoreSettings& settings,
                                                  PassphraseSource passphrase)>
      open_keystore;
  std::function<std::unique_ptr<HttpTransport>(const HttpOptions& options)> make_transport;
  std::function<void(std::string_view)> write_out;  // stdout
};

class Context {
 public:
  Context(AppDeps& deps, Settings settings) : m_deps(deps), m_settings(std::move(settings)) {}

  AppDeps& deps() { return m_deps; }
  const Environment& env() const { return m_deps.env; }
  const Settings& settings() const { return m_settings; }
  void out(std::string_view text) { m_deps.write_out(text); }
  // The process exit status when the command succeeds (a child's, for exec --ecs-server).
  int exit_code() const { return m_exit_code; }
  void set_exit_code(int code) { m_exit_code = code; }
  // The exit status when the command fails (2 for the diff-like `kura trust diff`, as diff(1)).
  int error_exit_code() const { return m_error_exit_code; }
  void set_error_exit_code(int code) { m_error_exit_code = code; }
  // Bulk commands read the config from several threads: every section is parsed when the files are loaded.
  // Call before files().
  void parse_config_fully() { m_parse = IniIndex::Parse::fully; }

  Result<const ConfigFiles*> files();
  Result<Profile> profile(const std::string& name);
  Result<Keystore*> keystore();
  // One backend by name, apart from the one in use (kura migrate).
  Result<std::unique_ptr<Keystore>> open_backend(const std::string& name);
  // The file store's passphrase: KURA_FILE_PASSPHRASE, else asked on the terminal (twice for a new store).
  PassphraseSource passphrase();
  // The STS client for a profile's endpoint in `region` (made once per run), and a transport of its own for
  // callers on other threads or endpoints (the console federation endpoint, the ECS /role-arn/ route).
  Result<StsClient*> sts(const Profile& profile, const std::string& region);
  std::unique_ptr<HttpTransport> new_transport(const Profile& profile);
  SessionLocks& session_locks();
  // The token source of an SSO session (one per session and run; safe from several threads). `profile`
  // names the profile whose settings pick the endpoints; empty: the partition's.
  Result<std::shared_ptr<SsoTokenSource>> sso_tokens(const SsoSessionConfig& session,
                                                     const std::string& profile);
  void set_sso_sign_in(SsoSignInChoice choice) { m_sso_choice = choice; }
  // Session locks whose waiters may wait for a whole SSO sign-in in another process.
  SessionLocks& sign_in_locks();
  // Runs credential_process and web_identity_token_process commands.
  CommandOutput command_output();

 private:
  AppDeps& m_deps;
  Settings m_settings;
  int m_exit_code = 0;
  int m_error_exit_code = 1;
  IniIndex::Parse m_parse = IniIndex::Parse::lazily;
  std::optional<ConfigFiles> m_files;
  std::unique_ptr<Keystore> m_keystore;
  std::unique_ptr<HttpTransport> m_transport;
  std::unique_ptr<RetryingTransport> m_retrying;
  std::unique_ptr<StsClient> m_sts;
  std::unique_ptr<DirectorySessionLocks> m_locks;
  std::mutex m_sso_mutex;
  SsoSignInChoice m_sso_choice;
  std::unique_ptr<BrowserSignIn> m_sign_in;
  std::unique_ptr<DirectorySessionLocks> m_sso_locks;
  std::map<std::string, std::shared_ptr<SsoTokenSource>> m_sso;
};

}  // namespace kura
