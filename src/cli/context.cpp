// Context: lazily opened resources shared by the commands.
#include "cli/context.h"

#include "aws/endpoints.h"
#include "keyring/backends.h"
#include "keyring/file_store.h"
#include "keyring/kernel_keyring.h"
#include "keyring/split.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

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
    Environment keystore_env = env();
    if (!m_global.session_backend.empty()) keystore_env.set("KURA_SESSION_BACKEND", m_global.session_backend);
    if (!m_global.pass_dir.empty()) keystore_env.set("PASSWORD_STORE_DIR", m_global.pass_dir);
    auto opened = m_deps.open_keystore(backend, keystore_env, m_deps.prompt);
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
  // Session refresh locks live where the user's other processes see them, never on a shared path.
  std::string locks = env().get("XDG_RUNTIME_DIR")
                          ? *env().get("XDG_RUNTIME_DIR") + "/kura/locks"
                          : env().get("XDG_CACHE_HOME").value_or(env().home() + "/.cache") + "/kura/locks";
  std::chrono::milliseconds wait{120'000};
  if (auto timeout = env().get("KURA_LOCK_TIMEOUT")) {
    auto parsed = parse_duration(*timeout);
    if (!parsed) return parsed.error().context("KURA_LOCK_TIMEOUT");
    wait = *parsed;
  }
  deps.lock_session = [locks, wait](const std::string& id) -> Result<FileLock> {
    if (auto made = make_directories(locks, 0700); !made) return made.error();
    return lock_file(locks + "/" + id + ".lock", wait);
  };
  return obtain_credentials(profile, deps, options);
}

namespace {

Result<std::unique_ptr<Keystore>> open_file_store(const Environment& env, Prompt& prompt) {
  FileStoreOptions options;
  options.directory = file_store_directory(env);
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

std::string backend_record(const Environment& env) {
  return env.get("XDG_CONFIG_HOME").value_or(env.home() + "/.config") + "/kura/backend";
}

// The backend kura chose for this user before, if any.
std::optional<std::string> recorded_backend(const Environment& env) {
  auto text = read_file(backend_record(env));
  if (!text || !*text) return std::nullopt;
  std::string name(trim(**text));
  if (name.empty()) return std::nullopt;
  return name;
}

// Remembers an automatic choice, so that a later run with the same keys never silently uses another store.
class RecordingKeystore final : public Keystore {
 public:
  RecordingKeystore(std::unique_ptr<Keystore> inner, std::string record)
      : m_inner(std::move(inner)), m_record(std::move(record)) {}
  std::string name() const override { return m_inner->name(); }
  Result<std::optional<Secret>> get(const std::string& item) override { return m_inner->get(item); }
  Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) override {
    auto stored = m_inner->set(item, value, lifetime);
    if (stored && !m_recorded) {
      m_recorded = true;
      if (make_directories(parent_directory(m_record), 0700) &&
          write_file_atomic(m_record, name() + "\n", 0600)) {
        log_note("using the " + name() + " backend for keys (recorded in " + m_record +
                 "; change with --backend or KURA_BACKEND)");
      }
    }
    return stored;
  }
  Result<bool> remove(const std::string& item) override { return m_inner->remove(item); }
  Result<std::vector<std::string>> list() override { return m_inner->list(); }

 private:
  std::unique_ptr<Keystore> m_inner;
  std::string m_record;
  bool m_recorded = false;
};

}  // namespace

std::string file_store_directory(const Environment& env) {
  return env.get("KURA_FILE_DIR").value_or(env.data_home() + "/kura/file-store");
}

BackendOptions backend_options(const Environment& env) {
  BackendOptions options;
  options.pass_dir = env.get("PASSWORD_STORE_DIR");
  if (auto prefix = env.get("KURA_PASS_PREFIX")) options.pass_prefix = *prefix;
  return options;
}

Result<std::string> choose_backend(const std::string& requested, const Environment& env) {
  if (!requested.empty()) return requested;
  if (auto recorded = recorded_backend(env)) return *recorded;
  if (file_exists(file_store_directory(env) + "/store.json")) return std::string("file");  // from before
  BackendOptions options = backend_options(env);
  if (probe_secret_service()) return std::string("secret-service");
  if (probe_pass(options)) return std::string("pass");
  return std::string("file");
}

Result<std::unique_ptr<Keystore>> open_named_backend(const std::string& name, const Environment& env,
                                                     Prompt& prompt) {
  if (name == "file") return open_file_store(env, prompt);
  auto opened = open_backend(name, backend_options(env));
  if (!opened) {
    Error error = opened.error();
    if (error.hint.empty()) error.hint = "see `kura backends` for what works here";
    return error.context("backend '" + name + "'");
  }
  return opened;
}

Result<std::unique_ptr<Keystore>> open_default_keystore(const std::string& requested, const Environment& env,
                                                        Prompt& prompt) {
  bool automatic = requested.empty() && !recorded_backend(env);
  auto name = choose_backend(requested, env);
  if (!name) return name.error();
  auto keys = open_named_backend(*name, env, prompt);
  if (!keys) return keys;
  std::unique_ptr<Keystore> store = std::move(*keys);
  if (automatic) store = std::make_unique<RecordingKeystore>(std::move(store), backend_record(env));
  if (auto sessions_name = env.get("KURA_SESSION_BACKEND"); sessions_name && *sessions_name != *name) {
    auto sessions = open_named_backend(*sessions_name, env, prompt);
    if (!sessions) return sessions.error().context("KURA_SESSION_BACKEND");
    store = std::make_unique<SplitKeystore>(std::move(store), std::move(*sessions));
  }
  return store;
}

}  // namespace kura
