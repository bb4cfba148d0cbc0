// The tracker decides what a poll means for a job: the job's new fields,
// whether that is a transition worth recording, when to poll next. It is
// pure (no I/O, no clock, no randomness of its own) so every rule can be
// tested directly; the scheduler feeds it and the store records its output.
//
// Time: `now` is the scheduler's clock for next_poll_at and deadlines;
// `now_wall` stamps what is recorded (transitions, updated_at). `jitter` is
// a uniform number in [0, 1) for the full-jitter retry backoff.
#pragma once

#include <optional>
#include <vector>

#include "daemon/config.h"
#include "daemon/job.h"
#include "daemon/poll_result.h"

namespace jobtrack {

struct TrackerPolicy {
  Backoff poll;
  Backoff retry;
  int not_found_confirmations = 3;
  Millis keep_finished = 7LL * 24 * 3600 * 1000;

  static TrackerPolicy from(const EndpointConfig& endpoint, const Config& config);
};

struct Decision {
  Job job;                               // the job after this poll
  std::optional<Transition> transition;  // set when state or remote status changed
  bool replace_rows = false;             // store `rows` as the job's per-row results
  std::vector<RowResult> rows;
  std::optional<std::int64_t> streamed_rows;  // instead of `rows`: that many went to a RowSink
  PollRecord poll;
};

Decision decide(const Job& before, PollResult result, const TrackerPolicy& policy, Millis now,
                Millis now_wall, double jitter);

// The job passed its deadline without finishing: it becomes timed_out.
Decision time_out(const Job& before, const TrackerPolicy& policy, Millis now_wall);

// Full-jitter exponential backoff for the n-th consecutive failure (n >= 1).
Millis retry_delay(const Backoff& retry, std::int64_t failures, double jitter);
// The healthy interval after `previous` (0 for the first poll).
Millis next_interval(const Backoff& poll, Millis previous, bool changed);

}  // namespace jobtrack
