// Profile resolution in the AWS CLI's terms, plus aws-vault's include_profile.
#include "config/profiles.h"

#include <algorithm>
#include <set>

#include "util/fs.h"
#include "util/strings.h"

namespace kura {

namespace {

// "profile dev" -> "dev"; "default" and "profile default" -> "default"; anything else is not a profile.
std::optional<std::string> config_profile_name(const std::string& section) {
  if (section == "default") return section;
  if (section.rfind("profile", 0) == 0 && section.size() > 7 && (section[7] == ' ' || section[7] == '\t')) {
    return std::string(trim(std::string_view(section).substr(8)));
  }
  return std::nullopt;
}

std::optional<std::string> prefixed_name(const std::string& section, std::string_view prefix) {
  if (section.size() > prefix.size() && section.compare(0, prefix.size(), prefix) == 0 &&
      (section[prefix.size()] == ' ' || section[prefix.size()] == '\t')) {
    return std::string(trim(std::string_view(section).substr(prefix.size() + 1)));
  }
  return std::nullopt;
}

Result<IniDocument> load_document(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return IniDocument::parse(text->value_or(""), path);
}

std::optional<std::string> get(const std::map<std::string, std::string>& values, const std::string& key) {
  auto it = values.find(key);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

bool truthy(const std::optional<std::string>& value) {
  return value && to_lower(*value) == "true";
}

}  // namespace

Result<ConfigFiles> ConfigFiles::load(const Environment& env) {
  ConfigFiles files;
  files.config_path = env.get("AWS_CONFIG_FILE").value_or(env.home() + "/.aws/config");
  files.credentials_path = env.get("AWS_SHARED_CREDENTIALS_FILE").value_or(env.home() + "/.aws/credentials");
  auto config = load_document(files.config_path);
  if (!config) return config.error();
  auto credentials = load_document(files.credentials_path);
  if (!credentials) return credentials.error();
  files.config = std::move(*config);
  files.credentials = std::move(*credentials);
  return files;
}

Result<ConfigFiles> ConfigFiles::from_text(std::string_view config_text, std::string_view credentials_text) {
  ConfigFiles files;
  files.config_path = "config";
  files.credentials_path = "credentials";
  auto config = IniDocument::parse(config_text, "config");
  if (!config) return config.error();
  auto credentials = IniDocument::parse(credentials_text, "credentials");
  if (!credentials) return credentials.error();
  files.config = std::move(*config);
  files.credentials = std::move(*credentials);
  return files;
}

std::vector<std::string> ConfigFiles::profile_names() const {
  std::set<std::string> names;
  for (const auto& section : config.sections()) {
    if (auto name = config_profile_name(section.name)) names.insert(*name);
  }
  for (const auto& section : credentials.sections()) names.insert(section.name);
  return {names.begin(), names.end()};
}

const IniSection* ConfigFiles::config_section(const std::string& profile) const {
  for (const auto& section : config.sections()) {
    auto name = config_profile_name(section.name);
    // [profile default] and [default] both name the default profile; the bare form wins as botocore does.
    if (name && *name == profile && (profile != "default" || section.name == "default")) return &section;
  }
  if (profile == "default") return config.find("profile default");
  return nullptr;
}

const IniSection* ConfigFiles::credentials_section(const std::string& profile) const {
  return credentials.find(profile);
}

const IniSection* ConfigFiles::services_section(const std::string& name) const {
  for (const auto& section : config.sections()) {
    if (auto found = prefixed_name(section.name, "services"); found && *found == name) return &section;
  }
  return nullptr;
}

std::string default_profile_name(const Environment& env) {
  return env.get("AWS_PROFILE").value_or("default");
}

namespace {

struct Resolver {
  const ConfigFiles& files;
  std::vector<std::string> stack;  // source_profile chain being resolved, for cycle messages

  // Raw values of one profile: credentials file over config file, then include_profile underneath.
  Result<std::map<std::string, std::string>> raw_values(const std::string& name,
                                                        std::vector<std::string>& includes) {
    const IniSection* config = files.config_section(name);
    const IniSection* credentials = files.credentials_section(name);
    std::map<std::string, std::string> values;
    if (!config && !credentials) {
      // Not an error yet: a profile may exist only as a stored key (`kura add NAME`). An include must exist.
      if (includes.size() > 1) {
        return make_error("include_profile '" + name + "' not found in " + files.config_path);
      }
      return values;
    }
    if (config) values = config->values;
    if (credentials) {
      for (const auto& [key, value] : credentials->values) values[key] = value;
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
      const IniSection* section = files.services_section(*services);
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
  Resolver resolver{files, {}};
  auto profile = resolver.resolve(name);
  if (!profile) return profile.error();
  return Profile(**profile);
}

}  // namespace kura
