// The caching decorator and the session locks.
#include "creds/cached_provider.h"

#include "util/full_build.h"
#include "util/log.h"

namespace kura {

Result<FileLock> DirectorySessionLocks::lock(const std::string& cache_id) {
  if (auto made = make_directories(m_directory, 0700); !made) return made.error();
  return lock_file(m_directory + "/" + cache_id + ".lock", m_timeout);
}

std::string session_lock_directory(const Environment& env) {
  // Where the user's other processes see them, never on a path shared with other users.
  if (auto runtime = env.get("XDG_RUNTIME_DIR")) return *runtime + "/kura/locks";
  return env.get("XDG_CACHE_HOME").value_or(env.home() + "/.cache") + "/kura/locks";
}

bool session_usable(const CachedSession& session, const SessionKey& key, TimePoint now,
                    Seconds refresh_window) {
  if (!session.credentials.expiration) return false;
  if (*session.credentials.expiration - refresh_window <= now) return false;
  if (key.duration_requested && session.duration < key.duration) return false;
  return true;
}

std::optional<Credentials> CachedProvider::usable_cached() {
  auto cached = load_session(m_store, m_key.cache_id);
  if (!cached) {
    // Corrupt, tampered, written by an incompatible version: refreshed like a miss. If the store itself
    // cannot be opened, reading the long-term key says so next.
    log_debug("cache: cannot read the session for " + m_inner->describe() + " (" + cached.error().message +
              "); refreshing it");
    return std::nullopt;
  }
  const TimePoint now = m_clock.now();
  if (!*cached || !session_usable(**cached, m_key, now, m_window)) return std::nullopt;
  log_debug("cache: reusing " + m_key.description + " for '" + (*cached)->profile + "', " +
            format_duration(std::chrono::duration_cast<Seconds>(*(*cached)->credentials.expiration - now)) +
            " left");
  return std::move((*cached)->credentials);
}

Result<ObtainedCredentials> CachedProvider::retrieve() {
  if (auto hit = usable_cached()) return ObtainedCredentials{std::move(*hit), Origin::cache};
  // A refresh may prompt, run an MFA command and call AWS: the static build hands it over before any of that.
  need_full_build("a session to refresh");
  std::optional<FileLock> lock;
  if (m_locks) {
    auto locked = m_locks->lock(m_key.cache_id);
    if (!locked) return locked.error();
    lock = std::move(*locked);
    if (auto refreshed = usable_cached()) {
      log_debug("cache: " + m_key.description + " was refreshed by another kura process");
      return ObtainedCredentials{std::move(*refreshed), Origin::cache};
    }
  }
  auto fresh = m_inner->retrieve();
  if (!fresh) return fresh;
  const TimePoint now = m_clock.now();
  const Credentials& credentials = fresh->credentials;
  if (credentials.expiration && *credentials.expiration - m_window <= now) {
    log_warning("profile '" + m_key.profile + "': " + m_key.description +
                " gave credentials valid for only " +
                format_duration(std::chrono::duration_cast<Seconds>(*credentials.expiration - now)) +
                ", within KURA_SESSION_REFRESH (" + format_duration(m_window) + "); it will not be reused");
  }
  if (credentials.expiration) {
    CachedSession session{m_key.profile,       m_key.base,     m_key.description,
                          credentials.clone(), m_key.duration, now};
    if (auto stored = store_session(m_store, m_key.cache_id, session); !stored) {
      log_warning("cannot cache the session: " + stored.error().message);
    }
  }
  return fresh;
}

}  // namespace kura
