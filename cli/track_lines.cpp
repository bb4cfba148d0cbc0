#include "cli/track_lines.h"

namespace jobtrack::cli {
namespace {

constexpr std::string_view kBlanks = " \t";

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

// The next blank-separated word of `rest`, which moves past it.
std::string_view next_word(std::string_view& rest) {
  rest = trim(rest);
  auto end = rest.find_first_of(kBlanks);
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  return word;
}

}  // namespace

tl::expected<std::optional<TrackLine>, std::string> parse_track_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view rest = trim(line);
  if (rest.empty() || rest.front() == '#') return std::optional<TrackLine>();
  for (char c : rest) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      return tl::make_unexpected(std::string("control character in the line"));
    }
  }
  TrackLine parsed;
  parsed.endpoint = std::string(next_word(rest));
  parsed.remote_id = std::string(next_word(rest));
  if (parsed.remote_id.empty()) {
    return tl::make_unexpected(std::string("expected ENDPOINT REMOTE_ID [LABEL]"));
  }
  if (std::string_view label = trim(rest); !label.empty()) parsed.label = std::string(label);
  return std::optional<TrackLine>(std::move(parsed));
}

}  // namespace jobtrack::cli
