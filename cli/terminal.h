// What jobtrackctl knows about where its output goes: whether stdout is a
// terminal, how wide and tall it is, and whether to colour.
//
// The decisions are pure functions of their inputs so tests can pin them;
// detect_terminal() is the one place that asks the OS (isatty, TIOCGWINSZ,
// then $COLUMNS / $LINES, then 80x24 for a terminal and "unlimited" (0)
// otherwise). Any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace jobtrack::cli {

enum class ColorMode { automatic, always, never };
enum class IsTerminal { yes, no };

struct TerminalInfo {
  bool is_terminal = false;  // stdout is a terminal
  std::size_t columns = 0;   // 0: no limit (not a terminal, size unknown)
  std::size_t lines = 0;     // 0: no limit
};

// "auto", "always", "never" (as given to --color); nullopt otherwise.
std::optional<ColorMode> parse_color_mode(std::string_view text);

// --color=always and --color=never win; auto colours only a terminal, and
// not when NO_COLOR is set to a non-empty value (no-color.org) or TERM is
// "dumb". `no_color` and `term` are the variables' values, nullptr if unset.
bool use_color(ColorMode mode, IsTerminal terminal, const char* no_color, const char* term);

// The size from the kernel if known (0 when not), else from the COLUMNS /
// LINES values (nullptr when unset), else 80x24 for a terminal.
TerminalInfo terminal_info(IsTerminal terminal, std::size_t kernel_columns,
                           std::size_t kernel_lines, const char* columns_env,
                           const char* lines_env);

// Asks the OS about stdout.
TerminalInfo detect_terminal();

}  // namespace jobtrack::cli
