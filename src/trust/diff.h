// Line diffs in the unified format of `diff -u`, for showing what `kura trust` would change.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kura {

// The unified diff of two texts, line by line: "--- old_label", "+++ new_label", then hunks
// "@@ -start,count +start,count @@" with `context` unchanged lines around each change, hunks closer than
// 2 * context merged, and "\ No newline at end of file" after a last line without one — what GNU
// `diff -u --label old_label --label new_label` prints. A shortest edit script (Myers' linear-space
// algorithm: O((N+M)D) time, O(N+M) memory). Empty when the texts are equal.
std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_label,
                         const std::string& new_label, size_t context = 3);

}  // namespace kura
