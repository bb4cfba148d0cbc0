// Aligned columns for people: a header row, then one row per item, each
// column as wide as its widest cell, separated by two spaces, no trailing
// blanks. Widths count UTF-8 code points (wide CJK glyphs will misalign;
// good enough for ids, states and labels).
//
// Fitting a terminal: render(max_width) narrows the free-text columns
// (marked truncatable) widest first, cutting their cells with "…", until
// the table fits or they are down to their header's width. Optional columns
// are left out when no row has data in them ("" or "-"). A column's style
// (colour codes) wraps each cell after padding, so it costs no width.
//
// Cells come from the remote APIs through the daemon, so control characters
// (newlines, tabs, terminal escapes) are shown as '?' rather than trusted to
// the terminal. A row with fewer cells is padded; extra cells are dropped.
// Plain value type; any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jobtrack::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Numbers read better right-aligned.
  void align_right(std::size_t column);
  // Free text that may be cut with "…" to fit a width.
  void truncatable(std::size_t column);
  // Shown only when some row has data in it.
  void optional(std::size_t column);
  // Applied to each data cell (given its plain text) after padding.
  using Style = std::function<std::string(const std::string& cell, const std::string& padded)>;
  void style(std::size_t column, Style style);
  void add_row(std::vector<std::string> cells);
  std::size_t rows() const { return rows_.size(); }

  // Every line ends with '\n'; an empty table still has its header.
  // max_width 0: no limit.
  std::string render(std::size_t max_width = 0) const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_, truncatable_, optional_;
  std::vector<Style> styles_;
  std::vector<std::vector<std::string>> rows_;
};

// `text` cut to `width` code points, its last one "…" when it was cut.
std::string truncate_text(std::string_view text, std::size_t width);

// `text` with control characters replaced by '?', safe for a terminal.
std::string printable(std::string_view text);
// Code points in UTF-8 `text` (continuation bytes do not count).
std::size_t display_width(std::string_view text);

}  // namespace jobtrack::cli
