// Fuzz target: a config's section index kept between runs (config/index_cache.h), read back as
// IniIndex::load() reads it. Input: the config, a NUL byte, a mode byte, then what the mode applies. Mode 0:
// the rest is the stored bytes themselves. Any other mode: the bytes the config's own scan would store,
// edited by the rest (three bytes an edit: a 16-bit offset and a byte to xor there), cut short first when the
// mode has bit 1 (at the rest's first two bytes), and sealed with a checksum that fits when the mode is odd
// (damage a checksum cannot catch). Checks: the scan's own stored form is always taken back and answers
// exactly as the scan does; stale stamps are refused; anything else is refused, or answers no section that
// the file does not hold and no values but the file's; and nothing crashes, hangs or reads out of bounds.
#include <cstdint>
#include <string>
#include <vector>

#include "config/config_index.h"
#include "config/index_cache.h"
#include "fuzz_input.h"

namespace {

using namespace kura;

bool keep_odd(std::string_view name) {
  return name.find('\t') != std::string_view::npos || name.find('k') != std::string_view::npos;
}

std::string describe(const Result<const IniSection*>& section) {
  if (!section) return "error: " + section.error().message + " | " + section.error().hint;
  if (!*section) return "none";
  std::string out = (*section)->name + "\n";
  for (const auto& [key, value] : (*section)->values) out += key + "=" + value + "\n";
  for (const auto& [key, values] : (*section)->nested) {
    for (const auto& [sub, value] : values) out += key + "." + sub + "=" + value + "\n";
  }
  return out;
}

const char* const k_probes[] = {"", "a", "default", "profile a", "profile k", "x"};

// The stored form read back answers every question as the scan that wrote it.
void check_same(const IniIndex& scanned, const IniIndex& stored) {
  KURA_FUZZ_CHECK(stored.from_stored_index());
  KURA_FUZZ_CHECK(stored.size() == scanned.size());
  KURA_FUZZ_CHECK(stored.kept() == scanned.kept());
  KURA_FUZZ_CHECK(stored.parsed_chunks() == scanned.parsed_chunks());
  auto names = scanned.names();
  auto stored_names = stored.names();
  KURA_FUZZ_CHECK(names.ok() && stored_names.ok() && *names == *stored_names);
  std::vector<std::string> asked = *names;
  asked.insert(asked.end(), std::begin(k_probes), std::end(k_probes));
  for (const std::string& name : asked) {
    auto found = scanned.find(name);
    auto found_stored = stored.find(name);
    KURA_FUZZ_CHECK(found.ok() && found_stored.ok() && *found == *found_stored);
    KURA_FUZZ_CHECK(describe(stored.section(name)) == describe(scanned.section(name)));
  }
  KURA_FUZZ_CHECK(!stored.disagreed());
}

// Whatever a damaged index gives is the file's: a section of the file with the file's values, or none.
void check_harmless(const IniIndex& stored, const Result<IniDocument>& full) {
  std::vector<std::string> asked(std::begin(k_probes), std::end(k_probes));
  if (full) {
    for (const IniSection& section : full->sections()) asked.push_back(section.name);
  }
  for (const std::string& name : asked) {
    auto section = stored.section(name);
    if (!full) continue;  // an error of the file can surface anywhere: only memory safety is checked then
    KURA_FUZZ_CHECK(section.ok());
    if (*section) KURA_FUZZ_CHECK(describe(section) == describe(full->find(name)));
  }
  auto names = stored.names();
  if (full && names) {
    for (const std::string& name : *names) KURA_FUZZ_CHECK(full->find(name) != nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = fuzz::fields(data, size, '\0', 2);
  const std::string_view config = parts[0];
  std::string_view rest = parts.size() > 1 ? parts[1] : std::string_view();
  const auto mode = static_cast<uint8_t>(rest.empty() ? 1 : rest[0]);
  if (!rest.empty()) rest.remove_prefix(1);

  FileStamp file;
  file.device = 7;
  file.inode = 8;
  file.size = config.size();
  file.mtime_sec = 1700000000;
  file.ctime_sec = 1700000000;
  const std::string key = index_key("config", "fuzz");
  auto full = IniDocument::parse(config, "config");
  auto scanned = IniIndex::from_text(config, "config", IniIndex::Parse::lazily, keep_odd);
  std::optional<std::string> genuine;
  if (scanned) genuine = scanned->stored_form(key, file);

  if (genuine) {
    auto same = IniIndex::from_stored(config, "config", *genuine, key, file, keep_odd);
    KURA_FUZZ_CHECK(same.has_value());
    check_same(*scanned, *same);
    FileStamp later = file;
    later.ctime_nsec += 1;
    KURA_FUZZ_CHECK(!IniIndex::from_stored(config, "config", *genuine, key, later, keep_odd));
  }

  std::string bytes;
  if (mode == 0 || !genuine) {
    bytes = std::string(rest);
  } else {
    bytes = *genuine;
    if ((mode & 2) != 0 && rest.size() >= 2) {
      const size_t cut =
          static_cast<uint8_t>(rest[0]) | (static_cast<size_t>(static_cast<uint8_t>(rest[1])) << 8);
      if (cut < bytes.size()) bytes.resize(cut);
      rest.remove_prefix(2);
    }
    for (size_t i = 0; i + 3 <= rest.size() && !bytes.empty(); i += 3) {
      const size_t at =
          static_cast<uint8_t>(rest[i]) | (static_cast<size_t>(static_cast<uint8_t>(rest[i + 1])) << 8);
      bytes[at % bytes.size()] = static_cast<char>(bytes[at % bytes.size()] ^ rest[i + 2]);
    }
    if ((mode & 1) != 0) seal_index(bytes);
  }
  if (genuine && bytes == *genuine) return 0;  // checked above
  auto stored = IniIndex::from_stored(config, "config", bytes, key, file, keep_odd);
  if (stored) check_harmless(*stored, full);
  return 0;
}
