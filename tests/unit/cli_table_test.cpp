#include <catch2/catch.hpp>

#include "cli/table.h"

using jobtrack::cli::display_width;
using jobtrack::cli::printable;
using jobtrack::cli::Table;

TEST_CASE("columns are as wide as their widest cell, without trailing blanks") {
  Table table({"ID", "STATE", "LABEL"});
  table.add_row({"1", "running", "nightly"});
  table.add_row({"1234", "queued", "-"});
  CHECK(table.render() ==
        "ID    STATE    LABEL\n"
        "1     running  nightly\n"
        "1234  queued   -\n");
}

TEST_CASE("right-aligned columns pad on the left") {
  Table table({"ID", "PROGRESS"});
  table.align_right(0);
  table.align_right(1);
  table.add_row({"7", "5%"});
  table.add_row({"12", "100%"});
  CHECK(table.render() ==
        "ID  PROGRESS\n"
        " 7        5%\n"
        "12      100%\n");
}

TEST_CASE("an empty table has its header; short rows are padded, long ones cut") {
  Table table({"A", "B"});
  CHECK(table.render() == "A  B\n");
  table.add_row({"x"});
  table.add_row({"1", "2", "3"});
  CHECK(table.rows() == 2);
  CHECK(table.render() == "A  B\nx\n1  2\n");
}

TEST_CASE("widths count code points and control characters are neutralized") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("d\xc3\xa9j\xc3\xa0") == 4);  // "déjà"
  CHECK(printable("a\nb\tc\x1b[31m") == "a?b?c?[31m");
  Table table({"LABEL", "X"});
  table.add_row({"d\xc3\xa9j\xc3\xa0", "1"});
  table.add_row({"line\nbreak", "2"});
  CHECK(table.render() ==
        "LABEL       X\n"
        "d\xc3\xa9j\xc3\xa0        1\n"
        "line?break  2\n");
}
