// Context: lazily opened resources shared by the commands.
#include "cli/context.h"

#include "aws/endpoints.h"
#include "cli/credentials.h"
#include "process/capture.h"
#include "util/log.h"

namespace kura {

namespace {

constexpr std::chrono::minutes k_sign_in_timeout{5};
constexpr size_t k_command_output_limit = size_t{64} * 1024;

}  // namespace

Result<const ConfigFiles*> Context::files() {
  if (!m_files) {
    auto loaded = ConfigFiles::load(env(), m_parse);
    if (!loaded) return loaded.error();
    m_files = std::move(*loaded);
  }
  return &*m_files;
}

Result<Profile> Context::profile(const std::string& name) {
  auto loaded = files();
  if (!loaded) return loaded.error();
  return resolve_profile(**loaded, name);
}

PassphraseSource Context::passphrase() {
  const std::optional<Secret>& given = m_settings.file_passphrase;
  Prompt& prompt = m_deps.prompt;
  return [&given, &prompt](bool confirm) -> Result<Secret> {
    if (given) return given->clone();
    auto first = prompt.ask_secret(confirm ? "Choose a passphrase for kura's new encrypted file store: "
                                           : "Passphrase for kura's file store: ");
    if (!first) return first;
    if (first->empty()) return make_error("the passphrase is empty");
    if (confirm) {
      auto second = prompt.ask_secret("Repeat the passphrase: ");
      if (!second) return second;
      if (second->view() != first->view()) return make_error("the passphrases differ; nothing was stored");
    }
    return first;
  };
}

Result<Keystore*> Context::keystore() {
  if (!m_keystore) {
    auto opened = m_deps.open_keystore(m_settings.keystore, passphrase());
    if (!opened) return opened.error();
    m_keystore = std::move(*opened);
    log_debug("keystore: " + m_keystore->name());
  }
  return m_keystore.get();
}

Result<std::unique_ptr<Keystore>> Context::open_backend(const std::string& name) {
  return open_named_keystore(name, m_settings.keystore, passphrase());
}

Result<StsClient*> Context::sts(const Profile& profile, const std::string& region) {
  if (!m_sts) {
    m_transport = new_transport(profile);
    m_retrying = std::make_unique<RetryingTransport>(*m_transport, m_deps.clock);
    m_sts =
        std::make_unique<StsClient>(*m_retrying, m_deps.clock, resolve_sts_endpoint(region, profile, env()));
  }
  return m_sts.get();
}

std::unique_ptr<HttpTransport> Context::new_transport(const Profile& profile) {
  return m_deps.make_transport(HttpOptions::from_environment(env(), profile.ca_bundle));
}

SessionLocks& Context::session_locks() {
  if (!m_locks) {
    m_locks = std::make_unique<DirectorySessionLocks>(session_lock_directory(env()), m_settings.lock_timeout);
  }
  return *m_locks;
}

Result<std::shared_ptr<SsoTokenSource>> Context::sso_tokens(const SsoSessionConfig& session,
                                                            const std::string& profile_name) {
  std::lock_guard<std::mutex> hold(m_sso_mutex);
  const std::string key = session.cache_key() + "\x1f" + session.start_url + "\x1f" + session.region;
  if (auto it = m_sso.find(key); it != m_sso.end()) return it->second;
  auto files = this->files();
  if (!files) return files.error();
  Profile profile;
  if (!profile_name.empty()) {
    auto resolved = resolve_profile(**files, profile_name);
    if (!resolved) return resolved.error();
    profile = std::move(*resolved);
  }
  auto endpoints = resolve_sso_endpoints(session.region, profile, *files, env());
  if (!endpoints) return endpoints.error();
  const bool browser = !m_sso_choice.no_browser && !m_settings.print_url && can_open_browser(env());
  if (!m_sign_in) m_sign_in = std::make_unique<BrowserSignIn>(env(), browser);

  SsoTokenOptions options;
  options.flow = m_sso_choice.flow.value_or(automatic_sign_in_flow(env()));
  options.may_sign_in = m_deps.prompt.interactive() || m_settings.sso_auto_login;
  options.sign_in_timeout = k_sign_in_timeout;
  std::optional<std::string> ca_bundle = profile.ca_bundle;
  TransportFactory transports = [this, ca_bundle]() -> std::unique_ptr<HttpTransport> {
    return std::make_unique<OwningRetryingTransport>(
        m_deps.make_transport(HttpOptions::from_environment(env(), ca_bundle)), m_deps.clock);
  };
  auto source =
      std::make_shared<SsoTokenSource>(session, std::move(*endpoints), std::move(transports), m_deps.clock,
                                       env(), &sign_in_locks(), m_sign_in.get(), options);
  m_sso.emplace(key, source);
  return source;
}

SessionLocks& Context::sign_in_locks() {
  if (!m_sso_locks) {
    // A waiter may wait for another caller's whole sign-in.
    const std::chrono::milliseconds wait = std::max<std::chrono::milliseconds>(
        m_settings.lock_timeout, k_sign_in_timeout + std::chrono::minutes(1));
    m_sso_locks = std::make_unique<DirectorySessionLocks>(session_lock_directory(env()), wait);
  }
  return *m_sso_locks;
}

CommandOutput Context::command_output() {
  const Environment& environment = env();
  return [&environment](const std::string& command_line) -> Result<Secret> {
    return run_command_output(command_line, child_environment(environment), k_command_output_limit);
  };
}

}  // namespace kura
