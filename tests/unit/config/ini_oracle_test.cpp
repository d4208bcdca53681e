// kura's INI reader and editor against botocore's (tests/tools/ini_oracle.py): tricky files, a fixed list and
// random ones, read by both and compared key by key; then random edits by kura, read back by botocore.
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>

#include "config/ini.h"
#include "ini_cases.h"

namespace kura {
namespace {

using ini_cases::k_fixed_cases;
using ini_cases::random_file;

const std::string k_oracle = std::string(KURA_TEST_DATA) + "/../tools/ini_oracle.py";

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[65536];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

bool oracle_available() {
  return std::system("python3 -c 'import botocore.configloader' >/dev/null 2>&1") == 0;
}

// What botocore reads from each file in `directory`, keyed by file name.
std::map<std::string, nlohmann::json> ask_botocore(const std::string& directory) {
  std::string out = run("PYTHONUTF8=1 python3 '" + k_oracle + "' '" + directory + "'");
  std::map<std::string, nlohmann::json> results;
  auto parsed = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "the oracle printed: " << out.substr(0, 2000);
  if (parsed.is_discarded()) return results;
  for (auto& [path, result] : parsed.items()) {
    results[std::filesystem::path(path).filename().string()] = result;
  }
  return results;
}

IniContent content_of(const nlohmann::json& sections) {
  IniContent content;
  for (auto& [name, keys] : sections.items()) {
    auto& section = content[name];
    for (auto& [key, value] : keys.items()) {
      if (value.is_string()) {
        section[key] = IniValue{value.get<std::string>(), {}};
      } else {
        IniValue nested;
        for (auto& [sub, text] : value.items()) nested.nested[sub] = text.get<std::string>();
        section[key] = nested;
      }
    }
  }
  return content;
}

std::string show(const IniContent& content) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, keys] : content) {
    out[name] = nlohmann::json::object();
    for (const auto& [key, value] : keys) {
      if (value.nested.empty()) {
        out[name][key] = value.text;
      } else {
        out[name][key] = value.nested;
      }
    }
  }
  return out.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::string escaped(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

struct Tally {
  int files = 0;
  int both_read = 0;
  int kura_stricter = 0;
  int botocore_failed = 0;
  int edited_files = 0;
  int edits = 0;
  int refused_edits = 0;
};

bool is_deliberate_refusal(const std::string& message) {
  const char* reasons[] = {"text after the section header's closing ']'",
                           "[DEFAULT] would give its keys",
                           "a key name with non-ASCII characters",
                           "malformed section header",
                           "a control character inside a nested block",
                           "duplicate key",
                           "empty key in nested block"};
  for (const char* reason : reasons) {
    if (message.find(reason) != std::string::npos) return true;
  }
  return false;
}

class IniOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!oracle_available()) GTEST_SKIP() << "python3 with botocore is needed to compare with botocore";
    char pattern[] = "/tmp/kura-ini-oracle.XXXXXX";
    dir = mkdtemp(pattern);
    std::filesystem::create_directory(dir + "/read");
    std::filesystem::create_directory(dir + "/edited");
  }
  void TearDown() override {
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  std::string dir;
};

