// Test helpers that fill a Store with jobs as the daemon would leave them:
// a finished job with its transitions, result rows and polls. Header-only;
// each test executable includes it. One thread, like the Store.
#pragma once

#include <string>

#include <time.h>

#include "daemon/store.h"

namespace jobtrack::test {

struct SampleJob {
  std::string endpoint = "prism";
  std::string remote_id;
  std::optional<std::string> label;
  State state = State::succeeded;
  Millis submitted_at = 0;
  std::optional<Millis> finished_at;  // null: still running
  std::optional<Millis> expires_at;
  int rows = 0;          // import_results rows; every tenth one failed
  int polls = 0;         // polls rows, one a second from submission
  int failed_polls = 0;  // of which failed (the last ones)
  std::optional<std::string> error_message;
};

// The real CLOCK_MONOTONIC in milliseconds: a ManualClock starting here arms
// sd-event timers in the real future, so they do not fire by accident.
inline Millis real_monotonic() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Millis>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// A bare queued Prism job, due at 1000, as Track leaves it; returns its id.
inline std::int64_t add_queued_job(Store& store, const std::string& remote_id) {
  Job job;
  job.endpoint = "prism";
  job.remote_id = remote_id;
  job.submitted_at = 1000;
  job.next_poll_at = 1000;
  return store.insert_job(job, Transition{});
}

inline std::int64_t add_job(Store& store, const SampleJob& sample) {
  Job job;
  job.endpoint = sample.endpoint;
  job.remote_id = sample.remote_id;
  job.label = sample.label;
  job.state = State::queued;
  job.submitted_at = sample.submitted_at;
  job.next_poll_at = sample.submitted_at;
  Transition first;
  first.at = sample.submitted_at;
  first.to = State::queued;
  const auto id = store.insert_job(job, first);
  job.id = id;

  Transition running;
  running.at = sample.submitted_at + 1000;
  running.from = State::queued;
  running.to = State::running;
  running.remote_status = "processing";
  store.insert_transition(id, running);
  job.state = State::running;
  job.remote_status = "processing";

  for (int i = 0; i < sample.polls; ++i) {
    PollRecord poll;
    poll.job_id = id;
    poll.endpoint = sample.endpoint;
    poll.started_at = sample.submitted_at + i * 1000;
    poll.latency = 40 + i;
    const bool failed = i >= sample.polls - sample.failed_polls;
    poll.http_status = failed ? 503 : 200;
    poll.outcome = failed ? "retry" : "ok";
    if (failed) poll.error = "HTTP 503";
    store.insert_poll(poll);
  }

  if (sample.finished_at) {
    Transition done;
    done.at = *sample.finished_at;
    done.from = State::running;
    done.to = sample.state;
    done.remote_status = sample.state == State::failed ? "failed" : "complete";
    done.detail = sample.error_message;
    store.insert_transition(id, done);
    job.state = sample.state;
    job.remote_status = done.remote_status;
    job.finished_at = sample.finished_at;
    job.next_poll_at.reset();
    job.error_message = sample.error_message;
    if (sample.state == State::failed) job.error_code = "import_failed";
  }
  job.expires_at = sample.expires_at;
  job.total = sample.rows;
  store.update_job(job);

  if (sample.rows > 0) {
    std::vector<RowResult> rows(static_cast<std::size_t>(sample.rows));
    for (int i = 0; i < sample.rows; ++i) {
      auto& row = rows[static_cast<std::size_t>(i)];
      row.row = i;
      if (i % 10 == 9) {
        row.error_code = "invalid_email";
        row.error_message = "row " + std::to_string(i) + ": email is not valid";
      } else {
        row.record_id = "rec_" + std::to_string(i);
        row.created = true;
        row.existing = false;
      }
    }
    store.replace_results(id, rows);
  }
  return id;
}

}  // namespace jobtrack::test
