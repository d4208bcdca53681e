// Serialisation of keys and sessions as JSON inside keystore items; parsed copies of secrets are wiped.
#include "creds/store_items.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace kura {

namespace {

constexpr const char* k_master_prefix = "master:";
constexpr const char* k_session_prefix = "session:";

Secret take_string(nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_string()) return Secret();
  auto& value = it->get_ref<std::string&>();
  Secret secret{std::string_view(value)};
  wipe_string(value);
  return secret;
}

void wipe_json(nlohmann::json& json) {
  for (auto& [key, value] : json.items()) {
    if (value.is_string()) wipe_string(value.get_ref<std::string&>());
  }
}

Result<void> store_json(Keystore& store, const std::string& item, nlohmann::json& json,
                        Lifetime lifetime = {}) {
  std::string text = json.dump();
  wipe_json(json);
  auto result = store.set(item, text, lifetime);
  wipe_string(text);
  return result;
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
  try {
    auto json = nlohmann::json::parse((*item)->view());
    Credentials key;
    key.access_key_id = json.at("AccessKeyId").get<std::string>();
    key.secret_access_key = take_string(json, "SecretAccessKey");
    key.session_token = take_string(json, "SessionToken");
    if (key.access_key_id.empty() || key.secret_access_key.empty()) throw std::runtime_error("empty key");
    return std::optional<Credentials>(std::move(key));
  } catch (const std::exception&) {
    return make_error("the stored key for profile '" + profile + "' is unreadable",
                      "store it again with `kura add`");
  }
}

Result<void> store_master_key(Keystore& store, const std::string& profile, const Credentials& key) {
  nlohmann::json json = {{"AccessKeyId", key.access_key_id},
                         {"SecretAccessKey", std::string(key.secret_access_key.view())}};
  if (!key.session_token.empty()) json["SessionToken"] = std::string(key.session_token.view());
  return store_json(store, master_item(profile), json);
}

static Result<CachedSession> parse_session(const Secret& text) {
  try {
    auto json = nlohmann::json::parse(text.view());
    CachedSession session;
    session.profile = json.at("Profile").get<std::string>();
    session.base = json.value("Base", session.profile);
    session.description = json.value("Description", "");
    session.credentials.access_key_id = json.at("AccessKeyId").get<std::string>();
    session.credentials.secret_access_key = take_string(json, "SecretAccessKey");
    session.credentials.session_token = take_string(json, "SessionToken");
    session.credentials.expiration = parse_iso8601(json.at("Expiration").get<std::string>());
    session.duration = Seconds(json.value("DurationSeconds", 0));
    session.issued = parse_iso8601(json.value("Issued", "")).value_or(TimePoint{});
    if (!session.credentials.expiration) throw std::runtime_error("no expiration");
    return session;
  } catch (const std::exception&) {
    return make_error("a cached session is unreadable", "run `kura clear` to drop cached sessions");
  }
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
  nlohmann::json json = {{"Profile", session.profile},
                         {"Base", session.base},
                         {"Description", session.description},
                         {"AccessKeyId", session.credentials.access_key_id},
                         {"SecretAccessKey", std::string(session.credentials.secret_access_key.view())},
                         {"SessionToken", std::string(session.credentials.session_token.view())},
                         {"Expiration", format_iso8601(*session.credentials.expiration)},
                         {"DurationSeconds", session.duration.count()},
                         {"Issued", format_iso8601(session.issued)}};
  // Nothing is worth keeping after expiry: a backend that can, drops it then.
  auto left = std::chrono::duration_cast<Seconds>(*session.credentials.expiration - session.issued);
  return store_json(store, session_item(cache_id), json, Lifetime{std::max(left, Seconds(60))});
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
    if (!value) return value.error();
    if (!*value) continue;
    auto session = parse_session(**value);
    if (!session) continue;  // an unreadable one is still listed by id for removal by `kura clear`
    if (profile && session->profile != *profile) continue;
    sessions.emplace_back(item.substr(std::string(k_session_prefix).size()), std::move(*session));
  }
  return sessions;
}

}  // namespace kura
