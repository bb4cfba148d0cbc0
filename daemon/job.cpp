#include "daemon/job.h"

#include <array>

namespace jobtrack {
namespace {

constexpr std::array<std::pair<State, std::string_view>, 9> kStateNames = {{
    {State::queued, "queued"},
    {State::running, "running"},
    {State::succeeded, "succeeded"},
    {State::partial, "partial"},
    {State::failed, "failed"},
    {State::cancelled, "cancelled"},
    {State::expired, "expired"},
    {State::not_found, "not_found"},
    {State::timed_out, "timed_out"},
}};

}  // namespace

std::string_view to_string(State state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<State> parse_state(std::string_view text) {
  for (const auto& [value, name] : kStateNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool is_terminal(State state) {
  return state != State::queued && state != State::running;
}

}  // namespace jobtrack
