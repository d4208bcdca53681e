// Profiles: the config and credentials files read together, and one profile resolved with its source chain.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/ini.h"
#include "util/env.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

struct ConfigFiles {
  std::string config_path;       // $AWS_CONFIG_FILE or ~/.aws/config
  std::string credentials_path;  // $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
  IniDocument config;
  IniDocument credentials;

  static Result<ConfigFiles> load(const Environment& env);
  static Result<ConfigFiles> from_text(std::string_view config_text, std::string_view credentials_text);

  // Profile names from both files, sorted, without duplicates.
  std::vector<std::string> profile_names() const;
  // The [profile x] / [default] section of the config file, if any.
  const IniSection* config_section(const std::string& profile) const;
  const IniSection* credentials_section(const std::string& profile) const;
  const IniSection* services_section(const std::string& name) const;
};

struct SessionTag {
  std::string key;
  std::string value;
};

struct Profile {
  std::string name;
  std::optional<std::string> role_arn;
  std::optional<std::string> mfa_serial;
  std::optional<std::string> external_id;
  std::optional<std::string> role_session_name;
  std::optional<std::string> source_identity;
  std::optional<std::string> region;
  std::optional<Seconds> duration;
  std::vector<SessionTag> session_tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> sts_endpoint_url;  // from the services section or endpoint_url
  std::optional<std::string> sts_regional_endpoints;
  bool ignore_configured_endpoint_urls = false;
  std::optional<std::string> ca_bundle;
  // Plaintext keys in the credentials (or config) file; the secret itself is read only when used.
  std::optional<std::string> static_access_key_id;
  // The resolved source_profile; empty when there is none or when the profile sources itself.
  std::shared_ptr<const Profile> source;
  bool sources_itself = false;
  // False when neither file has a section for it (it may still have a stored key).
  bool in_files = true;
  // Every raw key after include_profile, for settings a later issue reads.
  std::map<std::string, std::string> raw;
};

// Resolves `name` from the files: include_profile merged in, source_profile followed (a cycle is an error).
// `[default]` contributes only to the default profile.
Result<Profile> resolve_profile(const ConfigFiles& files, const std::string& name);

// AWS_PROFILE, then "default".
std::string default_profile_name(const Environment& env);

}  // namespace kura
