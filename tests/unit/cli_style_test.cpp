#include <catch2/catch.hpp>

#include "cli/style.h"

using namespace jobtrack::cli;
using nlohmann::json;

TEST_CASE("progress_bar fills in proportion, rounding down, with the percentage") {
  CHECK(progress_bar(40) == "[####------]  40%");
  CHECK(progress_bar(0) == "[----------]   0%");
  CHECK(progress_bar(99.9) == "[#########-]  99%");
  CHECK(progress_bar(100) == "[##########] 100%");
  CHECK(progress_bar(250) == "[##########] 100%");
  CHECK(progress_bar(-3) == "[----------]   0%");
  CHECK(progress_bar(json()) == "[          ]    -");
  CHECK(progress_bar(50, 4) == "[##--]  50%");
}

TEST_CASE("states are coloured only when asked, each family its colour") {
  CHECK(colored_state("failed", "failed", false) == "failed");
  CHECK(colored_state("failed", "failed ", true) == "\x1b[31mfailed \x1b[0m");
  CHECK(colored_state("succeeded", "ok", true) == "\x1b[32mok\x1b[0m");
  CHECK(colored_state("partial", "p", true) == "\x1b[33mp\x1b[0m");
  CHECK(colored_state("mystery", "mystery", true) == "mystery");
}

TEST_CASE("elapsed_text reads as seconds, minutes, hours") {
  CHECK(elapsed_text(45'000) == "45s");
  CHECK(elapsed_text(187'000) == "3m07s");
  CHECK(elapsed_text(7'500'000) == "2h05m");
  CHECK(elapsed_text(-5) == "0s");
}
