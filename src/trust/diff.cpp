// Unified line diffs: Myers' O((N+M)D) algorithm in linear space (the middle-snake bisection, as in
// diff-match-patch), then hunks grouped the way GNU diff groups them.
#include "trust/diff.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kura {
namespace {

enum class Op : char { equal, remove, insert };

// Lines with their "\n" (a last line without one is a different line from the same text with one, as for
// GNU diff).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

class Differ {
 public:
  Differ(const std::vector<int>& a, const std::vector<int>& b) : m_a(a), m_b(b) {}

  std::vector<Op> run() {
    compare(0, static_cast<long>(m_a.size()), 0, static_cast<long>(m_b.size()));
    return std::move(m_ops);
  }

 private:
  // A shortest edit script from a[a_lo, a_hi) to b[b_lo, b_hi), appended to m_ops.
  void compare(long a_lo, long a_hi, long b_lo, long b_hi) {
    while (a_lo < a_hi && b_lo < b_hi && m_a[a_lo] == m_b[b_lo]) {
      m_ops.push_back(Op::equal);
      ++a_lo;
      ++b_lo;
    }
    long suffix = 0;
    while (a_lo < a_hi && b_lo < b_hi && m_a[a_hi - 1] == m_b[b_hi - 1]) {
      --a_hi;
      --b_hi;
      ++suffix;
    }
    if (a_lo == a_hi || b_lo == b_hi) {
      m_ops.insert(m_ops.end(), static_cast<size_t>(a_hi - a_lo), Op::remove);
      m_ops.insert(m_ops.end(), static_cast<size_t>(b_hi - b_lo), Op::insert);
    } else {
      auto [x, y] = middle_snake(a_lo, a_hi - a_lo, b_lo, b_hi - b_lo);
      // With distinct first and last lines the split is strictly inside; anything else would recurse forever,
      // so it falls back to "replace all" (never seen; the fuzzer checks the scripts are shortest).
      if ((x == 0 && y == 0) || (x == a_hi - a_lo && y == b_hi - b_lo) || x < 0) {
        m_ops.insert(m_ops.end(), static_cast<size_t>(a_hi - a_lo), Op::remove);
        m_ops.insert(m_ops.end(), static_cast<size_t>(b_hi - b_lo), Op::insert);
      } else {
        compare(a_lo, a_lo + x, b_lo, b_lo + y);
        compare(a_lo + x, a_hi, b_lo + y, b_hi);
      }
    }
    m_ops.insert(m_ops.end(), static_cast<size_t>(suffix), Op::equal);
  }

  // Where the forward and backward searches over a[a_lo, a_lo + n) and b[b_lo, b_lo + m) meet, relative to
  // (a_lo, b_lo); (-1, -1) when they do not (no line in common).
  std::pair<long, long> middle_snake(long a_lo, long n, long b_lo, long m) const {
    const long max_d = (n + m + 1) / 2;
    const long offset = max_d;
    const long length = 2 * max_d + 2;
    std::vector<long> forward(static_cast<size_t>(length), -1);
    std::vector<long> backward(static_cast<size_t>(length), -1);
    forward[offset + 1] = 0;
    backward[offset + 1] = 0;
    const long delta = n - m;
    const bool odd = delta % 2 != 0;  // the forward search is the one to find the overlap
    auto a = [&](long i) { return m_a[a_lo + i]; };
    auto b = [&](long j) { return m_b[b_lo + j]; };
    long k1_start = 0;
    long k1_end = 0;
    long k2_start = 0;
    long k2_end = 0;
    for (long d = 0; d < max_d; ++d) {
      for (long k1 = -d + k1_start; k1 <= d - k1_end; k1 += 2) {
        const long k1_at = offset + k1;
        long x1 = (k1 == -d || (k1 != d && forward[k1_at - 1] < forward[k1_at + 1])) ? forward[k1_at + 1]
                                                                                     : forward[k1_at - 1] + 1;
        long y1 = x1 - k1;
        while (x1 < n && y1 < m && y1 >= 0 && a(x1) == b(y1)) {
          ++x1;
          ++y1;
        }
        forward[k1_at] = x1;
        if (x1 > n) {
          k1_end += 2;  // ran off the right edge
        } else if (y1 > m) {
          k1_start += 2;  // ran off the bottom
        } else if (odd) {
          const long k2_at = offset + delta - k1;
          if (k2_at >= 0 && k2_at < length && backward[k2_at] != -1 && x1 >= n - backward[k2_at]) {
            return {x1, y1};
          }
        }
      }
      for (long k2 = -d + k2_start; k2 <= d - k2_end; k2 += 2) {
        const long k2_at = offset + k2;
        long x2 = (k2 == -d || (k2 != d && backward[k2_at - 1] < backward[k2_at + 1]))
                      ? backward[k2_at + 1]
                      : backward[k2_at - 1] + 1;
        long y2 = x2 - k2;
        while (x2 < n && y2 < m && y2 >= 0 && a(n - x2 - 1) == b(m - y2 - 1)) {
          ++x2;
          ++y2;
        }
        backward[k2_at] = x2;
        if (x2 > n) {
          k2_end += 2;
        } else if (y2 > m) {
          k2_start += 2;
        } else if (!odd) {
          const long k1_at = offset + delta - k2;
          if (k1_at >= 0 && k1_at < length && forward[k1_at] != -1) {
            const long x1 = forward[k1_at];
            const long y1 = offset + x1 - k1_at;
            if (x1 >= n - x2) return {x1, y1};
          }
        }
      }
    }
    return {-1, -1};
  }

