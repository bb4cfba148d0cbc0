#include "cli/style.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "cli/render.h"

namespace jobtrack::cli {

std::string_view state_color(std::string_view state) {
  if (state == "succeeded") return "32";
  if (state == "partial") return "33";
  if (state == "failed" || state == "timed_out" || state == "not_found") return "31";
  if (state == "cancelled" || state == "expired") return "35";
  if (state == "running") return "36";
  if (state == "queued") return "34";
  return "";
}

std::string colored_state(std::string_view state, std::string_view text, bool color) {
  std::string_view code = state_color(state);
  if (!color || code.empty()) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string progress_bar(const nlohmann::json& progress, std::size_t width) {
  if (!progress.is_number()) return fmt::format("[{}]    -", std::string(width, ' '));
  double percent = std::clamp(progress.get<double>(), 0.0, 100.0);
  auto filled = static_cast<std::size_t>(std::floor(percent * static_cast<double>(width) / 100.0));
  return fmt::format("[{}{}] {:>4}", std::string(filled, '#'), std::string(width - filled, '-'),
                     progress_text(progress));
}

std::string elapsed_text(std::int64_t ms) {
  std::int64_t seconds = std::max<std::int64_t>(ms, 0) / 1000;
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  return fmt::format("{}h{:02}m", seconds / 3600, seconds % 3600 / 60);
}

}  // namespace jobtrack::cli
