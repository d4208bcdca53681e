// Profile resolution in the AWS CLI's terms, plus aws-vault's include_profile.
#include "config/profiles.h"

#include <algorithm>
#include <cctype>

#include "util/strings.h"

namespace kura {

namespace {

std::optional<std::string_view> prefixed_name(std::string_view section, std::string_view prefix) {
  if (section.size() > prefix.size() && section.compare(0, prefix.size(), prefix) == 0 &&
      (section[prefix.size()] == ' ' || section[prefix.size()] == '\t')) {
    return trim(section.substr(prefix.size() + 1));
  }
  return std::nullopt;
}

// "profile dev" -> "dev"; "default" and "profile default" -> "default"; anything else is not a profile.
std::optional<std::string_view> config_profile_name(std::string_view section) {
  if (section == "default") return section;
  return prefixed_name(section, "profile");
}

// Config sections named "profile\tdev" or "profile  dev " (a tab, more spaces, spaces at the end) are not
// found by looking up "profile dev": the index keeps these rare names, and every lookup looks through them so
// that the first section in the file wins, as it did when every section was looked through.
bool unusual_name(std::string_view section) {
  // Called for every section while the file is scanned: kept cheap, and the same as prefixed_name() and
  // trim().
  auto is_space = [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return (byte <= ' ' || byte >= 0x7f) && std::isspace(byte);
  };
  size_t prefix = 0;
  if (section.size() > 7 && section[0] == 'p' && section.substr(0, 7) == "profile") {
    prefix = 7;
  } else if (section.size() > 8 && section[0] == 's' && section.substr(0, 8) == "services") {
    prefix = 8;
  } else if (section.size() > 11 && section[0] == 's' && section.substr(0, 11) == "sso-session") {
    prefix = 11;
  } else {
    return false;
  }
  if (section[prefix] != ' ') return section[prefix] == '\t';
  std::string_view name = section.substr(prefix + 1);
  return !name.empty() && (is_space(name.front()) || is_space(name.back()));
}

std::optional<std::string> get(const std::map<std::string, std::string>& values, const std::string& key) {
  auto it = values.find(key);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

bool truthy(const std::optional<std::string>& value) {
  return value && to_lower(*value) == "true";
}

const IniSection* or_nothing(const Result<const IniSection*>& section) {
  return section ? *section : nullptr;
}

}  // namespace

Result<ConfigFiles> ConfigFiles::index(IniIndex config, IniIndex credentials) {
  ConfigFiles files;
  files.m_config = std::move(config);
  files.m_credentials = std::move(credentials);
  auto whole = files.m_credentials.document();
  if (!whole) return whole.error();
  files.credentials = **whole;
  return files;
}

Result<ConfigFiles> ConfigFiles::load(const Environment& env, IniIndex::Parse parse) {
  const std::string config_path = env.get("AWS_CONFIG_FILE").value_or(env.home() + "/.aws/config");
  const std::string credentials_path =
      env.get("AWS_SHARED_CREDENTIALS_FILE").value_or(env.home() + "/.aws/credentials");
  // A big config's index is kept between runs (config/index_cache.h). Its kept list is unusual_name's
  // answers: a change to unusual_name must change the name given here.
  IniIndex::Persist persist{index_cache_directory(env), "unusual_name 1"};
  auto config = IniIndex::load(config_path, parse, unusual_name, &persist);
  if (!config) return config.error();
  auto credentials = IniIndex::load(credentials_path, parse);
  if (!credentials) return credentials.error();
  auto files = index(std::move(*config), std::move(*credentials));
  if (!files) return files.error();
  files->config_path = config_path;
  files->credentials_path = credentials_path;
  return files;
}

Result<ConfigFiles> ConfigFiles::from_text(std::string_view config_text, std::string_view credentials_text,
                                           IniIndex::Parse parse) {
  auto config = IniIndex::from_text(config_text, "config", parse, unusual_name);
  if (!config) return config.error();
  auto credentials = IniIndex::from_text(credentials_text, "credentials", parse);
  if (!credentials) return credentials.error();
  auto files = index(std::move(*config), std::move(*credentials));
  if (!files) return files.error();
  files->config_path = "config";
  files->credentials_path = "credentials";
  return files;
}

namespace {

// Sorts by merging the ascending runs the names already come in: a config in order but for a few profiles
// (added at its end or in a block) and its credentials file after it cost a pass and a few merges instead of
// a sort of 10,000 names; names in no order at all (many runs) are simply sorted.
void sort_by_runs(std::vector<std::string>& names) {
  std::vector<size_t> runs{0};  // where each run begins, then the end
  for (size_t i = 1; i < names.size(); ++i) {
    if (names[i] < names[i - 1]) runs.push_back(i);
  }
  runs.push_back(names.size());
  if (runs.size() > 65) {
    std::sort(names.begin(), names.end());
    return;
  }
  auto at = [&](size_t index) { return names.begin() + static_cast<std::ptrdiff_t>(index); };
  while (runs.size() > 2) {
    std::vector<size_t> merged{0};
    const size_t count = runs.size() - 1;
    for (size_t r = 0; r + 2 <= count; r += 2) {
      std::inplace_merge(at(runs[r]), at(runs[r + 1]), at(runs[r + 2]));
      merged.push_back(runs[r + 2]);
    }
    if (count % 2 == 1) merged.push_back(runs[count]);  // the odd run out, carried to the next pass
    runs = std::move(merged);
  }
}

}  // namespace

Result<std::vector<std::string>> ConfigFiles::read_profile_names() const {
  auto in_config = m_config.names();
  if (!in_config) return in_config.error();
  auto in_credentials = m_credentials.names();
  if (!in_credentials) return in_credentials.error();
  std::vector<std::string> names;
  names.reserve(in_config->size() + in_credentials->size());
  for (const std::string& section : *in_config) {
    if (auto name = config_profile_name(section)) names.emplace_back(*name);
  }
  for (std::string& section : *in_credentials) names.push_back(std::move(section));
  sort_by_runs(names);
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::vector<std::string> ConfigFiles::profile_names() const {
  auto names = read_profile_names();
  return names ? std::move(*names) : std::vector<std::string>();
}

Result<const IniSection*> ConfigFiles::read_named(std::string_view prefix, const std::string& name) const {
  auto names_it = [&](std::string_view section) { return prefixed_name(section, prefix) == name; };
  std::string exact = std::string(prefix) + " " + name;
  auto found = m_config.find(exact);
  if (!found) return found.error();
  if (*found && !names_it(exact)) found->reset();
  std::optional<std::pair<IniIndex::Position, std::string_view>> best;
  if (*found) best.emplace(**found, exact);
  for (const auto& [position, section] : m_config.kept()) {
    if (best && best->first < position) break;
    if (names_it(section)) {
      best.emplace(position, section);
      break;
    }
  }
  if (!best) return static_cast<const IniSection*>(nullptr);
  return m_config.section_at(best->first, best->second);
}

Result<const IniSection*> ConfigFiles::read_config_section(const std::string& profile) const {
  // [profile default] and [default] both name the default profile; the bare form wins as botocore does.
  if (profile == "default") {
    auto bare = m_config.section("default");
    if (!bare || *bare) return bare;
    return m_config.section("profile default");
  }
  return read_named("profile", profile);
}

Result<const IniSection*> ConfigFiles::read_credentials_section(const std::string& profile) const {
  return m_credentials.section(profile);
}

Result<const IniSection*> ConfigFiles::read_services_section(const std::string& name) const {
  return read_named("services", name);
}

Result<const IniSection*> ConfigFiles::read_sso_session_section(const std::string& name) const {
  return read_named("sso-session", name);
}

const IniSection* ConfigFiles::config_section(const std::string& profile) const {
  return or_nothing(read_config_section(profile));
}

const IniSection* ConfigFiles::credentials_section(const std::string& profile) const {
  return or_nothing(read_credentials_section(profile));
}

const IniSection* ConfigFiles::services_section(const std::string& name) const {
  return or_nothing(read_services_section(name));
}

Result<const IniDocument*> ConfigFiles::config_document() const {
  return m_config.document();
}

Result<const IniDocument*> ConfigFiles::credentials_document() const {
  return m_credentials.document();
}

std::string default_profile_name(const Environment& env) {
  return env.get("AWS_PROFILE").value_or("default");
}

namespace {

struct Resolver {
  const ConfigFiles& files;
  std::vector<std::string> stack;  // source_profile chain being resolved, for cycle messages
  // A section that does not parse: reported as the parser put it ("config:12: ..."), as when the whole file
  // was parsed up front, not as a step of the chain that reached it.
  std::optional<Error> unreadable;

  Result<const IniSection*> readable(Result<const IniSection*> section) {
    if (!section && !unreadable) unreadable = section.error();
    return section;
  }

  static bool is_secret_key(const std::string& key) {
    return key == "aws_secret_access_key" || key == "aws_session_token" || key == "aws_security_token";
  }

  // Raw values of one profile: credentials file over config file, then include_profile underneath.
  Result<std::map<std::string, std::string>> raw_values(const std::string& name,
                                                        std::vector<std::string>& includes) {
    auto read_config = readable(files.read_config_section(name));
    if (!read_config) return read_config.error();
    auto read_credentials = readable(files.read_credentials_section(name));
    if (!read_credentials) return read_credentials.error();
    const IniSection* config = *read_config;
    const IniSection* credentials = *read_credentials;
    std::map<std::string, std::string> values;
    if (!config && !credentials) {
      // Not an error yet: a profile may exist only as a stored key (`kura add NAME`). An include must exist.
      if (includes.size() > 1) {
        return make_error("include_profile '" + name + "' not found in " + files.config_path);
      }
      return values;
    }
    // Secrets are not copied: a plaintext key is read from its section when used (plaintext_key_section).
    if (config) {
      for (const auto& [key, value] : config->values) {
        if (!is_secret_key(key)) values[key] = value;
      }
    }
    if (credentials) {
      for (const auto& [key, value] : credentials->values) {
        if (!is_secret_key(key)) values[key] = value;
      }
    }
    if (auto include = get(values, "include_profile")) {
      if (std::find(includes.begin(), includes.end(), *include) != includes.end() || *include == name) {
        return make_error("include_profile cycle: " + join(includes, " -> ") + " -> " + *include);
      }
      includes.push_back(*include);
      auto included = raw_values(*include, includes);
      if (!included) return included.error().context("profile '" + name + "'");
      for (const auto& [key, value] : *included) values.emplace(key, value);  // own values win
    }
    return values;
  }

  Result<std::shared_ptr<const Profile>> resolve(const std::string& name) {
    if (std::find(stack.begin(), stack.end(), name) != stack.end()) {
      stack.push_back(name);
      return make_error("source_profile cycle: " + join(stack, " -> "),
                        "break the cycle in " + files.config_path);
    }
    stack.push_back(name);
    std::vector<std::string> includes{name};
    auto values = raw_values(name, includes);
    if (!values) return values.error();

    auto profile = std::make_shared<Profile>();
    profile->name = name;
    profile->in_files = files.config_section(name) || files.credentials_section(name);
    profile->raw = *values;
    const auto& v = profile->raw;
    profile->role_arn = get(v, "role_arn");
    profile->mfa_serial = get(v, "mfa_serial");
    profile->external_id = get(v, "external_id");
    profile->role_session_name = get(v, "role_session_name");
    profile->source_identity = get(v, "source_identity");
    profile->region = get(v, "region");
    profile->sts_regional_endpoints = get(v, "sts_regional_endpoints");
    profile->ignore_configured_endpoint_urls = truthy(get(v, "ignore_configured_endpoint_urls"));
    profile->ca_bundle = get(v, "ca_bundle");
    profile->static_access_key_id = get(v, "aws_access_key_id");
    if (auto duration = get(v, "duration_seconds")) {
      auto parsed = parse_duration(*duration);
      if (!parsed) return parsed.error().context("profile '" + name + "': duration_seconds");
      // STS takes 15 minutes at least, and no session lasts more than 36 hours (GetSessionToken's maximum).
      if (parsed->count() < 900 || parsed->count() > 129600) {
        return make_error(
            "profile '" + name + "': duration_seconds: " + *duration + " is out of range",
            "STS sessions last 15m (900) to 12h (43200) for roles, up to 36h for GetSessionToken");
      }
      profile->duration = *parsed;
    }
    if (auto tags = get(v, "session_tags")) {
      for (const std::string& pair : split(*tags, ',')) {
        if (trim(pair).empty()) continue;
        size_t eq = pair.find('=');
        if (eq == std::string::npos) {
          return make_error("profile '" + name + "': session_tags: expected key=value, got '" + pair + "'");
        }
        profile->session_tags.push_back({std::string(trim(pair.substr(0, eq))),
                                         std::string(trim(std::string_view(pair).substr(eq + 1)))});
      }
    }
    if (auto keys = get(v, "transitive_session_tags")) {
      for (const std::string& key : split(*keys, ',')) {
        if (!trim(key).empty()) profile->transitive_tag_keys.emplace_back(trim(key));
      }
    }
    // Endpoint: the services section's sts block wins over the profile's global endpoint_url.
    if (auto services = get(v, "services")) {
      auto read = readable(files.read_services_section(*services));
      if (!read) return read.error();
      const IniSection* section = *read;
      if (!section)
        return make_error("profile '" + name + "': services section '" + *services + "' not found");
      if (auto sts = section->nested.find("sts"); sts != section->nested.end()) {
        profile->sts_endpoint_url = get(sts->second, "endpoint_url");
      }
    }
    if (!profile->sts_endpoint_url) profile->sts_endpoint_url = get(v, "endpoint_url");

    if (auto source = get(v, "source_profile")) {
      if (!profile->role_arn) {
        return make_error("profile '" + name + "': source_profile is set but role_arn is not",
                          "add role_arn, or remove source_profile");
      }
      if (*source == name) {
        profile->sources_itself = true;
      } else {
        auto resolved = resolve(*source);
        if (!resolved) return resolved.error();
        profile->source = *resolved;
      }
    }
    stack.pop_back();
    return std::shared_ptr<const Profile>(profile);
  }
};

}  // namespace

Result<Profile> resolve_profile(const ConfigFiles& files, const std::string& name) {
  Resolver resolver{files, {}, std::nullopt};
  auto profile = resolver.resolve(name);
  if (!profile) return resolver.unreadable ? *resolver.unreadable : profile.error();
  return Profile(**profile);
}

}  // namespace kura
