// Keys and sessions as flat JSON inside keystore items, written and read without copies of their secrets.
#include "creds/store_items.h"

#include <algorithm>

#include "crypto/sodium.h"
#include "util/flat_json.h"
#include "util/sized_text.h"

namespace kura {

namespace {

constexpr const char* k_master_prefix = "master:";
constexpr const char* k_session_prefix = "session:";

// A member that must be a string when present; absent gives `fallback`.
std::optional<std::string> text_member(const FlatJson& json, const std::string& key,
                                       std::optional<std::string> fallback = std::nullopt) {
  if (!json.has(key)) return fallback;
  const Secret* value = json.string(key);
  if (!value) return std::nullopt;
  return std::string(value->view());
}

Secret secret_member(const FlatJson& json, const std::string& key) {
  const Secret* value = json.string(key);
  return value ? value->clone() : Secret();
}

}  // namespace

std::string master_item(const std::string& profile) {
  return k_master_prefix + profile;
}
std::string session_item(const std::string& cache_id) {
  return k_session_prefix + cache_id;
}

std::optional<std::string> profile_of_master_item(const std::string& item) {
  if (item.rfind(k_master_prefix, 0) != 0) return std::nullopt;
  return item.substr(std::string(k_master_prefix).size());
}

bool is_session_item(const std::string& item) {
  return item.rfind(k_session_prefix, 0) == 0;
}

Result<std::optional<Credentials>> load_master_key(Keystore& store, const std::string& profile) {
  auto item = store.get(master_item(profile));
  if (!item) return item.error();
  if (!*item) return std::optional<Credentials>();
  auto json = FlatJson::parse((*item)->view());
  auto id = json ? text_member(*json, "AccessKeyId") : std::nullopt;
  if (!json || !id || id->empty() || !json->string("SecretAccessKey") ||
      json->string("SecretAccessKey")->empty()) {
    return make_error("the stored key for profile '" + profile + "' is unreadable",
                      "store it again with `kura add`");
  }
  Credentials key;
  key.access_key_id = std::move(*id);
  key.secret_access_key = secret_member(*json, "SecretAccessKey");
  key.session_token = secret_member(*json, "SessionToken");
  return std::optional<Credentials>(std::move(key));
}

Result<void> store_master_key(Keystore& store, const std::string& profile, const Credentials& key,
                              const std::optional<KeyIdentity>& identity) {
  Secret text = sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("AccessKeyId", key.access_key_id);
    json.string("SecretAccessKey", key.secret_access_key.view());
    if (!key.session_token.empty()) json.string("SessionToken", key.session_token.view());
    if (identity) {
      json.string("Account", identity->account);
      json.string("Arn", identity->arn);
    }
    json.close();
  });
  return store.set(master_item(profile), text.view(), {});
}

Result<bool> master_key_reads_back(Keystore& store, const std::string& profile, const Credentials& key) {
  auto back = load_master_key(store, profile);
  if (!back) return back.error();
  return *back && (*back)->access_key_id == key.access_key_id &&
         constant_time_equals((*back)->secret_access_key.view(), key.secret_access_key.view());
}

Result<std::optional<KeyIdentity>> load_key_identity(Keystore& store, const std::string& profile) {
  auto item = store.get(master_item(profile));
  if (!item) return item.error();
  if (!*item) return std::optional<KeyIdentity>();
  auto json = FlatJson::parse((*item)->view());
  if (!json) return std::optional<KeyIdentity>();
  auto account = text_member(*json, "Account");
  auto arn = text_member(*json, "Arn");
  if (!account || !arn) return std::optional<KeyIdentity>();
  return std::optional<KeyIdentity>(KeyIdentity{std::move(*account), std::move(*arn)});
}

