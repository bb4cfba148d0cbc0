#include "daemon/protocol/durations.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace jobtrack::protocol {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kWeek = 7 * kDay;

std::int64_t unit_ms(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s" || unit == "sec") return kSecond;
  if (unit == "m" || unit == "min") return kMinute;
  if (unit == "h" || unit == "hour") return kHour;
  if (unit == "d" || unit == "day") return kDay;
  if (unit == "w" || unit == "week") return kWeek;
  return 0;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return c >= 'a' && c <= 'z';
}

}  // namespace

tl::expected<std::int64_t, std::string> parse_duration_ms(std::string_view text) {
  if (text.empty()) return tl::make_unexpected(std::string("empty duration"));
  if (text == "0") return 0;
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t start = pos;
    while (pos < text.size() && (is_digit(text[pos]) || text[pos] == '.')) ++pos;
    if (pos == start) {
      return tl::make_unexpected(fmt::format("invalid duration \"{}\": expected a number at \"{}\"",
                                             text, text.substr(start)));
    }
    double number = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + pos, number);
    if (ec != std::errc() || end != text.data() + pos) {
      return tl::make_unexpected(fmt::format("invalid duration \"{}\": bad number", text));
    }
    std::size_t unit_start = pos;
    while (pos < text.size() && is_alpha(text[pos])) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    std::int64_t scale = unit_ms(unit);
    if (scale == 0) {
      return tl::make_unexpected(fmt::format(
          "invalid duration \"{}\": {} (use ms, s, m, h, d or w, e.g. \"30s\" or \"1h30m\")", text,
          unit.empty() ? std::string("missing unit") : fmt::format("unknown unit \"{}\"", unit)));
    }
    double term = number * static_cast<double>(scale);
    if (term > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2) ||
        static_cast<double>(total) + term >
            static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) {
      return tl::make_unexpected(fmt::format("invalid duration \"{}\": too long", text));
    }
    total += static_cast<std::int64_t>(term);
  }
  return total;
}

tl::expected<Rate, std::string> parse_rate(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return tl::make_unexpected(fmt::format(
        "invalid rate \"{}\": expected COUNT/UNIT, e.g. \"20/s\" or \"1500/min\"", text));
  }
  std::string_view count_text = text.substr(0, slash);
  std::string_view per_text = text.substr(slash + 1);
  double count = 0;
  auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (count_text.empty() || ec != std::errc() || end != count_text.data() + count_text.size() ||
      !(count > 0)) {
    return tl::make_unexpected(
        fmt::format("invalid rate \"{}\": count must be a positive number", text));
  }
  std::int64_t per = unit_ms(per_text);
  if (per == 0) {
    auto duration = parse_duration_ms(per_text);
    if (!duration || *duration <= 0) {
      return tl::make_unexpected(
          fmt::format("invalid rate \"{}\": unknown period \"{}\" (use s, min, h or a duration)",
                      text, per_text));
    }
    per = *duration;
  }
  return Rate{count, per};
}

std::string format_duration_ms(std::int64_t ms) {
  if (ms <= 0) return "0s";
  if (ms < kSecond) return fmt::format("{}ms", ms);
  std::string out;
  struct Unit {
    std::int64_t size;
    const char* name;
  };
  static constexpr Unit units[] = {{kDay, "d"}, {kHour, "h"}, {kMinute, "m"}, {kSecond, "s"}};
  int parts = 0;
  for (const auto& unit : units) {
    if (ms >= unit.size && parts < 2) {
      out += fmt::format("{}{}", ms / unit.size, unit.name);
      ms %= unit.size;
      ++parts;
    } else if (parts > 0) {
      ++parts;  // only two adjacent units: "1h30m", never "1h0m5s"
    }
  }
  return out;
}

}  // namespace jobtrack::protocol
