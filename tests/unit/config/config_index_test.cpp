// The lazy reader of the AWS files (config/config_index.h) against the full one: every section, every
// profile and every error the same, for tricky files, random ones and a few that stress where chunks begin.
#include "config/config_index.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "config/profiles.h"
#include "ini_cases.h"
#include "util/fs.h"
#include "util/strings.h"

namespace kura {
namespace {

using Parse = IniIndex::Parse;

std::string escaped(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::string describe(const IniSection* section) {
  if (!section) return "none";
  nlohmann::json out;
  out["name"] = section->name;
  out["values"] = section->values;
  out["nested"] = section->nested;
  return out.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::string describe(const Result<const IniSection*>& section) {
  if (!section) return "error: " + section.error().message + " | " + section.error().hint;
  return describe(*section);
}

nlohmann::json to_json(const Profile& p) {
  auto optional = [](const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(); };
  nlohmann::json out;
  out["name"] = p.name;
  out["role_arn"] = optional(p.role_arn);
  out["mfa_serial"] = optional(p.mfa_serial);
  out["external_id"] = optional(p.external_id);
  out["role_session_name"] = optional(p.role_session_name);
  out["source_identity"] = optional(p.source_identity);
  out["region"] = optional(p.region);
  out["duration"] = p.duration ? nlohmann::json(p.duration->count()) : nlohmann::json();
  for (const SessionTag& tag : p.session_tags) out["session_tags"].push_back({tag.key, tag.value});
  out["transitive_tag_keys"] = p.transitive_tag_keys;
  out["sts_endpoint_url"] = optional(p.sts_endpoint_url);
  out["sts_regional_endpoints"] = optional(p.sts_regional_endpoints);
  out["ignore_configured_endpoint_urls"] = p.ignore_configured_endpoint_urls;
  out["ca_bundle"] = optional(p.ca_bundle);
  out["static_access_key_id"] = optional(p.static_access_key_id);
  out["source"] = p.source ? to_json(*p.source) : nlohmann::json();
  out["sources_itself"] = p.sources_itself;
  out["in_files"] = p.in_files;
  out["raw"] = p.raw;
  return out;
}

std::string describe(const Result<Profile>& profile) {
  if (!profile) return "error: " + profile.error().message + " | " + profile.error().hint;
  return to_json(*profile).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// The lookups as they were when both files were parsed whole: every section looked through, in file order.
std::optional<std::string> old_profile_name(const std::string& section) {
  if (section == "default") return section;
  if (section.rfind("profile", 0) == 0 && section.size() > 7 && (section[7] == ' ' || section[7] == '\t')) {
    return std::string(trim(std::string_view(section).substr(8)));
  }
  return std::nullopt;
}

const IniSection* old_config_section(const IniDocument& config, const std::string& profile) {
  for (const auto& section : config.sections()) {
    auto name = old_profile_name(section.name);
    if (name && *name == profile && (profile != "default" || section.name == "default")) return &section;
  }
  if (profile == "default") return config.find("profile default");
  return nullptr;
}

const IniSection* old_services_section(const IniDocument& config, const std::string& name) {
  for (const auto& section : config.sections()) {
    const std::string& s = section.name;
    if (s.size() > 8 && s.compare(0, 8, "services") == 0 && (s[8] == ' ' || s[8] == '\t') &&
        trim(std::string_view(s).substr(9)) == name) {
      return &section;
    }
  }
  return nullptr;
}

std::vector<std::string> old_profile_names(const IniDocument& config, const IniDocument& credentials) {
  std::set<std::string> names;
  for (const auto& section : config.sections()) {
    if (auto name = old_profile_name(section.name)) names.insert(*name);
  }
  for (const auto& section : credentials.sections()) names.insert(section.name);
  return {names.begin(), names.end()};
}

struct Counts {
  int files = 0;
  int both_read = 0;
  int full_refused = 0;
  int lazy_refused_too = 0;
  int profiles = 0;
};

// One file: the index reads every section as the full parse does, in the same order, and where the full
// parse fails, the index either fails at once with the same error or its first failing section (in file
// order) fails with that error.
void expect_same_file(const std::string& text, const std::string& source, Counts& counts) {
  SCOPED_TRACE(source + ": " + escaped(text));
  auto full = IniDocument::parse(text, source);
  auto lazy = IniIndex::from_text(text, source);
  if (!full) {
    ++counts.full_refused;
    if (!lazy) {
      ++counts.lazy_refused_too;
      EXPECT_EQ(lazy.error().message, full.error().message);
      EXPECT_EQ(lazy.error().hint, full.error().hint);
      return;
    }
    EXPECT_FALSE(lazy->disagreed());
    auto names = lazy->names();
    ASSERT_TRUE(names) << names.error().message;
    std::optional<Error> first;
    for (size_t i = 0; i < names->size() && !first; ++i) {
      auto section = lazy->section((*names)[i]);
      if (!section) first = section.error();
    }
    ASSERT_TRUE(first) << "the index read every section of a file that does not parse; the file's error: "
                       << full.error().message;
    EXPECT_EQ(first->message, full.error().message);
    EXPECT_EQ(first->hint, full.error().hint);
    return;
  }
  ASSERT_TRUE(lazy) << lazy.error().message;
  ASSERT_EQ(lazy->size(), full->sections().size());
  std::vector<std::string> want_names;
  for (const IniSection& section : full->sections()) want_names.push_back(section.name);
  auto names = lazy->names();
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, want_names);
  std::optional<IniIndex::Position> previous;
  for (const IniSection& section : full->sections()) {
    auto found = lazy->find(section.name);
    ASSERT_TRUE(found && *found) << section.name;
    EXPECT_TRUE(!previous || *previous < **found) << "positions follow the file";
    previous = **found;
    EXPECT_EQ(describe(lazy->section(section.name)), describe(&section));
  }
  for (const char* absent : {"no such section", "", "[", "a]", "profile"}) {
    EXPECT_EQ(describe(lazy->section(absent)), describe(full->find(absent))) << absent;
  }
  EXPECT_FALSE(lazy->disagreed());
  auto document = lazy->document();
  ASSERT_TRUE(document);
  EXPECT_EQ((*document)->serialize(), text);
}

// Both files: every profile named in them (and a few that are not) resolves to the same Profile, or the same
// error, through the index and through documents parsed whole; the lookups are the ones of the old code.
void expect_same_profiles(const std::string& config, const std::string& credentials, Counts& counts,
                          const std::vector<std::string>& extra_names = {}) {
  ++counts.files;
  expect_same_file(config, "config", counts);
  expect_same_file(credentials, "credentials", counts);
  SCOPED_TRACE("config: " + escaped(config) + "\ncredentials: " + escaped(credentials));
  auto full = ConfigFiles::from_text(config, credentials, Parse::fully);
  auto lazy = ConfigFiles::from_text(config, credentials, Parse::lazily);
  auto config_doc = IniDocument::parse(config, "config");
  auto credentials_doc = IniDocument::parse(credentials, "credentials");
  ASSERT_EQ(full.ok(), config_doc.ok() && credentials_doc.ok());
  if (!full) {
    // Checked file by file above; the lazy files may still load when the error is inside a section. When they
    // do not, it is for the config's error of the file as a whole, or else for the credentials file, which is
    // still parsed whole when loaded (ConfigFiles::credentials).
    auto config_index = IniIndex::from_text(config, "config");
    if (!config_index) {
      ASSERT_FALSE(lazy);
      EXPECT_EQ(lazy.error().message, config_index.error().message);
    } else if (!credentials_doc) {
      ASSERT_FALSE(lazy);
      EXPECT_EQ(lazy.error().message, credentials_doc.error().message);
    } else {
      EXPECT_TRUE(lazy) << lazy.error().message;
    }
    return;
  }
  ++counts.both_read;
  ASSERT_TRUE(lazy) << lazy.error().message;
  std::vector<std::string> names = old_profile_names(*config_doc, *credentials_doc);
  EXPECT_EQ(lazy->profile_names(), names);
  EXPECT_EQ(full->profile_names(), names);
  names.insert(names.end(), {"default", "nobody", ""});
  names.insert(names.end(), extra_names.begin(), extra_names.end());
  for (const std::string& name : names) {
    SCOPED_TRACE("profile '" + name + "'");
    ++counts.profiles;
    const std::string want_config = describe(old_config_section(*config_doc, name));
    EXPECT_EQ(describe(lazy->read_config_section(name)), want_config);
    EXPECT_EQ(describe(full->read_config_section(name)), want_config);
    const std::string want_credentials = describe(credentials_doc->find(name));
    EXPECT_EQ(describe(lazy->read_credentials_section(name)), want_credentials);
    EXPECT_EQ(describe(full->read_credentials_section(name)), want_credentials);
    const std::string want_services = describe(old_services_section(*config_doc, name));
    EXPECT_EQ(describe(lazy->read_services_section(name)), want_services);
    EXPECT_EQ(describe(full->read_services_section(name)), want_services);
    EXPECT_EQ(describe(resolve_profile(*lazy, name)), describe(resolve_profile(*full, name)));
  }
  EXPECT_FALSE(lazy->config_index().disagreed());
  EXPECT_FALSE(lazy->credentials_index().disagreed());
}

// Random configs shaped like real ones, with the INI dialect's corners in every position: profiles that
// source and include each other across the file, services sections, [default] and [profile default], names
// spelled with tabs and extra spaces, indented lines that start with '[' (headers or values, by indentation),
// comments and blank lines inside values, the three line endings; and in about a third of the files one fault
// somewhere (a malformed line, a duplicate key or section, a bad header, a piece of the oracle's generator).
std::string random_config(std::mt19937& random, bool credentials_file) {
  auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
  auto chance = [&](unsigned percent) { return random() % 100 < percent; };
  const std::vector<std::string> endings = {"\n", "\r\n", "\r"};
  const std::string eol = pick(endings);
  const bool mixed = chance(10);
  auto end_line = [&]() { return mixed ? pick(endings) : eol; };
  int faults = chance(35) ? 1 : 0;
  auto fault = [&]() {
    if (faults == 0 || !chance(5)) return false;
    --faults;
    return true;
  };
  const std::vector<std::string> profiles = {"p0", "p1", "p2", "p3", "p4", "p5", "default", "dev"};
  std::string text;
  if (chance(20)) text += pick({"# generated", "", "; top\n", "  [lead]", "  "}) + end_line();
  std::set<std::string> used;
  const int sections = 1 + static_cast<int>(random() % 40);
  for (int s = 0; s < sections; ++s) {
    if (fault()) {
      text += pick({"[DEFAULT]", "[]", "[a", "junk", "k = v", "[profile p0] x"}) + end_line();
      continue;
    }
    if (chance(3) && fault()) {
      text += ini_cases::random_file(random) + end_line();
      continue;
    }
    std::string name;
    if (credentials_file) {
      name = chance(80) ? pick(profiles) : pick({"p0-long-term", "dev-long-term", "x y", " padded "});
    } else {
      unsigned kind = static_cast<unsigned>(random() % 100);
      std::string profile = pick(profiles);
      if (kind < 60) {
        name = "profile " + profile;
      } else if (kind < 68) {
        name = pick({"profile  ", "profile\t", "profile \t"}) + profile + pick({"", " ", "\t"});
      } else if (kind < 76) {
        name = "default";
      } else if (kind < 88) {
        name = pick({"services s0", "services s1", "services  s0", "services\ts1 "});
      } else {
        name = pick({"sso-session x", "p0", "preview", "profile", "profiles p1"});
      }
    }
    if (used.count(name) && !fault()) name += "-" + std::to_string(s);
    used.insert(name);
    const std::string header_indent = chance(5) ? pick({" ", "  ", "\t"}) : "";
    text += header_indent + "[" + name + "]" + end_line();
    std::set<std::string> keys_used;
    bool has_key = false;
    // Keys indented alike within a section, values deeper, so that faults come from fault() alone.
    const std::string key_indent = chance(85) ? "" : pick({" ", "  ", "\t", "\u3000"});
    const std::string deeper = key_indent + pick({"  ", "\t", "\u00a0 "});
    const int keys = static_cast<int>(random() % 7);
    for (int k = 0; k < keys; ++k) {
      unsigned kind = static_cast<unsigned>(random() % 100);
      std::string key;
      std::string line;
      bool last = false;
      if (kind < 12) {
        key = "source_profile";
        line = " = " + pick(profiles);
      } else if (kind < 20) {
        key = "include_profile";
        line = " = " + pick(profiles);
      } else if (kind < 30) {
        key = "role_arn";
        line = " = arn:aws:iam::" + std::to_string(random() % 5) + ":role/r";
      } else if (kind < 36) {
        key = "mfa_serial";
        line = " = arn:aws:iam::1:mfa/u";
      } else if (kind < 44) {
        key = pick({"region", "Region"});
        line = pick({" = eu-west-1", ": ap-south-1"});
      } else if (kind < 50) {
        key = "services";
        line = " = " + pick({"s0", "s1", "s2"});
      } else if (kind < 55) {
        key = "duration_seconds";
        line = " = " + pick({"900", "3600", "1h", "0", "forever"});
      } else if (kind < 60) {
        key = "session_tags";
        line = " = " + pick({"a=b, c = d", "bad", ""});
      } else if (kind < 63) {
        key = "transitive_session_tags";
        line = " = a, c";
      } else if (kind < 69) {
        // A nested block, the section's last key: lines below it at its depth would be its sub-keys.
        key = pick({"sts", "s3"});
        line =
            " =" + end_line() + deeper + pick({"endpoint_url = http://127.0.0.1:9", "a = 1"}) +
            (chance(30) ? end_line() + deeper + "# note" + end_line() + end_line() + deeper + "b = 2" : "");
        last = true;
      } else if (kind < 72) {
        key = "endpoint_url";
        line = " = http://global:1";
      } else if (kind < 77) {
        key = "aws_access_key_id";
        line = " = AKIA" + std::to_string(random() % 100);
      } else if (kind < 81) {
        key = pick({"ignore_configured_endpoint_urls", "ca_bundle", "source_identity", "external_id"});
        line = " = x";
      } else if (kind < 85) {
        line = pick({"# comment", "; comment", "", "  # indented"});
      } else if (kind < 93) {
        // A line that starts with '[' after whitespace: at the keys' depth a header (of a section with no
        // keys yet), deeper a line of the value above.
        std::string inner = chance(70) ? "profile q" + std::to_string(s) + "-" + std::to_string(k)
                                       : pick({"x", "lead", "services s9", "profile  q"});
        if (fault()) inner = pick({"profile p1", "p2", "services s0", "default"});
        if (has_key && chance(50)) {
          line = deeper + "[" + inner + "]";
        } else {
          line = (key_indent.empty() ? std::string(" ") : key_indent) + "[" + inner + "]";
          if (!key_indent.empty()) {
            keys_used.clear();
            has_key = false;
          }
        }
      } else if (has_key || fault()) {
        line = deeper + pick({"continued", "more = text", "[x]", "", "# c"});
      }
      if (!key.empty()) {
        if (keys_used.count(to_lower(key)) && !fault()) continue;
        keys_used.insert(to_lower(key));
        has_key = true;
        line = key_indent + key + line;
      }
      text += line + end_line();
      if (last) break;
    }
    if (fault()) text += pick({"junk", "= v", "\xc3\x89t\xc3\xa9 = 1"}) + end_line();
    if (chance(20)) text += end_line();
  }
  if (chance(10) && !text.empty()) text.pop_back();  // no final line ending (or half of a "\r\n")
  return text;
}

TEST(ConfigIndex, ReadsTheFixedTrickyFilesAsTheFullParser) {
  Counts counts;
  for (const std::string& text : ini_cases::k_fixed_cases) {
    expect_same_profiles(text, "", counts);
    expect_same_profiles("", text, counts);
    // And each behind a few profiles and before a few more, so that it starts and ends chunks.
    const std::string around =
        "# top\n[profile a]\nregion = x\n\n" + text + "\n[profile z]\nsource_profile = a\n";
    expect_same_profiles(around, text, counts, {"a", "z", "b", "c", "e", " c "});
  }
  for (size_t i = 0; i + 1 < ini_cases::k_fixed_cases.size(); ++i) {
    expect_same_profiles(ini_cases::k_fixed_cases[i] + ini_cases::k_fixed_cases[i + 1], "", counts);
  }
  EXPECT_GT(counts.both_read, 50);
  EXPECT_GT(counts.full_refused, 20);
}

TEST(ConfigIndex, ReadsRandomFilesAsTheFullParser) {
  std::mt19937 random(20261123);
  Counts counts;
  for (int i = 0; i < 3000; ++i) {
    expect_same_profiles(random_config(random, false), random_config(random, true), counts,
                         {"p0-long-term", "x y", " padded "});
    if (::testing::Test::HasFailure()) break;  // one file's worth of messages is enough
  }
  // The generator must reach both outcomes, and files that only the index's lazy reading gets through.
  std::cout << counts.files << " pairs of files: " << counts.both_read << " read alike, "
            << counts.full_refused << " files refused by the full parser (" << counts.lazy_refused_too
            << " of them at once by the index), " << counts.profiles << " profiles compared\n";
  EXPECT_GT(counts.both_read, 600);
  EXPECT_GT(counts.full_refused, 1500);
  EXPECT_GT(counts.full_refused, counts.lazy_refused_too + 200);
}

TEST(ConfigIndex, RandomFilesFromTheOracleGenerator) {
  std::mt19937 random(20261122);
  Counts counts;
  for (int i = 0; i < 3000; ++i) {
    std::string one = ini_cases::random_file(random);
    std::string two = ini_cases::random_file(random) + "\n" + ini_cases::random_file(random);
    expect_same_profiles(one, two, counts, {"a", "b", " c ", "d", "e", "s"});
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(counts.both_read, 500);
}

ConfigFiles files(const std::string& config, const std::string& credentials = "") {
  auto loaded = ConfigFiles::from_text(config, credentials);
  EXPECT_TRUE(loaded) << loaded.error().message;
  return std::move(*loaded);
}

TEST(ConfigIndex, AnIndentedBracketLineIsAHeaderOrAValueAsTheFullParserSays) {
  Counts counts;
  // Indented as deep as the key before it: a header. Deeper: a line of the key's value.
  const std::string header = "[profile a]\n  region = x\n  [profile b]\nrole_arn = arn:aws:iam::1:role/b\n";
  const std::string value = "[profile a]\nregion = x\n  [profile b]\nrole_arn = arn:aws:iam::1:role/b\n";
  expect_same_profiles(header, "", counts, {"a", "b"});
  expect_same_profiles(value, "", counts, {"a", "b"});
  ConfigFiles as_header = files(header);
  EXPECT_EQ(as_header.profile_names(), (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(as_header.config_section("b"), nullptr);
  EXPECT_EQ(as_header.config_section("b")->values.at("role_arn"), "arn:aws:iam::1:role/b");
  ConfigFiles as_value = files(value);
  EXPECT_EQ(as_value.profile_names(), std::vector<std::string>{"a"});
  EXPECT_EQ(as_value.config_section("a")->values.at("region"), "x\n[profile b]");
  EXPECT_EQ(as_value.config_section("b"), nullptr);
  // Far into a big file, the same: only the chunk with the indented line is parsed up front.
  ConfigFiles big = files(ini_cases::big_config(2000, header));
  EXPECT_EQ(big.config_index().parsed_chunks(), 1u);  // that chunk (the "# account" line before the first
                                                      // section is parsed too, and not kept: no section)
  ASSERT_NE(big.config_section("b"), nullptr);
  EXPECT_EQ(big.config_index().parsed_chunks(), 1u);
  expect_same_profiles(ini_cases::big_config(300, header), "", counts, {"a", "b"});
  expect_same_profiles(ini_cases::big_config(300, value), "", counts, {"a", "b"});
  // A header indented with Python whitespace that is not ASCII (U+3000) is still a header.
  expect_same_profiles(ini_cases::big_config(50, "[profile a]\n\u3000k = v\n\u3000[profile b]\nregion = y\n"),
                       "", counts, {"a", "b"});
}

// The scan takes a column-0 line that is exactly "[name]" with one memchr for its ']' and leaves every other
// line to ini_header_name(): lines that are nearly plain headers read as the full parser reads them, wherever
// they stand (first, among others, last with and without a line ending), whatever the name's length (the
// check reads eight bytes at a time) and wherever in it a control character sits.
TEST(ConfigIndex, NearlyPlainHeadersReadAsTheFullParserSays) {
  std::vector<std::string> lines = {"[a]",       "[a] ",       "[a]\t",      "[a]x",   "[a]]", "[]",
                                    "[DEFAULT]", "[DEFAULTS]", "[DEFAULT ]", " [a]",   "[a",   "[[a]",
                                    "[a[b]",     "[ a ]",      "[a]# note",  "[a] [b]"};
  for (size_t length : {1, 6, 7, 8, 9, 15, 16, 17, 24}) {
    for (size_t at = 0; at < length; ++at) {
      for (const char odd : {'\t', '\x01', '\x0b', '\x0d'}) {
        std::string name(length, 'n');
        name[at] = odd;
        lines.push_back("[" + name + "]");
      }
    }
  }
  Counts counts;
  for (const std::string& line : lines) {
    for (const std::string eol : {"\n", "\r\n", "\r"}) {
      const std::string before = "[profile a]" + eol + "region = x" + eol;
      const std::string after = "[profile z]" + eol + "region = y" + eol;
      expect_same_profiles(line + eol + "k = v" + eol + after, "", counts, {"a", "z"});
      expect_same_profiles(before + line + eol + "k = v" + eol + after, "", counts, {"a", "z"});
      expect_same_profiles(before + line, "", counts, {"a"});
      expect_same_profiles(before + line + eol, "", counts, {"a"});
    }
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(counts.both_read, 100);
  EXPECT_GT(counts.lazy_refused_too, 100);
}

TEST(ConfigIndex, CarriageReturnOnlyFiles) {
  Counts counts;
  const std::string text =
      ini_cases::big_config(200, "[profile x]\rinclude_profile = acct-00007\rregion = cr\r", "\r");
  expect_same_profiles(text, "", counts, {"x", "acct-00007", "acct-00150"});
  ConfigFiles cr = files(text);
  auto x = resolve_profile(cr, "x");
  ASSERT_TRUE(x) << x.error().message;
  EXPECT_EQ(x->region, "cr");
  EXPECT_EQ(x->role_arn, "arn:aws:iam::100000000007:role/admin");
  // A lone "\r" ends the line before a header: "...\r[profile y]" starts a section.
  ConfigFiles joined = files("[profile a]\rregion = 1\r[profile b]\rregion = 2");
  EXPECT_EQ(joined.profile_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(joined.config_section("b")->values.at("region"), "2");
}

TEST(ConfigIndex, AnErrorInALateSectionNamesItsLineInTheFile) {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    const std::string broken = "[profile broken]" + eol + "region = x" + eol + "this is not a pair" + eol;
    const std::string text = ini_cases::big_config(1000, broken, eol);
    auto full = IniDocument::parse(text, "config");
    ASSERT_FALSE(full);
    const std::string message = full.error().message;
    // Line 3003: 500 profiles of 6 lines before it, then the header and one key.
    EXPECT_EQ(message, "config:3003: malformed line: 'this is not a pair'") << escaped(eol);
    // The files load: the error is inside a section that nothing has asked for yet.
    ConfigFiles lazy = files(text);
    auto fine = resolve_profile(lazy, "acct-00999");
    EXPECT_TRUE(fine) << fine.error().message;
    auto bad = resolve_profile(lazy, "broken");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, message);
    EXPECT_EQ(bad.error().hint, full.error().hint);
    // The same error when the broken section is reached through a chain, and on every later lookup.
    ConfigFiles chained = files(text + "[profile via]" + eol + "include_profile = broken" + eol);
    auto via = resolve_profile(chained, "via");
    ASSERT_FALSE(via);
    EXPECT_EQ(via.error().message, message);
    EXPECT_EQ(chained.config_section("broken"), nullptr);
    EXPECT_EQ(chained.read_config_section("broken").error().message, message);
  }
}

TEST(ConfigIndex, ErrorsOfTheFileAsAWholeStayErrorsWhenLoading) {
  const std::string tail = ini_cases::big_config(500, "");
  struct Case {
    std::string text;
    std::string expected;
  } cases[] = {
      // A duplicate far from the first: both lines named.
      {"[profile x]\nregion = a\n" + tail + "[profile x]\nregion = b\n",
       "config:3003: duplicate section [profile x] (first at line 1): '[profile x]'"},
      // A duplicate that only an indented header makes, far away.
      {"[profile y]\n" + tail + "[profile z]\n  k = v\n  [profile y]\n",
       "config:3004: duplicate section [profile y] (first at line 1): '[profile y]'"},
      {tail + "[profile a]junk\n",
       "config:3001: text after the section header's closing ']': '[profile a]junk'"},
      {tail + "[DEFAULT]\nregion = x\n", "config:3001: [DEFAULT] would give its keys to every section"},
      {tail + "[oops\n", "config:3001: malformed section header: '[oops'"},
      {"region = x\n" + tail, "config:1: key outside of any section: 'region = x'"},
      // The first error of the file wins, even when it is inside a section nobody asked for.
      {"[profile early]\nnot a pair\n" + tail + "[profile early]\n",
       "config:2: malformed line: 'not a pair'"},
  };
  for (const Case& c : cases) {
    auto full = IniDocument::parse(c.text, "config");
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().message.rfind(c.expected, 0), 0u) << full.error().message;
    auto lazy = ConfigFiles::from_text(c.text, "");
    ASSERT_FALSE(lazy) << c.expected;
    EXPECT_EQ(lazy.error().message, full.error().message);
    EXPECT_EQ(lazy.error().hint, full.error().hint);
  }
}

TEST(ConfigIndex, DefaultAndProfileDefault) {
  Counts counts;
  const std::string both = "[profile default]\nregion = from-profile-default\n" +
                           ini_cases::big_config(100, "") + "[default]\nregion = from-default\n";
  expect_same_profiles(both, "", counts);
  EXPECT_EQ(resolve_profile(files(both), "default")->region, "from-default");
  const std::string only_profile = ini_cases::big_config(100, "[profile default]\nregion = p\n");
  EXPECT_EQ(resolve_profile(files(only_profile), "default")->region, "p");
  // "[profile  default]" names the default profile in the list, but is not the default profile's section.
  const std::string spaced = "[profile  default]\nregion = spaced\n";
  expect_same_profiles(spaced, "", counts);
  ConfigFiles f = files(spaced);
  EXPECT_EQ(f.profile_names(), std::vector<std::string>{"default"});
  EXPECT_EQ(f.config_section("default"), nullptr);
  // [default] belongs to the default profile only.
  ConfigFiles d = files("[default]\nregion = d\n[profile other]\n");
  EXPECT_FALSE(resolve_profile(d, "other")->region);
}

TEST(ConfigIndex, ChainsAcrossDistantSectionsParseOnlyTheirSections) {
  const std::string head =
      "[profile top]\nsource_profile = mid\nrole_arn = arn:aws:iam::1:role/top\ninclude_profile = common\n";
  const std::string middle = "[profile mid]\nsource_profile = base\nrole_arn = arn:aws:iam::2:role/mid\n";
  const std::string tail =
      "[profile base]\nmfa_serial = arn:aws:iam::1:mfa/u\nservices = local\n"
      "[profile common]\nregion = ap-southeast-2\nduration_seconds = 3600\n"
      "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9\n";
  const std::string text = head + ini_cases::big_config(5000, middle) + tail;
  Counts counts;
  expect_same_profiles(head + ini_cases::big_config(200, middle) + tail, "", counts,
                       {"top", "mid", "base", "common"});
  ConfigFiles f = files(text, "[base]\naws_access_key_id = AKIABASE\n");
  EXPECT_EQ(f.config_index().parsed_chunks(), 0u);
  auto top = resolve_profile(f, "top");
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(top->region, "ap-southeast-2");
  EXPECT_EQ(top->duration, Seconds(3600));
  ASSERT_TRUE(top->source && top->source->source);
  EXPECT_EQ(top->source->source->mfa_serial, "arn:aws:iam::1:mfa/u");
  EXPECT_EQ(top->source->source->static_access_key_id, "AKIABASE");
  EXPECT_EQ(top->source->source->sts_endpoint_url, "http://127.0.0.1:9");
  // top, common, mid, base and the services section: five of the 5005 sections.
  EXPECT_EQ(f.config_index().parsed_chunks(), 5u);
  EXPECT_EQ(f.profile_names().size(), 5004u);
  EXPECT_EQ(f.config_index().parsed_chunks(), 5u);
}

TEST(ConfigIndex, ServicesSectionsAndUnusualSpellingsFirstInTheFileWins) {
  Counts counts;
  const std::string text = "[profile  dev]\nregion = first\n" +
                           ini_cases::big_config(100,
                                                 "[services\tlocal ]\nsts =\n"
                                                 "  endpoint_url = http://first\n") +
                           "[profile dev]\nregion = second\nservices = local\n"
                           "[services local]\nsts =\n  endpoint_url = http://second\n";
  expect_same_profiles(text, "", counts, {"dev", "local"});
  ConfigFiles f = files(text);
  EXPECT_EQ(f.config_section("dev")->values.at("region"), "first");
  EXPECT_EQ(f.services_section("local")->nested.at("sts").at("endpoint_url"), "http://first");
  auto missing =
      resolve_profile(files("[profile p]\nservices = nowhere\n" + ini_cases::big_config(10, "")), "p");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "profile 'p': services section 'nowhere' not found");
}

TEST(ConfigIndex, SectionErrorsWaitUntilTheSectionIsRead) {
  // What the lazy reading gives up: a section that nothing reads is not checked. botocore would refuse such a
  // file altogether, so every AWS tool reports it; kura reports it for the profiles that read the section.
  const std::string text = "[profile good]\nregion = x\n[profile bad]\nregion = a\nREGION = b\n";
  auto full = IniDocument::parse(text, "config");
  ASSERT_FALSE(full);
  ConfigFiles f = files(text);
  EXPECT_TRUE(resolve_profile(f, "good"));
  EXPECT_EQ(f.profile_names(), (std::vector<std::string>{"bad", "good"}));
  auto bad = resolve_profile(f, "bad");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, full.error().message);
  // Who needs the whole file gets the whole file's error.
  auto whole = f.config_document();
  ASSERT_FALSE(whole);
  EXPECT_EQ(whole.error().message, full.error().message);
}

// Found by fuzz_config_index (in the harness, not the index): a config whose only error is inside a section
// loads, so a credentials file that does not parse is the error the files report, where the full parse
// reported the config's.
TEST(ConfigIndex, ASectionErrorInTheConfigLeavesTheCredentialsErrorToReport) {
  const std::string config = "[profile a]\nsource_profile = b\nrole_arn = r\n[profile b]\nsource_profile\n";
  const std::string credentials = std::string(3, '\0') + " = a\n";
  auto full = ConfigFiles::from_text(config, credentials, Parse::fully);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().message, "config:5: malformed line: 'source_profile'");
  auto lazy = ConfigFiles::from_text(config, credentials);
  ASSERT_FALSE(lazy);
  EXPECT_EQ(lazy.error().message.rfind("credentials:1: key outside of any section", 0), 0u)
      << lazy.error().message;
  Counts counts;
  expect_same_profiles(config, credentials, counts);
}

class ConfigIndexFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-config-index.XXXXXX";
    dir = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string dir;
};

TEST_F(ConfigIndexFiles, LoadsFromDiskAsFromText) {
  const std::string text =
      ini_cases::big_config(3000, "[profile x]\nsource_profile = acct-00001\nrole_arn = r\n");
  std::ofstream(dir + "/config", std::ios::binary) << text;
  auto loaded = IniIndex::load(dir + "/config");
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->source(), dir + "/config");
  EXPECT_EQ(loaded->size(), 3001u);
  EXPECT_EQ(loaded->parsed_chunks(), 0u);
  auto x = loaded->section("profile x");
  ASSERT_TRUE(x && *x);
  EXPECT_EQ((*x)->values.at("source_profile"), "acct-00001");
  EXPECT_EQ(loaded->parsed_chunks(), 1u);
  EXPECT_EQ((*loaded->document())->serialize(), text);
  auto absent = IniIndex::load(dir + "/absent");
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->size(), 0u);
  // What cannot be read is the error util/fs gives.
  auto directory = IniIndex::load(dir);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().message, read_file(dir).error().message);
}

