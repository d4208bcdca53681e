// Context: lazily opened resources shared by the commands.
#include "cli/context.h"

#include "aws/endpoints.h"
#include "keyring/file_store.h"
#include "keyring/kernel_keyring.h"
#include "util/log.h"

namespace kura {

Result<const ConfigFiles*> Context::files() {
  if (!m_files) {
    auto loaded = ConfigFiles::load(env());
    if (!loaded) return loaded.error();
    m_files = std::move(*loaded);
  }
  return &*m_files;
}

Result<Keystore*> Context::keystore() {
  if (!m_keystore) {
    std::string backend =
        m_global.backend.empty() ? env().get("KURA_BACKEND").value_or("") : m_global.backend;
    auto opened = m_deps.open_keystore(backend, env(), m_deps.prompt);
    if (!opened) return opened.error();
    m_keystore = std::move(*opened);
    log_debug("keystore: " + m_keystore->name());
  }
  return m_keystore.get();
}

Result<Profile> Context::profile(const std::string& name) {
  auto loaded = files();
  if (!loaded) return loaded.error();
  return resolve_profile(**loaded, name);
}

Result<ProviderOptions> Context::provider_options(const std::optional<std::string>& duration, bool no_session,
                                                  const std::optional<std::string>& mfa_token) {
  ProviderOptions options;
  if (duration) {
    auto parsed = parse_duration(*duration);
    if (!parsed) return parsed.error().context("--duration");
    if (parsed->count() < 900) {
      return make_error("--duration: " + *duration + " is shorter than STS allows",
                        "use at least 15m (900 seconds)");
    }
    options.plan.duration = *parsed;
  }
  options.plan.no_session = no_session;
  options.plan.role_session_name = env().get("AWS_ROLE_SESSION_NAME");
  options.mfa_token = mfa_token;
  if (auto window = env().get("KURA_SESSION_REFRESH")) {
    auto parsed = parse_duration(*window);
    if (!parsed) return parsed.error().context("KURA_SESSION_REFRESH");
    options.refresh_window = *parsed;
  }
  return options;
}

Result<StsClient*> Context::sts(const Profile& profile, const std::string& region) {
  if (!m_sts) {
    m_transport = m_deps.make_transport(HttpOptions::from_environment(env(), profile.ca_bundle));
    m_retrying = std::make_unique<RetryingTransport>(*m_transport, m_deps.clock);
    m_sts =
        std::make_unique<StsClient>(*m_retrying, m_deps.clock, resolve_sts_endpoint(region, profile, env()));
  }
  return m_sts.get();
}

Result<ObtainedCredentials> Context::credentials(const Profile& profile, const std::string& region,
                                                 const ProviderOptions& options) {
  auto store = keystore();
  if (!store) return store.error();
  auto loaded = files();
  if (!loaded) return loaded.error();
  ProviderDeps deps{**store, m_deps.prompt, m_deps.clock, **loaded,
                    [&]() -> Result<StsClient*> { return sts(profile, region); }};
  return obtain_credentials(profile, deps, options);
}

Result<std::unique_ptr<Keystore>> open_default_keystore(const std::string& backend, const Environment& env,
                                                        Prompt& prompt) {
  if (!backend.empty() && backend != "file") {
    return make_error("unknown backend '" + backend + "'", "available here: file");
  }
  FileStoreOptions options;
  options.directory = env.get("KURA_FILE_DIR").value_or(env.data_home() + "/kura/file-store");
  std::optional<std::string> from_env = env.get("KURA_FILE_PASSPHRASE");
  options.passphrase = [from_env, &prompt](bool confirm) -> Result<Secret> {
    if (from_env) return Secret(std::string_view(*from_env));
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
  static KernelKeyCache kernel_cache;
  options.key_cache = &kernel_cache;
  if (auto ttl = env.get("KURA_FILE_KEY_TTL")) {
    auto parsed = parse_duration(*ttl);
    if (!parsed) return parsed.error().context("KURA_FILE_KEY_TTL");
    options.key_cache_ttl = *parsed;
  }
  // Cheap key derivation, for test suites only: a store made this way is weak against guessing.
  if (env.get("KURA_FILE_KDF").value_or("") == "insecure-fast-for-tests") options.kdf = KdfParams{1, 8192};
  return std::unique_ptr<Keystore>(std::make_unique<FileStore>(std::move(options)));
}

}  // namespace kura
