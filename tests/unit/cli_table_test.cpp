#include <catch2/catch.hpp>

#include "cli/table.h"

using jobtrack::cli::display_width;
using jobtrack::cli::printable;
using jobtrack::cli::Table;
using jobtrack::cli::truncate_text;

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

TEST_CASE("truncate_text cuts to a width with an ellipsis, counting code points") {
  CHECK(truncate_text("nightly", 10) == "nightly");
  CHECK(truncate_text("nightly", 7) == "nightly");
  CHECK(truncate_text("nightly", 5) == "nigh\u2026");
  CHECK(truncate_text("\u00e9t\u00e9s", 3) == "\u00e9t\u2026");
  CHECK(truncate_text("abc", 0).empty());
}

TEST_CASE("render fits a width by narrowing the widest truncatable column first") {
  Table table({"ID", "NOTE", "LABEL"});
  table.truncatable(1);
  table.truncatable(2);
  table.add_row({"1", "a fairly long note about the job", "short label"});
  // 2 + 2 + 32 + 2 + 11 = 49 columns unfitted.
  CHECK(table.render().find("a fairly long note about the job  short label\n") !=
        std::string::npos);
  std::string fitted = table.render(30);
  CHECK(fitted ==
        "ID  NOTE           LABEL\n"
        "1   a fairly lon\u2026  short label\n");
  // Columns never go below their header; the ID column is never cut.
  CHECK(table.render(5) ==
        "ID  NOTE  LABEL\n"
        "1   a f\u2026  shor\u2026\n");
}

TEST_CASE("optional columns appear only when a row has data; styles cost no width") {
  Table table({"ID", "LABEL", "STATE"});
  table.optional(1);
  table.style(2, [](const std::string&, const std::string& padded) { return "<" + padded + ">"; });
  table.add_row({"1", "-", "ok"});
  CHECK(table.render() == "ID  STATE\n1   <ok>\n");
  table.add_row({"2", "x", "failed"});
  CHECK(table.render() == "ID  LABEL  STATE\n1   -      <ok>\n2   x      <failed>\n");
}
