// Context: what every command gets — its dependencies (seams) and lazily opened config, keystore and STS.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/http.h"
#include "aws/sts.h"
#include "config/profiles.h"
#include "creds/provider.h"
#include "keyring/backends.h"
#include "keyring/keystore.h"
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
  std::function<Result<std::unique_ptr<Keystore>>(const std::string& backend, const Environment& env,
                                                  Prompt& prompt)>
      open_keystore;
  std::function<std::unique_ptr<HttpTransport>(const HttpOptions& options)> make_transport;
  std::function<void(std::string_view)> write_out;  // stdout
};

struct GlobalOptions {
  std::string backend;          // --backend / KURA_BACKEND; empty: the default
  std::string session_backend;  // --session-backend / KURA_SESSION_BACKEND
  std::string pass_dir;         // --pass-dir / PASSWORD_STORE_DIR
  bool debug = false;
};

class Context {
 public:
  Context(AppDeps& deps, GlobalOptions global) : m_deps(deps), m_global(std::move(global)) {}

  AppDeps& deps() { return m_deps; }
  // The process exit status when the command succeeds (a child's, for exec --ecs-server).
  int exit_code() const { return m_exit_code; }
  void set_exit_code(int code) { m_exit_code = code; }
  const Environment& env() const { return m_deps.env; }
  void out(std::string_view text) { m_deps.write_out(text); }

  Result<const ConfigFiles*> files();
  Result<Keystore*> keystore();
  Result<Profile> profile(const std::string& name);
  // Runs the provider for a profile; `region` decides the STS endpoint.
  Result<ObtainedCredentials> credentials(const Profile& profile, const std::string& region,
                                          const ProviderOptions& options);
  // The STS client for a profile's endpoint in `region` (made once per run).
  Result<StsClient*> sts(const Profile& profile, const std::string& region);
  // --duration, --no-session and --mfa-token as provider options (AWS_ROLE_SESSION_NAME, refresh window).
  Result<ProviderOptions> provider_options(const std::optional<std::string>& duration, bool no_session,
                                           const std::optional<std::string>& mfa_token);

 private:
  AppDeps& m_deps;
  GlobalOptions m_global;
  int m_exit_code = 0;
  std::optional<ConfigFiles> m_files;
  std::unique_ptr<Keystore> m_keystore;
  std::unique_ptr<HttpTransport> m_transport;
  std::unique_ptr<RetryingTransport> m_retrying;
  std::unique_ptr<StsClient> m_sts;
};

// The default keystore opener. `backend` (from --backend or KURA_BACKEND) wins; else the backend recorded
// when kura first stored a key; else the first that works: Secret Service, pass, the encrypted file store. An
// automatic choice is recorded (and said) on the first write. KURA_SESSION_BACKEND puts sessions elsewhere.
Result<std::unique_ptr<Keystore>> open_default_keystore(const std::string& backend, const Environment& env,
                                                        Prompt& prompt);
Result<std::unique_ptr<Keystore>> open_named_backend(const std::string& name, const Environment& env,
                                                     Prompt& prompt);
Result<std::string> choose_backend(const std::string& requested, const Environment& env);
std::string file_store_directory(const Environment& env);
BackendOptions backend_options(const Environment& env);

}  // namespace kura
