#include <catch2/catch.hpp>

#include "cli/terminal.h"

using namespace jobtrack::cli;

TEST_CASE("colour: --color wins, auto colours only a terminal without NO_COLOR") {
  CHECK(use_color(ColorMode::automatic, IsTerminal::yes, nullptr, "xterm-256color"));
  CHECK_FALSE(use_color(ColorMode::automatic, IsTerminal::no, nullptr, "xterm"));
  CHECK_FALSE(use_color(ColorMode::automatic, IsTerminal::yes, "1", "xterm"));
  // NO_COLOR set but empty does not count (no-color.org).
  CHECK(use_color(ColorMode::automatic, IsTerminal::yes, "", "xterm"));
  CHECK_FALSE(use_color(ColorMode::automatic, IsTerminal::yes, nullptr, "dumb"));
  CHECK(use_color(ColorMode::always, IsTerminal::no, "1", "dumb"));
  CHECK_FALSE(use_color(ColorMode::never, IsTerminal::yes, nullptr, "xterm"));
}

TEST_CASE("parse_color_mode takes auto, always and never only") {
  CHECK(parse_color_mode("auto") == ColorMode::automatic);
  CHECK(parse_color_mode("always") == ColorMode::always);
  CHECK(parse_color_mode("never") == ColorMode::never);
  CHECK_FALSE(parse_color_mode("yes"));
}

TEST_CASE("terminal size: kernel first, then COLUMNS/LINES, then 80x24 on a terminal") {
  auto kernel = terminal_info(IsTerminal::yes, 132, 50, "100", "40");
  CHECK(kernel.columns == 132);
  CHECK(kernel.lines == 50);
  auto env = terminal_info(IsTerminal::yes, 0, 0, "100", "40");
  CHECK(env.columns == 100);
  CHECK(env.lines == 40);
  auto fallback = terminal_info(IsTerminal::yes, 0, 0, nullptr, "junk");
  CHECK(fallback.columns == 80);
  CHECK(fallback.lines == 24);
  auto pipe = terminal_info(IsTerminal::no, 0, 0, nullptr, nullptr);
  CHECK_FALSE(pipe.is_terminal);
  CHECK(pipe.columns == 0);  // no limit when writing to a pipe
  CHECK(terminal_info(IsTerminal::no, 0, 0, "60", nullptr).columns == 60);
}
