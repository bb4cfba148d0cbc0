#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/suggest.h"

using namespace jobtrack::cli;

TEST_CASE("edit_distance counts insertions, deletions, substitutions and swaps") {
  CHECK(edit_distance("list", "list") == 0);
  CHECK(edit_distance("lst", "list") == 1);
  CHECK(edit_distance("lisst", "list") == 1);
  CHECK(edit_distance("lisx", "list") == 1);
  CHECK(edit_distance("lsit", "list") == 1);  // a swap is one edit
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("nearest_name suggests only plausible typos") {
  std::vector<std::string> commands = {"track",   "list", "show", "history",
                                       "results", "wait", "watch"};
  CHECK(nearest_name("lsit", commands) == "list");
  CHECK(nearest_name("histroy", commands) == "history");
  CHECK(nearest_name("resuls", commands) == "results");
  CHECK_FALSE(nearest_name("frobnicate", commands));
  CHECK_FALSE(nearest_name("xy", commands));
  CHECK_FALSE(nearest_name("list", commands));  // not a typo
}