// A small file (a few profiles) is read whole when loaded, in one read: its sections are a snapshot, which a
// rewrite afterwards neither changes nor breaks.
TEST_F(ConfigIndexFiles, ASmallFileIsReadWholeOnce) {
  const std::string path = dir + "/config";
  std::ofstream(path, std::ios::binary) << "[profile a]\nregion = old\n\n[profile b]\nregion = old\n";
  auto index = IniIndex::load(path);
  ASSERT_TRUE(index) << index.error().message;
  {
    std::ofstream rewrite(path, std::ios::binary | std::ios::trunc);
    rewrite << "[profile b]\nregion = new\n\n[profile a]\nregion = new\n";
  }
  for (const char* name : {"profile a", "profile b"}) {
    auto section = index->section(name);
    ASSERT_TRUE(section && *section) << name;
    EXPECT_EQ((*section)->values.at("region"), "old") << name;
  }
}

// A section is read from the file when it is first asked for, then kept. A file rewritten in place since it
// was indexed (as `aws configure set` writes) would mix two versions: what was read stays as read, and
// reading more is an error that says so. A file replaced by a rename (as kura's own editor writes) is never
// seen: the open file is the old one.
TEST_F(ConfigIndexFiles, AFileChangedSinceItWasIndexed) {
  const std::string path = dir + "/config";
  std::ofstream(path, std::ios::binary) << ini_cases::big_config(100, "[profile x]\nregion = old\n");
  auto index = IniIndex::load(path);
  ASSERT_TRUE(index) << index.error().message;
  auto early = index->section("profile acct-00007");
  ASSERT_TRUE(early && *early);
  {
    std::ofstream rewrite(path, std::ios::binary | std::ios::trunc);
    rewrite << "[profile x]\nregion = new\n" << ini_cases::big_config(100, "");
  }
  auto x = index->section("profile x");
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().message, path + " changed while kura was reading it");
  EXPECT_EQ(x.error().hint, "run the command again");
  auto again = index->section("profile acct-00007");
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(*again, *early);
  EXPECT_FALSE(index->names());
  EXPECT_FALSE(index->disagreed());

  std::ofstream(path + ".new", std::ios::binary) << "[profile y]\n";
  auto renamed = IniIndex::load(path);
  ASSERT_TRUE(renamed);
  ASSERT_EQ(std::rename((path + ".new").c_str(), path.c_str()), 0);
  auto old = renamed->section("profile acct-00042");
  ASSERT_TRUE(old && *old);
  EXPECT_EQ((*old)->values.at("region"), "eu-west-1");
  EXPECT_EQ(renamed->names()->size(), 101u);
  EXPECT_FALSE(renamed->disagreed());
}

TEST_F(ConfigIndexFiles, ReadsAPipe) {
  const std::string path = dir + "/fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const std::string text = ini_cases::big_config(2000, "[profile piped]\nregion = p\n");
  std::thread writer([&] { std::ofstream(path, std::ios::binary) << text; });
  auto loaded = IniIndex::load(path);
  writer.join();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ((*loaded->section("profile piped"))->values.at("region"), "p");
  EXPECT_EQ((*loaded->document())->serialize(), text);
}

TEST(ConfigIndex, LookupsFromThreadsAtOnce) {
  const std::string text = ini_cases::big_config(400, "");
  auto index = IniIndex::from_text(text, "config");
  ASSERT_TRUE(index);
  auto names = index->names();
  ASSERT_TRUE(names);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (const std::string& name : *names) {
        auto section = index->section(name);
        if (!section || !*section || (*section)->name != name) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(index->parsed_chunks(), 400u);
}

}  // namespace
}  // namespace kura
