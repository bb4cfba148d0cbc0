#include "cli/table.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace jobtrack::cli {
namespace {

bool has_data(const std::string& cell) {
  return !cell.empty() && cell != "-";
}

}  // namespace

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)),
      right_(headers_.size(), false),
      truncatable_(headers_.size(), false),
      optional_(headers_.size(), false),
      styles_(headers_.size()) {}

void Table::align_right(std::size_t column) {
  if (column < right_.size()) right_[column] = true;
}

void Table::truncatable(std::size_t column) {
  if (column < truncatable_.size()) truncatable_[column] = true;
}

void Table::optional(std::size_t column) {
  if (column < optional_.size()) optional_[column] = true;
}

void Table::style(std::size_t column, Style style) {
  if (column < styles_.size()) styles_[column] = std::move(style);
}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells) cell = printable(cell);
  rows_.push_back(std::move(cells));
}

std::string Table::render(std::size_t max_width) const {
  std::vector<std::size_t> shown;
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    bool data =
        std::any_of(rows_.begin(), rows_.end(), [c](const auto& row) { return has_data(row[c]); });
    if (!optional_[c] || data) shown.push_back(c);
  }

  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t c : shown) widths[c] = display_width(headers_[c]);
  for (const auto& row : rows_) {
    for (std::size_t c : shown) widths[c] = std::max(widths[c], display_width(row[c]));
  }

  if (max_width > 0 && !shown.empty()) {
    std::size_t total = 2 * (shown.size() - 1);
    for (std::size_t c : shown) total += widths[c];
    while (total > max_width) {
      // The widest free-text column that can still give a column up.
      std::size_t best = headers_.size();
      for (std::size_t c : shown) {
        std::size_t floor = std::max<std::size_t>(display_width(headers_[c]), 2);
        if (!truncatable_[c] || widths[c] <= floor) continue;
        if (best == headers_.size() || widths[c] > widths[best]) best = c;
      }
      if (best == headers_.size()) break;
      --widths[best];
      --total;
    }
  }

  std::string out;
  auto add_line = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    for (std::size_t i = 0; i < shown.size(); ++i) {
      std::size_t c = shown[i];
      std::string cell = truncate_text(cells[c], widths[c]);
      std::string padding(widths[c] - display_width(cell), ' ');
      bool last = i + 1 == shown.size();
      if (i > 0) line += "  ";
      if (right_[c]) line += padding;
      line += !header && styles_[c] ? styles_[c](cells[c], cell) : cell;
      if (!right_[c] && !last) line += padding;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line;
    out += '\n';
  };
  add_line(headers_, true);
  for (const auto& row : rows_) add_line(row, false);
  return out;
}

std::string truncate_text(std::string_view text, std::size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  // Keep width - 1 code points, then the ellipsis.
  std::size_t kept = 0, end = 0;
  while (end < text.size()) {
    auto byte = static_cast<unsigned char>(text[end]);
    if ((byte & 0xC0) != 0x80) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++end;
  }
  return std::string(text.substr(0, end)) + "\u2026";
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace jobtrack::cli