TEST_F(IniOracle, KuraReadsAndEditsAsBotocoreDoes) {
  std::mt19937 random(20261122);
  std::vector<std::string> texts = k_fixed_cases;
  for (int i = 0; i < 4000; ++i) texts.push_back(random_file(random));
  auto name_of = [](size_t i) {
    char name[32];
    std::snprintf(name, sizeof name, "%05zu.ini", i);
    return std::string(name);
  };
  for (size_t i = 0; i < texts.size(); ++i) write(dir + "/read/" + name_of(i), texts[i]);
  auto botocore = ask_botocore(dir + "/read");
  ASSERT_EQ(botocore.size(), texts.size());

  Tally tally;
  std::map<std::string, IniContent> expected_after_edits;
  std::map<std::string, std::string> edited_from;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string name = name_of(i);
    const nlohmann::json& theirs = botocore.at(name);
    auto ours = IniDocument::parse(texts[i], name);
    ++tally.files;
    SCOPED_TRACE("file " + name + ": " + escaped(texts[i]));
    if (!theirs.at("ok").get<bool>()) {
      ++tally.botocore_failed;
      // kura reads more than botocore only where Python cannot decode the file at all.
      if (ours) {
        EXPECT_NE(theirs.at("error").get<std::string>().find("UnicodeDecodeError"), std::string::npos)
            << "botocore: " << theirs.at("error") << "\nkura: " << show(ours->content());
      }
      continue;
    }
    const IniContent want = content_of(theirs.at("sections"));
    if (!ours) {
      ++tally.kura_stricter;
      // Where kura refuses what botocore reads, it is on purpose, and it says where.
      EXPECT_TRUE(std::regex_search(ours.error().message, std::regex("^" + name + ":[0-9]+: ")))
          << ours.error().message;
      EXPECT_TRUE(is_deliberate_refusal(ours.error().message))
          << ours.error().message << "\nbotocore: " << show(want);
      continue;
    }
    ++tally.both_read;
    EXPECT_EQ(show(ours->content()), show(want));
    ASSERT_EQ(ours->serialize(), texts[i]);

    // Random edits; botocore must then read exactly the original plus the edits.
    auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
    IniDocument doc = std::move(*ours);
    const int count = 1 + static_cast<int>(random() % 4);
    bool refused = false;
    for (int e = 0; e < count && !refused; ++e) {
      std::vector<std::string> sections;
      for (const auto& [section, keys] : doc.content()) sections.push_back(section);
      std::string section = sections.empty() || random() % 4 == 0
                                ? pick({"profile new", "new", " padded ", "a", "default"})
                                : sections[random() % sections.size()];
      std::vector<std::string> keys;
      if (const IniSection* found = doc.find(section)) {
        for (const auto& [key, value] : found->values) keys.push_back(key);
      }
      std::string key = keys.empty() || random() % 3 == 0 ? pick({"k", "Region", "new_key", "sts", "x y"})
                                                          : keys[random() % keys.size()];
      std::string value = pick({"new", "", "a = b", "x:y", "#x", "[z]", "with inner  spaces", "ASIA/+=="});
      unsigned op = static_cast<unsigned>(random() % 10);
      std::string what = op < 6 ? "set" : op < 9 ? "remove_key" : "remove_section";
      Result<void> done;
      const std::string before = doc.serialize();
      if (op < 6) {
        done = doc.set(section, key, value);
      } else if (op < 9) {
        auto removed = doc.remove_key(section, key);
        if (!removed) done = removed.error();
      } else {
        auto removed = doc.remove_section(section);
        if (!removed) done = removed.error();
      }
      ++tally.edits;
      if (!done) {
        // Removing a section can leave the next, more indented header continuing the previous section's last
        // key; kura then refuses rather than re-indent a line it was not asked to touch. Nothing else is
        // refused for the names and values used here.
        EXPECT_EQ(what, "remove_section") << done.error().message;
        EXPECT_TRUE(done.error().message.find("would also change") != std::string::npos ||
                    done.error().message.find("would leave a file that does not parse") != std::string::npos)
            << done.error().message;
        EXPECT_EQ(doc.serialize(), before) << "a refused edit left the document changed";
        ++tally.refused_edits;
        refused = true;
      }
    }
    if (refused) continue;
    ++tally.edited_files;
    write(dir + "/edited/" + name, doc.serialize());
    expected_after_edits[name] = apply_edits(want, doc.edits());
    edited_from[name] = texts[i];
  }

  auto after = ask_botocore(dir + "/edited");
  ASSERT_EQ(after.size(), expected_after_edits.size());
  for (const auto& [name, expected] : expected_after_edits) {
    const nlohmann::json& theirs = after.at(name);
    std::ifstream in(dir + "/edited/" + name, std::ios::binary);
    std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE("file " + name + ": " + escaped(edited_from[name]) + "\nedited: " + escaped(written));
    ASSERT_TRUE(theirs.at("ok").get<bool>()) << theirs.at("error");
    EXPECT_EQ(show(content_of(theirs.at("sections"))), show(expected));
  }
  std::cout << "compared " << tally.files << " files with botocore: " << tally.both_read << " read alike, "
            << tally.kura_stricter << " refused by kura on purpose, " << tally.botocore_failed
            << " refused by botocore; " << tally.edits << " edits (" << tally.refused_edits
            << " refused as unsafe), " << tally.edited_files
            << " edited files read back by botocore as intended\n";
}

}  // namespace
}  // namespace kura
