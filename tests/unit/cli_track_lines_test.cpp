#include <catch2/catch.hpp>

#include "cli/track_lines.h"

using namespace jobtrack::cli;

TEST_CASE("track lines: ENDPOINT REMOTE_ID and an optional label with inner blanks") {
  auto plain = parse_track_line("prism 7f3c9a");
  REQUIRE(plain);
  REQUIRE(*plain);
  CHECK((*plain)->endpoint == "prism");
  CHECK((*plain)->remote_id == "7f3c9a");
  CHECK_FALSE((*plain)->label);

  auto labelled = parse_track_line("  ogc\tjob:1   nightly customers  \r");
  REQUIRE(labelled);
  REQUIRE(*labelled);
  CHECK((*labelled)->endpoint == "ogc");
  CHECK((*labelled)->remote_id == "job:1");
  CHECK((*labelled)->label == "nightly customers");
}

TEST_CASE("track lines: blanks and comments are skipped, short lines are errors") {
  CHECK(parse_track_line("").value() == std::nullopt);
  CHECK(parse_track_line("   \t ").value() == std::nullopt);
  CHECK(parse_track_line("# a comment").value() == std::nullopt);
  CHECK(parse_track_line("  # indented comment").value() == std::nullopt);
  CHECK_FALSE(parse_track_line("prism"));
  CHECK_FALSE(parse_track_line("prism a\x1b[2Jb"));
}
