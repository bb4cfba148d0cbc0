// How states and progress look for people: ANSI colours for states (only
// when the caller decided colour is wanted, see cli/terminal.h) and a small
// progress bar, "[####------]  40%".
//
// Colour codes wrap the text and take no columns, so tables measure the
// plain text and colour it after padding. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace jobtrack::cli {

// The SGR colour of a state: green succeeded, yellow partial, red failed /
// timed_out / not_found, magenta cancelled / expired, cyan running, blue
// queued; "" for anything else (no colour).
std::string_view state_color(std::string_view state);
// `text` wrapped in the state's colour when `color`; else `text` as is.
std::string colored_state(std::string_view state, std::string_view text, bool color);
// "[####------]  40%": `width` cells between the brackets, filled in
// proportion (rounded down), the percentage right-aligned in 4 columns.
// Unknown progress (not a number): "[" + blanks + "]" and "   -".
std::string progress_bar(const nlohmann::json& progress, std::size_t width = 10);
// "45s", "3m07s", "2h05m": how long something has been running.
std::string elapsed_text(std::int64_t ms);

}  // namespace jobtrack::cli
