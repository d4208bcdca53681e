// What kura keeps in a keystore: long-term keys ("master:<profile>") and sessions ("session:<id>").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "keyring/keystore.h"
#include "util/result.h"

namespace kura {

std::string master_item(const std::string& profile);
std::string session_item(const std::string& cache_id);
// The profile of a "master:<profile>" item, or empty.
std::optional<std::string> profile_of_master_item(const std::string& item);
bool is_session_item(const std::string& item);

// Whose key it is, as GetCallerIdentity said when it was added (for `kura list`).
struct KeyIdentity {
  std::string account;
  std::string arn;
};

Result<std::optional<Credentials>> load_master_key(Keystore& store, const std::string& profile);
Result<void> store_master_key(Keystore& store, const std::string& profile, const Credentials& key,
                              const std::optional<KeyIdentity>& identity = std::nullopt);
// Whether the key stored for `profile` is `key` (its id, and its secret compared in constant time): a write
// read back before anything that depends on it is done.
Result<bool> master_key_reads_back(Keystore& store, const std::string& profile, const Credentials& key);
// The identity recorded with a stored key; nothing for a key added unverified (or before kura recorded it).
Result<std::optional<KeyIdentity>> load_key_identity(Keystore& store, const std::string& profile);

struct CachedSession {
  std::string profile;      // the profile the session was made for
  std::string base;         // the profile whose long-term key the chain starts from
  std::string description;  // "AssumeRole arn:..." for `kura list`
  Credentials credentials;
  Seconds duration{0};  // what was asked for
  TimePoint issued;
};

Result<std::optional<CachedSession>> load_session(Keystore& store, const std::string& cache_id);
Result<void> store_session(Keystore& store, const std::string& cache_id, const CachedSession& session);
// Removes the readable sessions `which` selects; how many went.
Result<int> remove_sessions_where(Keystore& store, const std::function<bool(const CachedSession&)>& which);
// Removes every session made for `profile` or starting from its long-term key; how many went.
Result<int> remove_sessions_of(Keystore& store, const std::string& profile);

// Every session item, with its id; `profile` filters.
Result<std::vector<std::pair<std::string, CachedSession>>> list_sessions(
    Keystore& store, const std::optional<std::string>& profile);

}  // namespace kura
