#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace jobtrack::cli {
namespace {

std::size_t positive_number(const char* text) {
  if (text == nullptr) return 0;
  std::size_t value = 0;
  const char* end = text + std::strlen(text);
  auto [stop, error] = std::from_chars(text, end, value);
  return error == std::errc() && stop == end ? value : 0;
}

}  // namespace

std::optional<ColorMode> parse_color_mode(std::string_view text) {
  if (text == "auto") return ColorMode::automatic;
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  return std::nullopt;
}

bool use_color(ColorMode mode, IsTerminal terminal, const char* no_color, const char* term) {
  if (mode == ColorMode::always) return true;
  if (mode == ColorMode::never) return false;
  if (terminal == IsTerminal::no) return false;
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return term == nullptr || std::string_view(term) != "dumb";
}

TerminalInfo terminal_info(IsTerminal terminal, std::size_t kernel_columns,
                           std::size_t kernel_lines, const char* columns_env,
                           const char* lines_env) {
  TerminalInfo info;
  info.is_terminal = terminal == IsTerminal::yes;
  info.columns = kernel_columns > 0 ? kernel_columns : positive_number(columns_env);
  info.lines = kernel_lines > 0 ? kernel_lines : positive_number(lines_env);
  if (info.is_terminal) {
    if (info.columns == 0) info.columns = 80;
    if (info.lines == 0) info.lines = 24;
  }
  return info;
}

TerminalInfo detect_terminal() {
  bool tty = ::isatty(STDOUT_FILENO) == 1;
  winsize size{};
  std::size_t columns = 0, lines = 0;
  if (tty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) {
    columns = size.ws_col;
    lines = size.ws_row;
  }
  return terminal_info(tty ? IsTerminal::yes : IsTerminal::no, columns, lines,
                       std::getenv("COLUMNS"), std::getenv("LINES"));
}

}  // namespace jobtrack::cli
