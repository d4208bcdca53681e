// Fuzz target: the lazy reader of ~/.aws/config and ~/.aws/credentials (config/config_index.h) against the
// full parse. For any text, every section reads the same; where the full parse fails, the index fails at once
// with the same error or its first failing section (in file order) fails with it; and every profile resolves
// to the same Profile, or the same error, both ways. Input: the config, a NUL byte, the credentials.
#include <cstdint>
#include <set>
#include <string>

#include "config/config_index.h"
#include "config/profiles.h"
#include "fuzz_input.h"
#include "util/strings.h"

namespace {

using namespace kura;

bool same_section(const IniSection* a, const IniSection* b) {
  if (!a || !b) return a == b;
  return a->name == b->name && a->values == b->values && a->nested == b->nested;
}

bool same_section(const Result<const IniSection*>& a, const Result<const IniSection*>& b) {
  if (!a || !b) return !a && !b && a.error().message == b.error().message && a.error().hint == b.error().hint;
  return same_section(*a, *b);
}

bool same_profile(const Profile& a, const Profile& b) {
  bool tags = a.session_tags.size() == b.session_tags.size();
  for (size_t i = 0; tags && i < a.session_tags.size(); ++i) {
    tags =
        a.session_tags[i].key == b.session_tags[i].key && a.session_tags[i].value == b.session_tags[i].value;
  }
  bool sources = !a.source == !b.source && (!a.source || same_profile(*a.source, *b.source));
  return tags && sources && a.name == b.name && a.role_arn == b.role_arn && a.mfa_serial == b.mfa_serial &&
         a.external_id == b.external_id && a.role_session_name == b.role_session_name &&
         a.source_identity == b.source_identity && a.region == b.region && a.duration == b.duration &&
         a.transitive_tag_keys == b.transitive_tag_keys && a.sts_endpoint_url == b.sts_endpoint_url &&
         a.sts_regional_endpoints == b.sts_regional_endpoints &&
         a.ignore_configured_endpoint_urls == b.ignore_configured_endpoint_urls &&
         a.ca_bundle == b.ca_bundle && a.static_access_key_id == b.static_access_key_id &&
         a.sources_itself == b.sources_itself && a.in_files == b.in_files && a.raw == b.raw;
}

bool same_result(const Result<Profile>& a, const Result<Profile>& b) {
  if (!a || !b) return !a && !b && a.error().message == b.error().message && a.error().hint == b.error().hint;
  return same_profile(*a, *b);
}

// The lookup of the code that parsed every file whole: the first section in the file that names the profile.
const IniSection* old_config_section(const IniDocument& config, const std::string& profile) {
  for (const auto& section : config.sections()) {
    const std::string& s = section.name;
    std::optional<std::string> name;
    if (s == "default") {
      name = s;
    } else if (s.rfind("profile", 0) == 0 && s.size() > 7 && (s[7] == ' ' || s[7] == '\t')) {
      name = std::string(trim(std::string_view(s).substr(8)));
    }
    if (name && *name == profile && (profile != "default" || s == "default")) return &section;
  }
  if (profile == "default") return config.find("profile default");
  return nullptr;
}

void check_file(std::string_view text, const std::string& source) {
  auto full = IniDocument::parse(text, source);
  auto lazy = IniIndex::from_text(text, source);
  if (!full) {
    if (!lazy) {
      KURA_FUZZ_CHECK(lazy.error().message == full.error().message);
      KURA_FUZZ_CHECK(lazy.error().hint == full.error().hint);
      return;
    }
    KURA_FUZZ_CHECK(!lazy->disagreed());
    auto names = lazy->names();
    KURA_FUZZ_CHECK(names.ok());
    std::optional<Error> first;
    for (size_t i = 0; i < names->size() && !first; ++i) {
      auto section = lazy->section((*names)[i]);
      if (!section) first = section.error();
    }
    KURA_FUZZ_CHECK(first.has_value());
    KURA_FUZZ_CHECK(first->message == full.error().message);
    KURA_FUZZ_CHECK(first->hint == full.error().hint);
    KURA_FUZZ_CHECK(!lazy->disagreed());
    return;
  }
  KURA_FUZZ_CHECK(lazy.ok());
  KURA_FUZZ_CHECK(lazy->size() == full->sections().size());
  auto names = lazy->names();
  KURA_FUZZ_CHECK(names.ok() && names->size() == full->sections().size());
  std::optional<IniIndex::Position> previous;
  for (size_t i = 0; i < full->sections().size(); ++i) {
    const IniSection& want = full->sections()[i];
    KURA_FUZZ_CHECK((*names)[i] == want.name);
    auto found = lazy->find(want.name);
    KURA_FUZZ_CHECK(found.ok() && found->has_value());
    KURA_FUZZ_CHECK(!previous || *previous < **found);
    previous = **found;
    auto section = lazy->section(want.name);
    KURA_FUZZ_CHECK(section.ok());
    KURA_FUZZ_CHECK(same_section(*section, &want));
  }
  for (std::string_view absent : {"x", "", "default", "profile a"}) {
    auto section = lazy->section(absent);
    KURA_FUZZ_CHECK(section.ok() && same_section(*section, full->find(absent)));
  }
  KURA_FUZZ_CHECK(!lazy->disagreed());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = fuzz::fields(data, size, '\0', 2);
  std::string_view config = parts[0];
  std::string_view credentials = parts.size() > 1 ? parts[1] : std::string_view();
  check_file(config, "config");
  check_file(credentials, "credentials");

  auto full = ConfigFiles::from_text(config, credentials, IniIndex::Parse::fully);
  auto lazy = ConfigFiles::from_text(config, credentials, IniIndex::Parse::lazily);
  if (!full) {
    // The lazy files fail for the config's error of the file as a whole, else for the credentials file (still
    // parsed whole when loaded), else not at all: the error is inside a section (checked above).
    auto config_index = IniIndex::from_text(config, "config");
    auto credentials_doc = IniDocument::parse(credentials, "credentials");
    if (!config_index) {
      KURA_FUZZ_CHECK(!lazy && lazy.error().message == config_index.error().message);
    } else if (!credentials_doc) {
      KURA_FUZZ_CHECK(!lazy && lazy.error().message == credentials_doc.error().message);
    } else {
      KURA_FUZZ_CHECK(lazy.ok());
    }
    return 0;
  }
  KURA_FUZZ_CHECK(lazy.ok());
  const auto names = full->profile_names();
  KURA_FUZZ_CHECK(lazy->profile_names() == names);
  const IniDocument& config_doc = **full->config_document();
  std::set<std::string> asked(names.begin(), names.end());
  for (const char* name : {"default", "a", "b", "s", ""}) asked.insert(name);
  size_t resolved = 0;
  for (const std::string& name : asked) {
    KURA_FUZZ_CHECK(same_section(lazy->read_config_section(name), full->read_config_section(name)));
    KURA_FUZZ_CHECK(same_section(*lazy->read_config_section(name), old_config_section(config_doc, name)));
    KURA_FUZZ_CHECK(same_section(lazy->read_credentials_section(name), full->read_credentials_section(name)));
    KURA_FUZZ_CHECK(same_section(lazy->read_services_section(name), full->read_services_section(name)));
    if (++resolved > 32) continue;  // chains make resolving costly; the lookups above are cheap
    KURA_FUZZ_CHECK(same_result(resolve_profile(*lazy, name), resolve_profile(*full, name)));
  }
  KURA_FUZZ_CHECK(!lazy->config_index().disagreed());
  KURA_FUZZ_CHECK(!lazy->credentials_index().disagreed());
  return 0;
}
