// How jobtrackctl shows the daemon's replies: JSON for scripts, tables and
// key: value blocks for people.
//
// For scripts the daemon's objects pass through unchanged, except that the
// fields the CLI promises (README) are added as null when a daemon left
// them out, so `jq .finished_at` never breaks on an older daemon. For
// people: relative times in lists, absolute ISO 8601 times in details,
// progress as "42%", "-" for unknown, control characters made harmless.
// Pure functions of their input (and `now_ms`); any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace jobtrack::cli {

// How a table for people is drawn: colours (decided by cli/terminal.h) and
// the width to fit (0: no limit).
struct Look {
  bool color = false;
  std::size_t width = 0;
};

// --- for scripts -----------------------------------------------------------
// The field names of --json and the CSV header, in a stable order.
std::span<const std::string_view> job_fields();
std::span<const std::string_view> transition_fields();
std::span<const std::string_view> result_fields();
std::span<const std::string_view> endpoint_fields();
nlohmann::json job_for_scripts(const nlohmann::json& job);
nlohmann::json transition_for_scripts(const nlohmann::json& transition);
nlohmann::json result_for_scripts(const nlohmann::json& result);
// Indented JSON and a newline; invalid UTF-8 replaced, never throws.
std::string json_text(const nlohmann::json& value);

// --- for people ------------------------------------------------------------
// "-" when null, text as is, numbers plainly, objects as compact JSON.
std::string value_text(const nlohmann::json& value);
// "42%" (rounded down, so 100% means done), "-" when unknown.
std::string progress_text(const nlohmann::json& progress);
// "just now", "12 s ago", "3 min ago", "5 h ago", "2 d ago", "in 4 min".
std::string relative_time(std::int64_t at_ms, std::int64_t now_ms);
// An ISO 8601 string from the daemon as relative_time; "-" for null, the
// text itself when it does not parse.
std::string relative_time_text(const nlohmann::json& iso_time, std::int64_t now_ms);

// ID ENDPOINT REMOTE_ID STATE PROGRESS LABEL UPDATED ERROR (updated_at, or
// submitted_at until the remote API reported a time). PROGRESS, LABEL and
// ERROR appear only when some job has one; REMOTE_ID, LABEL and ERROR are
// cut to fit look.width; STATE is coloured when look.color.
std::string jobs_table(const nlohmann::json& jobs, std::int64_t now_ms, const Look& look = {});
// Every field, one "key: value" line each, the well-known ones first, times
// absolute, progress as a bar, and "last_error" (the job's error, else the
// last poll's) after the state when there is one.
std::string job_details(const nlohmann::json& job, const Look& look = {});
// "error_code: error_message", either alone, or "-".
std::string job_error_text(const nlohmann::json& job);
// AT FROM TO REMOTE_STATUS PROGRESS DETAIL
std::string transitions_table(const nlohmann::json& transitions);
// "2026-11-22T06:30:00.000Z  queued -> running  InProgress  40%"
std::string transition_line(const nlohmann::json& transition);
// "job 42 (prism:7f3c) is running, remote status InProgress, 40%"
std::string job_summary_line(const nlohmann::json& job);
// ROW RECORD_ID CREATED EXISTING ERROR
std::string results_table(const nlohmann::json& results);
// NAME PROVIDER BASE_URL ACTIVE TOTAL IN_FLIGHT POLLS FAILED PAUSED_UNTIL LAST_ERROR
std::string endpoints_table(const nlohmann::json& endpoints);
// The Status reply as a key: value block.
std::string status_details(const nlohmann::json& status);

}  // namespace jobtrack::cli