  const std::vector<int>& m_a;
  const std::vector<int>& m_b;
  std::vector<Op> m_ops;
};

// Runs of changed lines can often sit in more than one place ("a b" -> "a b a b": which "a b" is new?). Like
// GNU diff, each run in `lines` (flags in `changed`) is slid over equal lines: first up and down as far as it
// goes, merging with the runs it meets, then back up to the lowest place where it meets a run of changes in
// the other file (`other_gaps[u]`: the other file has changed lines just before its unchanged line u), else
// left as low as it goes. The lines left unchanged are the same text in the same order, so the diff is as
// short as before and only easier to read.
void slide_runs(const std::vector<int>& lines, std::vector<char>& changed,
                const std::vector<char>& other_gaps, size_t first, size_t last) {
  const size_t n = last;
  size_t unchanged_before = first;  // unchanged lines before `start` (all those before `first` are)
  for (size_t start = first; start < n;) {
    if (!changed[start]) {
      ++unchanged_before;
      ++start;
      continue;
    }
    size_t end = start;
    while (end < n && changed[end]) ++end;
    size_t aligned_end = SIZE_MAX;  // none yet
    size_t length = 0;
    while (length != end - start) {
      length = end - start;
      while (start > first && lines[start - 1] == lines[end - 1]) {  // up, merging with the runs above
        changed[--start] = 1;
        changed[--end] = 0;
        --unchanged_before;
        while (start > first && changed[start - 1]) --start;
      }
      aligned_end = SIZE_MAX;
      if (other_gaps[unchanged_before]) aligned_end = end;
      while (end < n && lines[start] == lines[end]) {  // down, merging with the runs below
        changed[start++] = 0;
        changed[end++] = 1;
        ++unchanged_before;
        while (end < n && changed[end]) ++end;
        if (other_gaps[unchanged_before]) aligned_end = end;
      }
    }
    while (end > aligned_end) {  // back up beside the other file's change
      changed[--start] = 1;
      changed[--end] = 0;
      --unchanged_before;
    }
    start = end;
  }
}

// other_gaps for slide_runs: for each unchanged line u of a file (and the end), whether changed lines come
// just before it.
std::vector<char> change_gaps(const std::vector<char>& changed) {
  std::vector<char> gaps;
  bool pending = false;
  for (char flag : changed) {
    if (flag) {
      pending = true;
    } else {
      gaps.push_back(pending ? 1 : 0);
      pending = false;
    }
  }
  gaps.push_back(pending ? 1 : 0);
  return gaps;
}

std::vector<Op> shortest_script(const std::vector<int>& a, const std::vector<int>& b, size_t horizon) {
  const std::vector<Op> ops = Differ(a, b).run();
  std::vector<char> removed;
  std::vector<char> inserted;
  for (Op op : ops) {
    if (op != Op::insert) removed.push_back(op == Op::remove ? 1 : 0);
    if (op != Op::remove) inserted.push_back(op == Op::insert ? 1 : 0);
  }
  // GNU diff sets the common first and last lines aside, all but `horizon` (the context) of each, and slides
  // runs only over what is left; doing the same keeps kura's hunks where diff puts them.
  const size_t shorter = std::min(a.size(), b.size());
  size_t prefix = 0;
  while (prefix < shorter && a[prefix] == b[prefix]) ++prefix;
  const size_t first = prefix - std::min(prefix, horizon);
  size_t suffix = 0;
  while (suffix < shorter - first && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) ++suffix;
  const size_t set_aside = suffix - std::min(suffix, horizon);
  slide_runs(a, removed, change_gaps(inserted), first, a.size() - set_aside);
  slide_runs(b, inserted, change_gaps(removed), first, b.size() - set_aside);
  // Back to one script: at each point, the removed lines, then the inserted ones, then a line both keep.
  std::vector<Op> out;
  out.reserve(ops.size());
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && removed[i]) {
      out.push_back(Op::remove);
      ++i;
    } else if (j < b.size() && inserted[j]) {
      out.push_back(Op::insert);
      ++j;
    } else {
      out.push_back(Op::equal);
      ++i;
      ++j;
    }
  }
  return out;
}