static Result<CachedSession> parse_session(const Secret& text) {
  auto unreadable = [] {
    return make_error("a cached session is unreadable", "run `kura clear` to drop cached sessions");
  };
  auto json = FlatJson::parse(text.view());
  if (!json) return unreadable();
  auto profile = text_member(*json, "Profile");
  auto id = text_member(*json, "AccessKeyId");
  auto expiration = text_member(*json, "Expiration");
  if (!profile || !id || !expiration) return unreadable();
  auto base = text_member(*json, "Base", *profile);
  auto description = text_member(*json, "Description", "");
  auto issued = text_member(*json, "Issued", "");
  if (!base || !description || !issued) return unreadable();
  // A duration out of range (or not an integer: 1e31) makes the item unreadable rather than overflowing.
  long long duration = 0;
  if (json->has("DurationSeconds")) {
    auto number = json->integer("DurationSeconds");
    if (!number || *number < 0 || *number > 10'000'000) return unreadable();
    duration = *number;
  }
  CachedSession session;
  session.profile = std::move(*profile);
  session.base = std::move(*base);
  session.description = std::move(*description);
  session.credentials.access_key_id = std::move(*id);
  session.credentials.secret_access_key = secret_member(*json, "SecretAccessKey");
  session.credentials.session_token = secret_member(*json, "SessionToken");
  session.credentials.expiration = parse_iso8601(*expiration);
  session.duration = Seconds(duration);
  session.issued = parse_iso8601(*issued).value_or(TimePoint{});
  if (!session.credentials.expiration) return unreadable();
  return session;
}

Result<std::optional<CachedSession>> load_session(Keystore& store, const std::string& cache_id) {
  auto item = store.get(session_item(cache_id));
  if (!item) return item.error();
  if (!*item) return std::optional<CachedSession>();
  auto session = parse_session(**item);
  if (!session) return session.error();
  return std::optional<CachedSession>(std::move(*session));
}

Result<void> store_session(Keystore& store, const std::string& cache_id, const CachedSession& session) {
  const std::string expiration = format_iso8601(*session.credentials.expiration);
  const std::string issued = format_iso8601(session.issued);
  Secret text = sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("AccessKeyId", session.credentials.access_key_id);
    json.string("Base", session.base);
    json.string("Description", session.description);
    json.number("DurationSeconds", session.duration.count());
    json.string("Expiration", expiration);
    json.string("Issued", issued);
    json.string("Profile", session.profile);
    json.string("SecretAccessKey", session.credentials.secret_access_key.view());
    json.string("SessionToken", session.credentials.session_token.view());
    json.close();
  });
  // Nothing is worth keeping after expiry: a backend that can, drops it then.
  auto left = std::chrono::duration_cast<Seconds>(*session.credentials.expiration - session.issued);
  return store.set(session_item(cache_id), text.view(), Lifetime{std::max(left, Seconds(60))});
}

Result<int> remove_sessions_of(Keystore& store, const std::string& profile) {
  return remove_sessions_where(store, [&](const CachedSession& session) {
    return session.profile == profile || session.base == profile;
  });
}

Result<int> remove_sessions_where(Keystore& store, const std::function<bool(const CachedSession&)>& which) {
  auto sessions = list_sessions(store, std::nullopt);
  if (!sessions) return sessions.error();
  int removed = 0;
  for (const auto& [id, session] : *sessions) {
    if (!which(session)) continue;
    auto gone = store.remove(session_item(id));
    if (!gone) return gone.error();
    removed += *gone ? 1 : 0;
  }
  return removed;
}

Result<std::vector<std::pair<std::string, CachedSession>>> list_sessions(
    Keystore& store, const std::optional<std::string>& profile) {
  auto items = store.list();
  if (!items) return items.error();
  std::vector<std::pair<std::string, CachedSession>> sessions;
  for (const std::string& item : *items) {
    if (!is_session_item(item)) continue;
    auto value = store.get(item);
    // One unreadable item (corrupt, tampered) must not make every profile's listing fail: it is skipped here
    // and left for `kura clear`, which removes sessions by name and the store's unreadable items.
    if (!value || !*value) continue;
    auto session = parse_session(**value);
    if (!session) continue;  // an unreadable one is still listed by id for removal by `kura clear`
    if (profile && session->profile != *profile) continue;
    sessions.emplace_back(item.substr(std::string(k_session_prefix).size()), std::move(*session));
  }
  return sessions;
}

}  // namespace kura
