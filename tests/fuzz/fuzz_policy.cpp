// Fuzz target: trust policies and their diffs. Input: a control byte, then fields split by 0x1f — policy A,
// policy B, and principals separated by ','. Every error names the file and is safe for a terminal; the
// canonical form is idempotent and survives printing; equivalent policies have an empty semantic diff; every
// diff applies back and is as short as possible; principal edits either refuse leaving the policy as it
// was, or leave it normalised with a repeat of the same edit changing nothing.
#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.h"
#include "trust/diff.h"
#include "trust/policy.h"

namespace {

using namespace kura;

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// `before` with `diff` applied, each hunk where its header says; nothing if a hunk does not match.
std::optional<std::string> patched(std::string_view before, const std::string& diff, size_t* changed) {
  const std::vector<std::string> old_lines = lines_of(before);
  const std::vector<std::string> diff_lines = lines_of(diff);
  std::string out;
  size_t next_old = 0;
  *changed = 0;
  if (diff_lines.size() < 3) return std::nullopt;
  for (size_t i = 2; i < diff_lines.size();) {
    const std::string& header = diff_lines[i];
    if (header.rfind("@@ -", 0) != 0) return std::nullopt;
    const size_t start = std::stoul(header.substr(4));
    const size_t comma = header.find(',');
    const size_t count = comma < header.find(' ', 4) ? std::stoul(header.substr(comma + 1)) : 1;
    const size_t first = count == 0 ? start : start - 1;
    if (first < next_old || first > old_lines.size()) return std::nullopt;
    for (; next_old < first; ++next_old) out += old_lines[next_old];
    for (++i; i < diff_lines.size() && diff_lines[i].rfind("@@ -", 0) != 0; ++i) {
      const char kind = diff_lines[i][0];
      if (kind == '\\') continue;
      std::string line = diff_lines[i].substr(1);
      if (i + 1 < diff_lines.size() && diff_lines[i + 1] == "\\ No newline at end of file\n") line.pop_back();
      if (kind == ' ' || kind == '-') {
        if (next_old >= old_lines.size() || old_lines[next_old] != line) return std::nullopt;
        ++next_old;
      }
      if (kind == ' ' || kind == '+') out += line;
      if (kind != ' ') ++*changed;
    }
  }
  for (; next_old < old_lines.size(); ++next_old) out += old_lines[next_old];
  return out;
}

size_t longest_common_subsequence(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<size_t> previous(b.size() + 1, 0);
  std::vector<size_t> current(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

void check_diff(std::string_view before, std::string_view after, size_t context) {
  const std::string diff = unified_diff(before, after, "a", "b", context);
  if (before == after) {
    KURA_FUZZ_CHECK(diff.empty());
    return;
  }
  size_t changed = 0;
  auto applied = patched(before, diff, &changed);
  KURA_FUZZ_CHECK(applied && *applied == after);
  const std::vector<std::string> a = lines_of(before);
  const std::vector<std::string> b = lines_of(after);
  if (a.size() * b.size() <= 250000) {
    KURA_FUZZ_CHECK(changed == a.size() + b.size() - 2 * longest_common_subsequence(a, b));
  }
}

void check_error(const Error& error) {
  KURA_FUZZ_CHECK(error.message.rfind("fuzz", 0) == 0);
  KURA_FUZZ_CHECK(fuzz::terminal_safe(error.message));
  KURA_FUZZ_CHECK(error.message.find('\n') == std::string::npos);
}

// Printing and reading back gives the same canonical form.
void check_printing(const Policy& policy, const Policy& canonical) {
  for (const std::string& text : {pretty(policy), compact(policy), pretty(canonical)}) {
    KURA_FUZZ_CHECK(fuzz::terminal_safe(text));
    if (text.size() > k_policy_max_bytes) continue;  // indentation can outgrow the bound
    auto again = parse_policy(text, "fuzz-again");
    KURA_FUZZ_CHECK(again.ok());
    KURA_FUZZ_CHECK(normalise(*again).document() == canonical.document());
  }
  KURA_FUZZ_CHECK(pretty(policy).back() == '\n');
}

// An edit refused leaves the policy as it was; one made leaves it normalised, and the same edit again
// changes nothing.
void check_edits(const Policy& policy, const std::vector<std::string>& principals, bool remove) {
  Policy edited = policy;
  auto edit = remove ? remove_principals(edited, principals) : add_principals(edited, principals);
  if (!edit) {
    check_error(edit.error());
    KURA_FUZZ_CHECK(edited.document() == policy.document());
    return;
  }
  KURA_FUZZ_CHECK(normalise(edited).document() == edited.document());
  if (!edit->changed) KURA_FUZZ_CHECK(edited.document() == normalise(policy).document());
  KURA_FUZZ_CHECK(edit->unchanged.size() <= principals.size());
  Policy twice = edited;
  auto again = remove ? remove_principals(twice, principals) : add_principals(twice, principals);
  KURA_FUZZ_CHECK(again.ok());
  KURA_FUZZ_CHECK(!again->changed);
  KURA_FUZZ_CHECK(twice.document() == edited.document());
  if (!remove) {
    // What was added can be taken away again, unless that would empty a statement (then refused, unchanged).
    Policy undone = edited;
    auto removed = remove_principals(undone, principals);
    if (removed) {
      KURA_FUZZ_CHECK(normalise(undone).document() == undone.document());
    } else {
      KURA_FUZZ_CHECK(undone.document() == edited.document());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t control = data[0];
  std::vector<std::string_view> parts = fuzz::fields(data + 1, size - 1, '\x1f', 3);
  const std::string_view text_a = parts[0];
  const std::string_view text_b = parts.size() > 1 ? parts[1] : std::string_view();
  const std::string_view principal_text = parts.size() > 2 ? parts[2] : std::string_view();

  check_diff(text_a, text_b, control % 5);

  auto a = parse_policy(text_a, "fuzz");
  if (!a) {
    check_error(a.error());
    return 0;
  }
  const Policy canonical = normalise(*a);
  KURA_FUZZ_CHECK(normalise(canonical).document() == canonical.document());
  KURA_FUZZ_CHECK(equivalent(*a, canonical));
  check_printing(*a, canonical);

  auto b = parse_policy(text_b, "fuzz-b");
  if (b) {
    const std::string diff = semantic_diff(*a, *b, "a", "b");
    KURA_FUZZ_CHECK(diff.empty() == equivalent(*a, *b));
    KURA_FUZZ_CHECK(fuzz::terminal_safe(diff));
  }

  // Principals: those the input names, and (chosen by the control byte) some that are always well formed.
  std::vector<std::string> principals;
  for (std::string_view rest = principal_text; !rest.empty();) {
    const size_t comma = rest.find(',');
    principals.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  static const char* const k_known[] = {"111111111111", "arn:aws:iam::111111111111:root",
                                        "arn:aws:iam::222222222222:role/ci",
                                        "arn:aws-cn:iam::111111111111:root"};
  for (size_t i = 0; i < 4; ++i) {
    if (control & (0x10u << i)) principals.emplace_back(k_known[i]);
  }
  if (principals.size() > 16) principals.resize(16);
  check_edits(*a, principals, false);
  check_edits(*a, principals, true);
  return 0;
}