// "start,count" as diff writes it: ",1" left out; an empty range starts at the line before it.
std::string range(size_t first, size_t count) {
  if (count == 1) return std::to_string(first + 1);
  return std::to_string(count == 0 ? first : first + 1) + "," + std::to_string(count);
}

void write_line(std::string& out, char prefix, std::string_view line) {
  out += prefix;
  out.append(line);
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_label,
                         const std::string& new_label, size_t context) {
  if (old_text == new_text) return {};
  const std::vector<std::string_view> old_lines = split_lines(old_text);
  const std::vector<std::string_view> new_lines = split_lines(new_text);
  // Lines as numbers, so that the search compares integers.
  std::unordered_map<std::string_view, int> ids;
  auto number = [&](const std::vector<std::string_view>& lines) {
    std::vector<int> out;
    out.reserve(lines.size());
    for (std::string_view line : lines)
      out.push_back(ids.emplace(line, static_cast<int>(ids.size())).first->second);
    return out;
  };
  const std::vector<int> a = number(old_lines);
  const std::vector<int> b = number(new_lines);
  const std::vector<Op> ops = shortest_script(a, b, context);

  // Where each op stands in the old and new texts.
  std::vector<size_t> old_at(ops.size() + 1);
  std::vector<size_t> new_at(ops.size() + 1);
  for (size_t i = 0; i < ops.size(); ++i) {
    old_at[i + 1] = old_at[i] + (ops[i] != Op::insert ? 1 : 0);
    new_at[i + 1] = new_at[i] + (ops[i] != Op::remove ? 1 : 0);
  }

  std::string out = "--- " + old_label + "\n+++ " + new_label + "\n";
  size_t i = 0;
  while (i < ops.size()) {
    while (i < ops.size() && ops[i] == Op::equal) ++i;
    if (i == ops.size()) break;
    const size_t start = i > context ? i - context : 0;
    size_t end = i;  // one past the last change of the hunk
    while (true) {
      while (end < ops.size() && ops[end] != Op::equal) ++end;
      size_t next = end;
      while (next < ops.size() && ops[next] == Op::equal) ++next;
      if (next == ops.size() || next - end > 2 * context) break;
      end = next;  // the unchanged lines between two changes are few enough to keep in one hunk
    }
    const size_t stop = std::min(ops.size(), end + context);
    out += "@@ -" + range(old_at[start], old_at[stop] - old_at[start]) + " +" +
           range(new_at[start], new_at[stop] - new_at[start]) + " @@\n";
    // Within a run of changes, GNU diff lists the removed lines before the inserted ones.
    for (size_t k = start; k < stop;) {
      if (ops[k] == Op::equal) {
        write_line(out, ' ', old_lines[old_at[k]]);
        ++k;
        continue;
      }
      size_t run_end = k;
      while (run_end < stop && ops[run_end] != Op::equal) ++run_end;
      for (size_t r = k; r < run_end; ++r) {
        if (ops[r] == Op::remove) write_line(out, '-', old_lines[old_at[r]]);
      }
      for (size_t r = k; r < run_end; ++r) {
        if (ops[r] == Op::insert) write_line(out, '+', new_lines[new_at[r]]);
      }
      k = run_end;
    }
    i = stop;
  }
  return out;
}

}  // namespace kura
