// Context: lazily opened resources shared by the commands.
#include "cli/context.h"

#include "aws/endpoints.h"
#include "util/log.h"

namespace kura {

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

}  // namespace kura
