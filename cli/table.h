// Aligned columns for people: a header row, then one row per item, each
// column as wide as its widest cell, separated by two spaces, no trailing
// blanks. Widths count UTF-8 code points (wide CJK glyphs will misalign;
// good enough for ids, states and labels).
//
// Cells come from the remote APIs through the daemon, so control characters
// (newlines, tabs, terminal escapes) are shown as '?' rather than trusted to
// the terminal. A row with fewer cells is padded; extra cells are dropped.
// Plain value type; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace jobtrack::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Numbers read better right-aligned.
  void align_right(std::size_t column);
  void add_row(std::vector<std::string> cells);
  std::size_t rows() const { return rows_.size(); }

  // Every line ends with '\n'; an empty table still has its header.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// `text` with control characters replaced by '?', safe for a terminal.
std::string printable(std::string_view text);
// Code points in UTF-8 `text` (continuation bytes do not count).
std::size_t display_width(std::string_view text);

}  // namespace jobtrack::cli
