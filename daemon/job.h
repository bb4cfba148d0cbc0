// The job model shared by the store, the scheduler, the providers and the
// protocol handlers: normalized states and one tracked job as stored.
//
// Times are milliseconds since the Unix epoch (UTC), as in the database.
// Plain data; safe to copy between any of the daemon's parts (one thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobtrack {

// queued and running are active; every other state is terminal and ends polling.
enum class State {
  queued,
  running,
  succeeded,
  partial,
  failed,
  cancelled,
  expired,
  not_found,
  timed_out
};

std::string_view to_string(State state);
std::optional<State> parse_state(std::string_view text);
bool is_terminal(State state);

using Millis = std::int64_t;  // milliseconds since the epoch, or a duration

struct Job {
  std::int64_t id = 0;
  std::string endpoint;
  std::string remote_id;
  std::optional<std::string> label;
  State state = State::queued;
  std::optional<std::string> remote_status;
  std::optional<double> progress;  // 0..100
  std::optional<std::int64_t> total, processed, succeeded, failed;
  std::optional<std::string> result_url;
  std::optional<std::string> error_code, error_message;
  std::optional<std::string> detail_json;  // provider extras (Asana's created object), JSON text
  std::uint32_t submitter_uid = 0;
  Millis submitted_at = 0;
  std::optional<Millis> remote_created_at, updated_at, finished_at, expires_at, deadline_at;
  std::optional<Millis> next_poll_at;  // null once terminal
  std::optional<Millis> last_polled_at;
  Millis poll_interval = 0;  // current healthy interval; grows by the endpoint's factor
  std::int64_t poll_count = 0;
  std::int64_t consecutive_errors = 0;
  std::optional<std::string> last_poll_error;
  bool seen = false;                 // a status response was ever understood
  std::int64_t not_found_count = 0;  // consecutive 404s before it was ever seen
  std::int64_t results_stored = 0;
};

// One row of the transitions table.
struct Transition {
  Millis at = 0;
  std::optional<State> from;  // null for the first transition
  State to = State::queued;
  std::optional<std::string> remote_status;
  std::optional<double> progress;
  std::optional<std::string> detail;
};

// One per-row outcome of an import (import_results).
struct RowResult {
  std::int64_t row = 0;  // 0-based position in the remote results array
  std::optional<std::string> record_id;
  std::optional<bool> created, existing;
  std::optional<std::string> error_code, error_message;
};

// One attempt to fetch a job's status (polls).
struct PollRecord {
  std::int64_t job_id = 0;
  std::string endpoint;
  Millis started_at = 0;
  Millis latency = 0;
  std::optional<long> http_status;  // null when no response arrived
  std::string outcome;              // "ok", "retry", "auth", "gone", "bad_response", "client_error"
  std::optional<std::string> error;
};

}  // namespace jobtrack
