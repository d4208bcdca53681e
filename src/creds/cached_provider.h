// CachedProvider: the one caching decorator. Around any provider that yields a session it owns the whole
// policy — read the session cache; on a miss take the session's lock, read again (another kura process may
// have refreshed it meanwhile), then ask the inner provider and store what it gives. A hit never touches the
// inner provider, so a cache hit reads no long-term key, asks for no MFA code and makes no STS call by the
// shape of the chain, not by a flag.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "creds/providers.h"
#include "creds/store_items.h"
#include "keyring/keystore.h"
#include "util/env.h"
#include "util/fs.h"
#include "util/time.h"

namespace kura {

// Serialises the refresh of one session across processes, so N callers cause one STS call and one MFA prompt.
class SessionLocks {
 public:
  virtual ~SessionLocks() = default;
  virtual Result<FileLock> lock(const std::string& cache_id) = 0;
};

// Lock files under $XDG_RUNTIME_DIR/kura/locks (else ~/.cache/kura/locks): flock, released by the kernel if
// the holder dies; a waiter gives up after `timeout` (KURA_LOCK_TIMEOUT) with a message saying why it waited.
class DirectorySessionLocks final : public SessionLocks {
 public:
  DirectorySessionLocks(std::string directory, std::chrono::milliseconds timeout)
      : m_directory(std::move(directory)), m_timeout(timeout) {}
  Result<FileLock> lock(const std::string& cache_id) override;

 private:
  std::string m_directory;
  std::chrono::milliseconds m_timeout;
};
std::string session_lock_directory(const Environment& env);

// What the cache knows a session by.
struct SessionKey {
  std::string cache_id;             // covers the whole chain up to this step (see plan.h)
  std::string profile;              // the profile the session is for
  std::string base;                 // the profile whose long-term key starts the chain
  std::string description;          // "AssumeRole arn:..." for `kura list`
  Seconds duration{3600};           // what is asked of STS
  bool duration_requested = false;  // asked for explicitly: a shorter cached session will not do
};

// A cached session is reused while it has more than `refresh_window` left and, when a duration was asked for
// explicitly, is not shorter than that.
bool session_usable(const CachedSession& session, const SessionKey& key, TimePoint now,
                    Seconds refresh_window);

class CachedProvider final : public CredentialProvider {
 public:
  CachedProvider(std::unique_ptr<CredentialProvider> inner, Keystore& store, SessionKey key,
                 Seconds refresh_window, const Clock& clock, SessionLocks* locks)
      : m_inner(std::move(inner)),
        m_store(store),
        m_key(std::move(key)),
        m_window(refresh_window),
        m_clock(clock),
        m_locks(locks) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override { return m_inner->describe(); }

 private:
  // The cached session if it is usable; an unreadable one counts as absent (a miss, never an error).
  std::optional<Credentials> usable_cached();

  std::unique_ptr<CredentialProvider> m_inner;
  Keystore& m_store;
  SessionKey m_key;
  Seconds m_window;
  const Clock& m_clock;
  SessionLocks* m_locks;
};

}  // namespace kura
