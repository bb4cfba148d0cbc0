#include "cli/render.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/style.h"
#include "cli/table.h"
#include "daemon/protocol/times.h"

namespace jobtrack::cli {
namespace {

using nlohmann::json;

// The fields README promises in `show --json`, in the order people read them.
constexpr std::string_view kJobFields[] = {"id",
                                           "endpoint",
                                           "provider",
                                           "remote_id",
                                           "label",
                                           "state",
                                           "terminal",
                                           "remote_status",
                                           "progress",
                                           "total",
                                           "processed",
                                           "succeeded",
                                           "failed",
                                           "result_url",
                                           "error_code",
                                           "error_message",
                                           "detail",
                                           "submitter_uid",
                                           "submitted_at",
                                           "remote_created_at",
                                           "updated_at",
                                           "finished_at",
                                           "expires_at",
                                           "deadline_at",
                                           "next_poll_at",
                                           "last_polled_at",
                                           "poll_count",
                                           "consecutive_errors",
                                           "last_poll_error",
                                           "results_stored"};
constexpr std::string_view kPromisedJobFields[] = {
    "id",         "endpoint",      "remote_id",    "label",      "state",       "remote_status",
    "progress",   "total",         "processed",    "succeeded",  "failed",      "result_url",
    "error_code", "error_message", "submitted_at", "updated_at", "finished_at", "expires_at"};
constexpr std::string_view kTransitionFields[] = {"at", "from", "to", "remote_status", "progress"};
constexpr std::string_view kResultFields[] = {"row",      "record_id",  "created",
                                              "existing", "error_code", "error_message"};
constexpr std::string_view kStatusFields[] = {
    "version",           "started_at",   "uptime_seconds", "database",
    "database_bytes",    "jobs_total",   "jobs_active",    "jobs_by_state",
    "in_flight",         "polls_total",  "polls_failed",   "polls_last_minute",
    "transitions_total", "jobs_deleted", "connections",    "storage_error"};

constexpr std::string_view kEndpointFields[] = {
    "name",          "provider",    "base_url",     "jobs_active",  "jobs_total", "in_flight",
    "max_in_flight", "polls_total", "polls_failed", "paused_until", "last_error"};

template <std::size_t N>
json with_fields(const json& object, const std::string_view (&fields)[N]) {
  json out = object.is_object() ? object : json::object();
  for (std::string_view field : fields) {
    if (!out.contains(field)) out[std::string(field)] = nullptr;
  }
  return out;
}

const json& field(const json& object, std::string_view name) {
  static const json null;
  if (!object.is_object()) return null;
  auto it = object.find(name);
  return it == object.end() ? null : *it;
}

std::string text_of(const json& object, std::string_view name) {
  return value_text(field(object, name));
}

// "key: value" lines, `order` first, then any other keys the daemon sent.
template <std::size_t N>
std::string details(const json& object, const std::string_view (&order)[N],
                    std::string (*format)(std::string_view key, const json& value),
                    const Look& look = {}) {
  if (!object.is_object()) return {};
  std::vector<std::string_view> keys;
  std::string last_error = job_error_text(object);
  if (last_error == "-") last_error = value_text(field(object, "last_poll_error"));
  bool with_last_error =
      static_cast<const void*>(order) == static_cast<const void*>(kJobFields) && last_error != "-";
  for (std::string_view key : order) {
    if (object.contains(key)) keys.push_back(key);
    if (with_last_error && key == "state") keys.push_back("last_error");
  }
  for (const auto& item : object.items()) {
    if (std::find(std::begin(order), std::end(order), item.key()) == std::end(order)) {
      keys.push_back(item.key());
    }
  }
  std::size_t width = 0;
  for (std::string_view key : keys) width = std::max(width, key.size());
  std::string out;
  for (std::string_view key : keys) {
    std::string value = key == "last_error" && with_last_error
                            ? printable(last_error)
                            : printable(format(key, object.at(std::string(key))));
    if (key == "state") value = colored_state(value, value, look.color);
    out += fmt::format("{:<{}} {}\n", fmt::format("{}:", key), width + 1, value);
  }
  return out;
}

std::string job_value(std::string_view key, const json& value) {
  return key == "progress" ? progress_bar(value) : value_text(value);
}

std::string status_value(std::string_view key, const json& value) {
  if (key == "jobs_by_state" && value.is_object()) {
    std::string out;
    for (const auto& [state, count] : value.items()) {
      if (!out.empty()) out += ' ';
      out += fmt::format("{}={}", state, value_text(count));
    }
    return out.empty() ? "-" : out;
  }
  return value_text(value);
}

}  // namespace

std::string job_error_text(const json& object) {
  std::string code = text_of(object, "error_code");
  std::string message = text_of(object, "error_message");
  if (code == "-") return message;
  if (message == "-") return code;
  return fmt::format("{}: {}", code, message);
}

std::span<const std::string_view> job_fields() {
  return kJobFields;
}
std::span<const std::string_view> transition_fields() {
  static constexpr std::string_view kFields[] = {"at",       "from",  "to", "remote_status",
                                                 "progress", "detail"};
  return kFields;
}
std::span<const std::string_view> result_fields() {
  return kResultFields;
}
std::span<const std::string_view> endpoint_fields() {
  return kEndpointFields;
}

json job_for_scripts(const json& job) {
  return with_fields(job, kPromisedJobFields);
}
json transition_for_scripts(const json& transition) {
  return with_fields(transition, kTransitionFields);
}
json result_for_scripts(const json& result) {
  return with_fields(result, kResultFields);
}

std::string json_text(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string value_text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string progress_text(const json& progress) {
  if (!progress.is_number()) return "-";
  double percent = std::clamp(progress.get<double>(), 0.0, 100.0);
  return fmt::format("{}%", static_cast<int>(std::floor(percent)));
}

std::string relative_time(std::int64_t at_ms, std::int64_t now_ms) {
  std::int64_t seconds = (now_ms - at_ms) / 1000;
  bool future = seconds < 0;
  std::int64_t span = future ? -seconds : seconds;
  if (span == 0) return "just now";
  std::string amount;
  if (span < 60) {
    amount = fmt::format("{} s", span);
  } else if (span < 3600) {
    amount = fmt::format("{} min", span / 60);
  } else if (span < 86400) {
    amount = fmt::format("{} h", span / 3600);
  } else {
    amount = fmt::format("{} d", span / 86400);
  }
  return future ? "in " + amount : amount + " ago";
}

std::string relative_time_text(const json& iso_time, std::int64_t now_ms) {
  if (!iso_time.is_string()) return "-";
  auto text = iso_time.get<std::string>();
  auto at = protocol::parse_iso8601(text);
  return at ? relative_time(*at, now_ms) : text;
}

std::string jobs_table(const json& jobs, std::int64_t now_ms, const Look& look) {
  Table table({"ID", "ENDPOINT", "REMOTE_ID", "STATE", "PROGRESS", "LABEL", "UPDATED", "ERROR"});
  table.align_right(0);
  table.align_right(4);
  for (std::size_t column : {4U, 5U, 7U}) table.optional(column);
  for (std::size_t column : {2U, 5U, 7U}) table.truncatable(column);
  if (look.color) {
    table.style(3, [](const std::string& cell, const std::string& padded) {
      return colored_state(cell, padded, true);
    });
  }
  for (const json& job : jobs) {
    const json& updated = field(job, "updated_at");
    table.add_row(
        {text_of(job, "id"), text_of(job, "endpoint"), text_of(job, "remote_id"),
         text_of(job, "state"), progress_text(field(job, "progress")), text_of(job, "label"),
         relative_time_text(updated.is_null() ? field(job, "submitted_at") : updated, now_ms),
         job_error_text(job)});
  }
  return table.render(look.width);
}

std::string job_details(const json& job, const Look& look) {
  return details(job, kJobFields, job_value, look);
}

std::string status_details(const json& status) {
  return details(status, kStatusFields, status_value);
}

std::string transitions_table(const json& transitions) {
  Table table({"AT", "FROM", "TO", "REMOTE_STATUS", "PROGRESS", "DETAIL"});
  table.align_right(4);
  for (const json& transition : transitions) {
    table.add_row({text_of(transition, "at"), text_of(transition, "from"),
                   text_of(transition, "to"), text_of(transition, "remote_status"),
                   progress_text(field(transition, "progress")), text_of(transition, "detail")});
  }
  return table.render();
}

std::string transition_line(const json& transition) {
  std::string line = fmt::format("{}  {} -> {}", text_of(transition, "at"),
                                 text_of(transition, "from"), text_of(transition, "to"));
  if (!field(transition, "remote_status").is_null()) {
    line += "  " + text_of(transition, "remote_status");
  }
  if (!field(transition, "progress").is_null()) {
    line += "  " + progress_text(field(transition, "progress"));
  }
  return printable(line);
}

std::string job_summary_line(const json& job) {
  std::string line =
      fmt::format("job {} ({}:{}) is {}", text_of(job, "id"), text_of(job, "endpoint"),
                  text_of(job, "remote_id"), text_of(job, "state"));
  if (!field(job, "remote_status").is_null()) {
    line += ", remote status " + text_of(job, "remote_status");
  }
  if (!field(job, "progress").is_null()) line += ", " + progress_text(field(job, "progress"));
  return printable(line);
}

std::string results_table(const json& results) {
  Table table({"ROW", "RECORD_ID", "CREATED", "EXISTING", "ERROR"});
  table.align_right(0);
  for (const json& result : results) {
    table.add_row({text_of(result, "row"), text_of(result, "record_id"), text_of(result, "created"),
                   text_of(result, "existing"), job_error_text(result)});
  }
  return table.render();
}

std::string endpoints_table(const json& endpoints) {
  Table table({"NAME", "PROVIDER", "BASE_URL", "ACTIVE", "TOTAL", "IN_FLIGHT", "POLLS", "FAILED",
               "PAUSED_UNTIL", "LAST_ERROR"});
  for (std::size_t column = 3; column <= 7; ++column) table.align_right(column);
  for (const json& endpoint : endpoints) {
    std::string in_flight =
        fmt::format("{}/{}", text_of(endpoint, "in_flight"), text_of(endpoint, "max_in_flight"));
    table.add_row({text_of(endpoint, "name"), text_of(endpoint, "provider"),
                   text_of(endpoint, "base_url"), text_of(endpoint, "jobs_active"),
                   text_of(endpoint, "jobs_total"), in_flight, text_of(endpoint, "polls_total"),
                   text_of(endpoint, "polls_failed"), text_of(endpoint, "paused_until"),
                   text_of(endpoint, "last_error")});
  }
  return table.render();
}

}  // namespace jobtrack::cli
