// Fuzz target: the lossless INI document. Every input that parses serializes back byte for byte; edits chosen
// by the input's first bytes are each either refused, leaving the document as it was, or change what the file
// reads as by exactly that edit, and the result reads back the same, byte for byte and key for key.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/ini.h"
#include "fuzz_input.h"

namespace {

using namespace kura;

// Up to 16 bytes of the text from a position the input chooses; usually cut at a line break, sometimes not,
// so that names and values the editor must refuse are tried too.
std::string piece(std::string_view text, uint8_t where, uint8_t how) {
  if (text.empty()) return "x";
  std::string_view rest = text.substr(where % text.size());
  rest = rest.substr(0, how % 17);
  if (how & 0x80) rest = rest.substr(0, rest.find_first_of("\r\n"));
  return std::string(rest);
}

std::string choose(const std::vector<std::string>& from, uint8_t which) {
  return from[which % from.size()];
}

// Reads `doc` back from its bytes: it must parse, serialize to the same bytes and read as `expected`.
void check_reads_back(const IniDocument& doc, const IniContent& expected) {
  KURA_FUZZ_CHECK(!first_difference(expected, doc.content()));
  const std::string bytes = doc.serialize();
  auto again = IniDocument::parse(bytes, "again");
  KURA_FUZZ_CHECK(again.ok());
  KURA_FUZZ_CHECK(again->serialize() == bytes);
  KURA_FUZZ_CHECK(!first_difference(expected, again->content()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  const uint8_t* control = data;  // 8 bytes choose two edits; the rest is the file
  std::string_view text(reinterpret_cast<const char*>(data) + 8, size - 8);
  auto parsed = IniDocument::parse(text, "fuzz");
  if (!parsed) {
    KURA_FUZZ_CHECK(parsed.error().message.rfind("fuzz:", 0) == 0);
    return 0;
  }
  IniDocument doc = std::move(*parsed);
  KURA_FUZZ_CHECK(doc.serialize() == text);
  const IniContent original = doc.content();
  check_reads_back(doc, original);

  for (int round = 0; round < 2; ++round) {
    const uint8_t op = control[round * 4];
    const uint8_t a = control[round * 4 + 1];
    const uint8_t b = control[round * 4 + 2];
    const uint8_t c = control[round * 4 + 3];
    std::vector<std::string> sections;
    for (const IniSection& section : doc.sections()) sections.push_back(section.name);
    std::string section = !sections.empty() && (op & 1)
                              ? choose(sections, a)
                              : ((op & 0x40) ? piece(text, a, c) : choose({"new", "profile x", " p "}, a));
    std::vector<std::string> keys;
    if (const IniSection* found = doc.find(section)) {
      for (const auto& [key, value] : found->values) keys.push_back(key);
    }
    std::string key = !keys.empty() && (op & 2)
                          ? choose(keys, b)
                          : ((op & 0x80) ? piece(text, b, c) : choose({"k", "Region"}, b));
    std::string value = piece(text, static_cast<uint8_t>(a ^ b), c);

    const std::string before = doc.serialize();
    const IniContent before_content = doc.content();
    const size_t before_edits = doc.edits().size();
    IniEdit edit{IniEdit::Kind::set, section, key, value};
    Result<void> done;
    switch ((op >> 2) % 4) {
      case 0:
      case 1:
        done = doc.set(section, key, value);
        break;
      case 2: {
        edit = IniEdit{IniEdit::Kind::remove_key, section, key, ""};
        auto removed = doc.remove_key(section, key);
        if (!removed) done = removed.error();
        break;
      }
      default: {
        edit = IniEdit{IniEdit::Kind::remove_section, section, "", ""};
        auto removed = doc.remove_section(section);
        if (!removed) done = removed.error();
        break;
      }
    }
    if (!done) {
      // Refused: the document is as it was, and the message names the file.
      KURA_FUZZ_CHECK(doc.serialize() == before);
      KURA_FUZZ_CHECK(doc.edits().size() == before_edits);
      KURA_FUZZ_CHECK(done.error().message.rfind("fuzz: ", 0) == 0);
      continue;
    }
    const IniContent expected = apply_edits(before_content, {edit});
    check_reads_back(doc, expected);
    KURA_FUZZ_CHECK(!first_difference(apply_edits(original, doc.edits()), doc.content()));
  }
  return 0;
}
