// Profiles: the config and credentials files read together, and one profile resolved with its source chain.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config_index.h"
#include "config/ini.h"
#include "util/env.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

// The two files, indexed when loaded and parsed a section at a time as profiles are asked for (see
// config/config_index.h), so that a profile costs the same in a config of ten thousand.
struct ConfigFiles {
  std::string config_path;       // $AWS_CONFIG_FILE or ~/.aws/config
  std::string credentials_path;  // $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
  // The credentials file parsed whole when loaded, as before, for `kura import`: to go once it reads
  // credentials_document() instead (the file is then read as lazily as the config).
  IniDocument credentials;

  // Errors of the files as a whole (a malformed column-0 header, a duplicate section, a key before the first
  // section) are reported here; an error inside one section when that section is read.
  // Parse::fully reads every section at once: a ConfigFiles read by several threads must be (bulk commands).
  static Result<ConfigFiles> load(const Environment& env, IniIndex::Parse parse = IniIndex::Parse::lazily);
  static Result<ConfigFiles> from_text(std::string_view config_text, std::string_view credentials_text,
                                       IniIndex::Parse parse = IniIndex::Parse::lazily);

  // Profile names from both files, sorted, without duplicates; no section is parsed for it (the headers are
  // read again). Empty when a file cannot be read again: read_profile_names() says why.
  std::vector<std::string> profile_names() const;
  Result<std::vector<std::string>> read_profile_names() const;
  // The [profile x] / [default] section of the config file, if any. Nothing also when the section does not
  // parse: the read_ forms below tell the two apart.
  const IniSection* config_section(const std::string& profile) const;
  const IniSection* credentials_section(const std::string& profile) const;
  const IniSection* services_section(const std::string& name) const;
  // The same, with the error ("~/.aws/config:12: ...") of a section that does not parse.
  Result<const IniSection*> read_config_section(const std::string& profile) const;
  Result<const IniSection*> read_credentials_section(const std::string& profile) const;
  Result<const IniSection*> read_services_section(const std::string& name) const;
  Result<const IniSection*> read_sso_session_section(const std::string& name) const;
  // Each file parsed whole on first use, for callers that walk every section (`kura import`).
  Result<const IniDocument*> config_document() const;
  Result<const IniDocument*> credentials_document() const;

  const IniIndex& config_index() const { return m_config; }
  const IniIndex& credentials_index() const { return m_credentials; }

 private:
  // The first config section, in file order, whose name reads as `name` after `prefix` ("profile" or
  // "services"), or under an exact name.
  Result<const IniSection*> read_named(std::string_view prefix, const std::string& name) const;
  static Result<ConfigFiles> index(IniIndex config, IniIndex credentials);

  IniIndex m_config;
  IniIndex m_credentials;
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
  // Every raw key after include_profile but the secrets (aws_secret_access_key, aws_session_token), which
  // stay in their file's section until used.
  std::map<std::string, std::string> raw;
};

// Resolves `name` from the files: include_profile merged in, source_profile followed (a cycle is an error).
// `[default]` contributes only to the default profile.
Result<Profile> resolve_profile(const ConfigFiles& files, const std::string& name);

// AWS_PROFILE, then "default".
std::string default_profile_name(const Environment& env);

}  // namespace kura
