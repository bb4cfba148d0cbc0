// "did you mean 'list'?": the known name nearest to a mistyped one by edit
// distance (Levenshtein, with a swap of two neighbours counting as one
// edit), if it is close enough to be a plausible typo: at most 2 edits, and
// fewer than half the typed word. Pure; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jobtrack::cli {

std::size_t edit_distance(std::string_view a, std::string_view b);
std::optional<std::string> nearest_name(std::string_view typed, std::span<const std::string> known);

}  // namespace jobtrack::cli
