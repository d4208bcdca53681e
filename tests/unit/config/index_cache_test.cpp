// A config's section index kept between runs (config/index_cache.h): read back, it answers every lookup as
// the scan does; it is used only for the file it was built from, and anything wrong with it means a scan.
#include "config/index_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "config/config_index.h"
#include "config/profiles.h"
#include "ini_cases.h"
#include "util/fs.h"

namespace kura {
namespace {

const std::string k_key = index_key("config", "test keep");

// Names with a tab or a 'k' in them: stands for unusual_name (profiles.cpp), whose answers a kept index
// holds.
bool keep_odd(std::string_view name) {
  return name.find('\t') != std::string_view::npos || name.find('k') != std::string_view::npos;
}

std::string describe(const Result<const IniSection*>& section) {
  if (!section) return "error: " + section.error().message + " | " + section.error().hint;
  if (!*section) return "none";
  std::string out = (*section)->name + " {";
  for (const auto& [key, value] : (*section)->values) out += key + "=" + value + ";";
  for (const auto& [key, values] : (*section)->nested) {
    out += key + "{";
    for (const auto& [sub, value] : values) out += sub + "=" + value + ";";
    out += "}";
  }
  return out + "}";
}

std::string describe(const Result<Profile>& profile) {
  if (!profile) return "error: " + profile.error().message + " | " + profile.error().hint;
  std::string out = profile->name + " region=" + profile->region.value_or("-") +
                    " role=" + profile->role_arn.value_or("-") + " mfa=" + profile->mfa_serial.value_or("-") +
                    " endpoint=" + profile->sts_endpoint_url.value_or("-") +
                    " key=" + profile->static_access_key_id.value_or("-");
  for (const auto& [key, value] : profile->raw) out += " " + key + "=" + value;
  if (profile->source) out += " <- " + describe(Result<Profile>(*profile->source));
  return out;
}

FileStamp stamp_for(std::string_view text) {
  FileStamp file;
  file.device = 41;
  file.inode = 42;
  file.size = text.size();
  file.mtime_sec = 1700000000;
  file.mtime_nsec = 5;
  file.ctime_sec = 1700000001;
  file.ctime_nsec = 6;
  return file;
}

// Every answer of `stored` is the scan's (`scanned`): sizes, kept names, listings, and each section's lookup,
// error or absence.
void expect_same_answers(const IniIndex& scanned, const IniIndex& stored,
                         const std::vector<std::string>& probes) {
  EXPECT_EQ(stored.size(), scanned.size());
  EXPECT_EQ(stored.kept(), scanned.kept());
  auto names = scanned.names();
  ASSERT_TRUE(names) << names.error().message;
  auto stored_names = stored.names();
  ASSERT_TRUE(stored_names) << stored_names.error().message;
  EXPECT_EQ(*stored_names, *names);
  std::vector<std::string> asked = *names;
  asked.insert(asked.end(), probes.begin(), probes.end());
  for (const std::string& name : asked) {
    auto found = scanned.find(name);
    auto found_stored = stored.find(name);
    ASSERT_TRUE(found && found_stored);
    EXPECT_EQ(*found_stored, *found) << name;
    EXPECT_EQ(describe(stored.section(name)), describe(scanned.section(name))) << name;
  }
  EXPECT_FALSE(stored.disagreed());
}

// Round trip: the stored form of a scanned index, read back, answers as the scan, for the tricky files of the
// INI tests placed among other profiles (indented headers, text before the first header, odd names, errors
// inside sections, files that end without a line ending) and for random ones.
TEST(IndexCache, ReadBackItAnswersAsTheScan) {
  std::vector<std::string> texts;
  for (const std::string& text : ini_cases::k_fixed_cases) {
    texts.push_back(text);
    texts.push_back("# top\n[profile a]\nregion = x\n\n" + text + "\n[profile\tz]\nsource_profile = a\n");
    texts.push_back(ini_cases::big_config(40, text + "\n"));
  }
  std::mt19937 random(20261124);
  for (int i = 0; i < 300; ++i) texts.push_back(ini_cases::random_file(random));
  texts.push_back(ini_cases::big_config(300, "[profile x]\n  [profile k-indented]\n  region = y\n", "\r\n"));
  int round_trips = 0;
  for (const std::string& text : texts) {
    auto scanned = IniIndex::from_text(text, "config", IniIndex::Parse::lazily, keep_odd);
    if (!scanned) continue;  // an error of the file as a whole: nothing is kept
    const FileStamp file = stamp_for(text);
    auto bytes = scanned->stored_form(k_key, file);
    if (!bytes) {
      EXPECT_TRUE(scanned->disagreed());  // parsed whole: only when the scan stopped at what it cannot index
      continue;
    }
    auto stored = IniIndex::from_stored(text, "config", *bytes, k_key, file, keep_odd);
    ASSERT_TRUE(stored) << text;
    EXPECT_TRUE(stored->from_stored_index());
    EXPECT_FALSE(scanned->from_stored_index());
    EXPECT_EQ(stored->parsed_chunks(), scanned->parsed_chunks());  // the same chunks parsed up front
    expect_same_answers(*scanned, *stored, {"", "x", "profile a", "default", "profile acct-00020"});
    ++round_trips;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(round_trips, 300);
}

TEST(IndexCache, AChangeOfAnyStampFieldOrOfTheKeyMakesItUnused) {
  const std::string text = ini_cases::big_config(100, "");
  auto scanned = IniIndex::from_text(text, "config");
  ASSERT_TRUE(scanned);
  const FileStamp file = stamp_for(text);
  const std::string bytes = *scanned->stored_form(k_key, file);
  ASSERT_TRUE(IniIndex::from_stored(text, "config", bytes, k_key, file));
  for (int64_t FileStamp::*field :
       {&FileStamp::mtime_sec, &FileStamp::mtime_nsec, &FileStamp::ctime_sec, &FileStamp::ctime_nsec}) {
    FileStamp other = file;
    other.*field += 1;
    EXPECT_FALSE(IniIndex::from_stored(text, "config", bytes, k_key, other));
  }
  for (uint64_t FileStamp::*field : {&FileStamp::device, &FileStamp::inode, &FileStamp::size}) {
    FileStamp other = file;
    other.*field += 1;
    EXPECT_FALSE(IniIndex::from_stored(text, "config", bytes, k_key, other));
  }
  // The same stamp for a file of another length (a stamp says what the file is; the text must agree).
  EXPECT_FALSE(IniIndex::from_stored(text + "\n", "config", bytes, k_key, file));
  // Another kura, another path, another Keep.
  EXPECT_FALSE(IniIndex::from_stored(text, "config", bytes, index_key("config", "other keep"), file));
  EXPECT_FALSE(IniIndex::from_stored(text, "config", bytes, index_key("other/config", "test keep"), file));
}

// Damaged bytes are refused: cut short, grown, or any bit flipped (the checksum). Damage that comes with a
// checksum that fits (what a checksum cannot catch) is refused, or costs a lookup its section or a scan, but
// never gives a section that the file does not hold, nor other values than the file's.
TEST(IndexCache, DamagedBytesAreRefusedOrHarmless) {
  const std::string text = "# top\n[profile a]\nregion = x\n  [profile k]\n  region = z\n" +
                           ini_cases::big_config(60, "[profile\tt]\nregion = t\n") +
                           "[profile last]\nregion = l";
  auto full = IniDocument::parse(text, "config");
  ASSERT_TRUE(full) << full.error().message;
  auto scanned = IniIndex::from_text(text, "config", IniIndex::Parse::lazily, keep_odd);
  ASSERT_TRUE(scanned);
  const FileStamp file = stamp_for(text);
  const std::string bytes = *scanned->stored_form(k_key, file);
  for (size_t size = 0; size < bytes.size(); ++size) {
    ASSERT_FALSE(IniIndex::from_stored(text, "config", bytes.substr(0, size), k_key, file)) << size;
  }
  EXPECT_FALSE(IniIndex::from_stored(text, "config", bytes + '\0', k_key, file));
  size_t refused = 0;
  size_t used = 0;
  for (size_t at = 0; at < bytes.size(); ++at) {
    for (const int flip : {0x01, 0x80}) {
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ flip);
      ASSERT_FALSE(IniIndex::from_stored(text, "config", damaged, k_key, file, keep_odd)) << at;
      if (!seal_index(damaged)) continue;  // a length changed
      auto stored = IniIndex::from_stored(text, "config", damaged, k_key, file, keep_odd);
      if (!stored) {
        ++refused;
        continue;
      }
      ++used;
      for (const IniSection& want : full->sections()) {
        auto got = stored->section(want.name);
        ASSERT_TRUE(got) << at;
        if (*got) {
          EXPECT_EQ((*got)->values, want.values) << at << " " << want.name;
        }
      }
      for (const char* absent : {"x", "profile", "default", "account 00001"}) {
        auto got = stored->section(absent);
        EXPECT_TRUE(got && !*got) << at;
      }
      auto names = stored->names();
      ASSERT_TRUE(names) << at;
      for (const std::string& name : *names) EXPECT_TRUE(full->find(name)) << at << " " << name;
    }
  }
  EXPECT_GT(refused, 100u);  // the header, key and lists are checked
  EXPECT_GT(used, 1000u);    // the tables are checked where they are used
}

// What the checksum cannot vouch for, the lookups check as they check the scan's findings: here an index that
// fits its bytes and stamp, but of another text of the same size, where "[profile b]" is no longer at the
// start of a line. No section b, and a's value as the file has it.
TEST(IndexCache, AnIndexOfAnotherTextIsCaughtByTheLookups) {
  const std::string text = "[profile a]\nk = v\n[profile b]\nregion = r\n";
  const std::string other = "[profile a]\nk = v [profile b]\nregion = r\n";
  ASSERT_EQ(text.size(), other.size());
  auto scanned = IniIndex::from_text(text, "config");
  ASSERT_TRUE(scanned);
  const FileStamp file = stamp_for(text);
  auto lying = IniIndex::from_stored(other, "config", *scanned->stored_form(k_key, file), k_key, file);
  ASSERT_TRUE(lying);
  auto b = lying->section("profile b");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, nullptr);
  auto a = lying->section("profile a");
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->values.at("k"), "v [profile b]");
  EXPECT_EQ((*a)->values.at("region"), "r");
}

class IndexCacheFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-index-cache.XXXXXX";
    dir = mkdtemp(pattern);
    config = dir + "/config";
    persist.directory = dir + "/cache/kura/index";
    persist.keep_name = "test keep";
    persist.min_size = 0;
    persist.settle = std::chrono::nanoseconds(0);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  void write(const std::string& text) { std::ofstream(config, std::ios::binary | std::ios::trunc) << text; }
  IniIndex load() {
    auto loaded = IniIndex::load(config, IniIndex::Parse::lazily, keep_odd, &persist);
    EXPECT_TRUE(loaded) << loaded.error().message;
    return std::move(*loaded);
  }
  std::string kept_file() const { return index_cache_file(persist.directory, config); }
  bool kept() const { return file_exists(kept_file()); }

  std::string dir;
  std::string config;
  IniIndex::Persist persist;
};

TEST_F(IndexCacheFiles, KeptPrivatelyAfterAScanAndUsedByTheNextLoad) {
  const std::string text = ini_cases::big_config(2000, "[profile x]\n  [profile k]\n  region = k\n");
  write(text);
  IniIndex first = load();
  EXPECT_FALSE(first.from_stored_index());
  ASSERT_TRUE(kept());
  struct stat info {};
  ASSERT_EQ(::stat(kept_file().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(persist.directory.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  IniIndex second = load();
  EXPECT_TRUE(second.from_stored_index());
  EXPECT_EQ(second.parsed_chunks(), 1u);  // the chunk with the indented header, as the scan parsed
  expect_same_answers(first, second, {"profile acct-01999", "profile nothing"});
  // A scan of it without the kept index answers alike too.
  auto plain = IniIndex::load(config, IniIndex::Parse::lazily, keep_odd);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->from_stored_index());
  expect_same_answers(*plain, second, {});
}

TEST_F(IndexCacheFiles, NotKeptForAFileChangedMomentsAgoNorForASmallOne) {
  write(ini_cases::big_config(2000, ""));
  persist.settle = std::chrono::seconds(2);  // the default: the file was written just now
  EXPECT_FALSE(load().from_stored_index());
  EXPECT_FALSE(kept());
  persist.settle = std::chrono::nanoseconds(0);
  persist.min_size = IniIndex::Persist().min_size;
  write(ini_cases::big_config(100, ""));  // ~12 KB
  EXPECT_FALSE(load().from_stored_index());
  EXPECT_FALSE(kept());
  write(ini_cases::big_config(1000, ""));  // ~120 KB
  EXPECT_FALSE(load().from_stored_index());
  EXPECT_TRUE(kept());
  EXPECT_TRUE(load().from_stored_index());
}

TEST_F(IndexCacheFiles, StaleOnceTheFileChanges) {
  const std::string text = ini_cases::big_config(1000, "[profile x]\nregion = before\n");
  write(text);
  load();
  ASSERT_TRUE(load().from_stored_index());
  auto region = [&](const IniIndex& index) { return (*index.section("profile x"))->values.at("region"); };

  // Rewritten in place, the same size: mtime and ctime change.
  std::string edited = text;
  edited.replace(edited.find("before"), 6, "after!");
  write(edited);
  IniIndex after_edit = load();
  EXPECT_FALSE(after_edit.from_stored_index());
  EXPECT_EQ(region(after_edit), "after!");
  ASSERT_TRUE(load().from_stored_index());  // kept anew

  // Its mtime set back as it was: ctime still moves.
  struct stat info {};
  ASSERT_EQ(::stat(config.c_str(), &info), 0);
  const timespec times[2] = {info.st_atim, info.st_mtim};
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(::utimensat(AT_FDCWD, config.c_str(), times, 0), 0);
  EXPECT_FALSE(load().from_stored_index());
  ASSERT_TRUE(load().from_stored_index());

  // Replaced by another file (another inode), as kura's own editor does.
  ASSERT_TRUE(write_file_atomic(config, edited, 0600));
  EXPECT_FALSE(load().from_stored_index());
  ASSERT_TRUE(load().from_stored_index());

  // Grown.
  std::ofstream(config, std::ios::binary | std::ios::app) << "[profile y]\nregion = y\n";
  IniIndex grown = load();
  EXPECT_FALSE(grown.from_stored_index());
  EXPECT_EQ((*grown.section("profile y"))->values.at("region"), "y");
}

TEST_F(IndexCacheFiles, ADamagedKeptFileMeansAScanAndIsKeptAnew) {
  write(ini_cases::big_config(1000, ""));
  IniIndex scanned = load();
  const std::string bytes = *read_file(kept_file()).value();
  for (const std::string& damaged :
       {bytes.substr(0, bytes.size() / 2), std::string(), std::string("kura-idx"),
        bytes.substr(0, 200) + std::string(bytes.size() - 200, '\xff')}) {
    ASSERT_TRUE(write_file_atomic(kept_file(), damaged, 0600));
    IniIndex loaded = load();
    EXPECT_FALSE(loaded.from_stored_index());
    expect_same_answers(scanned, loaded, {"profile acct-00500"});
    EXPECT_EQ(*read_file(kept_file()).value(), bytes);  // the same index, kept again
  }
}

TEST_F(IndexCacheFiles, AKeptFileNotPrivateOrNotTheUsersIsNotUsed) {
  write(ini_cases::big_config(1000, ""));
  load();
  ASSERT_TRUE(load().from_stored_index());
  ASSERT_EQ(::chmod(kept_file().c_str(), 0640), 0);
  EXPECT_FALSE(load().from_stored_index());
  ASSERT_TRUE(load().from_stored_index());  // replaced by a private one
  if (::geteuid() == 0) {                   // only root can give a file away
    ASSERT_EQ(::chown(kept_file().c_str(), 65534, 65534), 0);
    EXPECT_FALSE(load().from_stored_index());
    ASSERT_TRUE(load().from_stored_index());
  }
  // A symbolic link to a good copy is not followed.
  const std::string copy = dir + "/copy";
  ASSERT_TRUE(write_file_atomic(copy, *read_file(kept_file()).value(), 0600));
  ASSERT_TRUE(remove_file(kept_file()));
  ASSERT_EQ(::symlink(copy.c_str(), kept_file().c_str()), 0);
  EXPECT_FALSE(load().from_stored_index());
  // A directory open to others is not written into.
  std::filesystem::remove_all(persist.directory);
  ASSERT_EQ(::mkdir(persist.directory.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(persist.directory.c_str(), 0755), 0);
  load();
  EXPECT_FALSE(kept());
}

// The errors of sections read through a kept index name the lines of the file, as the scan's do.
TEST_F(IndexCacheFiles, ErrorsInsideSectionsNameTheirLines) {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    const std::string broken = "[profile broken]" + eol + "region = x" + eol + "this is not a pair" + eol;
    write(ini_cases::big_config(1000, broken, eol));
    load();
    IniIndex stored = load();
    ASSERT_TRUE(stored.from_stored_index());
    auto error = stored.section("profile broken");
    ASSERT_FALSE(error);
    EXPECT_EQ(error.error().message, config + ":3003: malformed line: 'this is not a pair'");
  }
}

// Through ConfigFiles::load, as kura reads ~/.aws/config: every profile of a generated config (chains,
// include_profile, services sections, odd spellings, a broken section) resolves through the kept index
// exactly as from the file parsed whole, errors and their line numbers included.
TEST_F(IndexCacheFiles, EveryProfileResolvesAsFromTheWholeFile) {
  std::string middle =
      "[profile top]\nsource_profile = mid\nrole_arn = arn:aws:iam::1:role/top\ninclude_profile = common\n"
      "[profile  spaced ]\nregion = spaced\n"
      "[profile mid]\nsource_profile = acct-00003\nrole_arn = arn:aws:iam::2:role/mid\nservices = local\n"
      "[profile common]\nregion = ap-southeast-2\nduration_seconds = 3600\n"
      "[profile holder]\n  k = v\n  [profile indented]\n  region = i\n"
      "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9\n"
      "[profile broken]\nregion = x\nnot a pair\n"
      "[profile via-broken]\nsource_profile = broken\nrole_arn = arn:aws:iam::3:role/b\n"
      "[default]\nregion = d\n";
  std::string text = ini_cases::big_config(1500, middle);
  for (int i = 0; i < 1500; i += 7) {
    text += "[profile chain-" + std::to_string(i) + "]\nsource_profile = acct-" +
            std::to_string(10000 + i).substr(1) + "\nrole_arn = arn:aws:iam::4:role/c\n";
  }
  write(text);
  std::ofstream(dir + "/credentials") << "[login]\naws_access_key_id = AKIALOGIN\n";
  // ConfigFiles::load keeps an index only for a file last changed 2 s before: wait that long.
  struct stat info {};
  ASSERT_EQ(::stat(config.c_str(), &info), 0);
  while (true) {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec - info.st_ctim.tv_sec > 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Environment env({{"HOME", dir},
                   {"AWS_CONFIG_FILE", config},
                   {"AWS_SHARED_CREDENTIALS_FILE", dir + "/credentials"},
                   {"XDG_CACHE_HOME", dir + "/xdg"}});
  auto first = ConfigFiles::load(env);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->config_index().from_stored_index());
  auto stored = ConfigFiles::load(env);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_TRUE(stored->config_index().from_stored_index());
  EXPECT_TRUE(file_exists(index_cache_file(dir + "/xdg/kura/index", config)));
  // The file parsed whole fails at the broken section: its error is the one a profile that reads it must get.
  auto whole = IniDocument::parse(text, config);
  ASSERT_FALSE(whole);
  EXPECT_NE(whole.error().message.find(": malformed line: 'not a pair'"), std::string::npos);
  auto names = first->read_profile_names();
  ASSERT_TRUE(names);
  EXPECT_EQ(stored->profile_names(), *names);
  ASSERT_GT(names->size(), 1700u);
  std::set<std::string> errors;
  for (const std::string& name : *names) {
    const std::string want = describe(resolve_profile(*first, name));
    EXPECT_EQ(describe(resolve_profile(*stored, name)), want) << name;
    if (want.rfind("error:", 0) == 0) errors.insert(want);
    EXPECT_EQ(describe(stored->read_config_section(name)), describe(first->read_config_section(name)))
        << name;
  }
  EXPECT_EQ(describe(stored->read_services_section("local")),
            describe(first->read_services_section("local")));
  // The broken section's error, with its line, whichever profile reaches it.
  EXPECT_EQ(errors, (std::set<std::string>{"error: " + whole.error().message + " | " + whole.error().hint}));
  EXPECT_FALSE(stored->config_index().disagreed());
}

}  // namespace
}  // namespace kura
