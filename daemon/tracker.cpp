#include "daemon/tracker.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace jobtrack {

TrackerPolicy TrackerPolicy::from(const EndpointConfig& endpoint, const Config& config) {
  TrackerPolicy policy;
  policy.poll = endpoint.poll;
  policy.retry = endpoint.retry;
  policy.not_found_confirmations = std::max(1, endpoint.not_found_confirmations);
  policy.keep_finished = endpoint.keep_finished.value_or(config.keep_finished);
  return policy;
}

Millis retry_delay(const Backoff& retry, std::int64_t failures, double jitter) {
  double cap = static_cast<double>(retry.initial) *
               std::pow(std::max(1.0, retry.factor),
                        static_cast<double>(std::max<std::int64_t>(0, failures - 1)));
  cap = std::min(cap, static_cast<double>(retry.max));
  // Full jitter spreads retries of many jobs; the floor keeps a 0 draw from
  // turning into an immediate retry.
  auto delay = static_cast<Millis>(cap * std::clamp(jitter, 0.0, 1.0));
  return std::max<Millis>(delay, std::min<Millis>(retry.initial, 100));
}

Millis next_interval(const Backoff& poll, Millis previous, bool changed) {
  if (previous <= 0 || changed) return poll.initial;
  double grown = static_cast<double>(previous) * std::max(1.0, poll.factor);
  return std::min(static_cast<Millis>(grown), poll.max);
}

namespace {

// Copies what the observation says onto the job; absent fields keep their value.
void apply_observation(Job& job, Observation& seen) {
  job.remote_status = seen.remote_status;
  if (seen.progress) job.progress = seen.progress;
  if (seen.total) job.total = seen.total;
  if (seen.processed) job.processed = seen.processed;
  if (seen.succeeded) job.succeeded = seen.succeeded;
  if (seen.failed) job.failed = seen.failed;
  if (seen.result_url) job.result_url = seen.result_url;
  if (seen.error_code) job.error_code = seen.error_code;
  if (seen.error_message) job.error_message = seen.error_message;
  if (seen.remote_created_at) job.remote_created_at = seen.remote_created_at;
  if (seen.updated_at) job.updated_at = seen.updated_at;
  if (seen.finished_at) job.finished_at = seen.finished_at;
  if (seen.expires_at) job.expires_at = seen.expires_at;
  if (seen.detail_json) job.detail_json = seen.detail_json;
}

void finish(Job& job, State state, Millis now_wall, Millis keep_finished) {
  job.state = state;
  job.next_poll_at.reset();
  if (!job.finished_at) job.finished_at = now_wall;
  if (!job.expires_at) job.expires_at = *job.finished_at + keep_finished;
}

std::optional<Transition> transition_between(const Job& before, const Job& after, Millis now_wall,
                                             std::optional<std::string> detail) {
  if (before.state == after.state && before.remote_status == after.remote_status)
    return std::nullopt;
  Transition out;
  out.at = now_wall;
  out.from = before.state;
  out.to = after.state;
  out.remote_status = after.remote_status;
  out.progress = after.progress;
  out.detail = std::move(detail);
  return out;
}

// Schedules the next attempt after a failed poll.
void schedule_retry(Job& job, const PollResult& result, const TrackerPolicy& policy, Millis now,
                    double jitter) {
  job.consecutive_errors += 1;
  Millis delay = retry_delay(policy.retry, job.consecutive_errors, jitter);
  if (result.retry_after) delay = std::max(delay, *result.retry_after);
  job.next_poll_at = now + delay;
}

}  // namespace

Decision decide(const Job& before, PollResult result, const TrackerPolicy& policy, Millis now,
                Millis now_wall, double jitter) {
  Decision out;
  out.job = before;
  Job& job = out.job;
  job.poll_count += 1;
  job.last_polled_at = now_wall;

  out.poll.job_id = before.id;
  out.poll.endpoint = before.endpoint;
  out.poll.started_at = now_wall - result.latency;
  out.poll.latency = result.latency;
  out.poll.http_status = result.http_status;
  out.poll.outcome = std::string(to_string(result.outcome));
  if (!result.error.empty()) out.poll.error = result.error;

  std::optional<std::string> detail;
  switch (result.outcome) {
    case PollOutcome::status: {
      Observation& seen = *result.observation;
      apply_observation(job, seen);
      job.seen = true;
      job.not_found_count = 0;
      job.consecutive_errors = 0;
      job.last_poll_error.reset();
      State next = *seen.state;
      bool changed = next != before.state || job.remote_status != before.remote_status;
      if (is_terminal(next)) {
        finish(job, next, now_wall, policy.keep_finished);
        if (seen.has_rows) {
          out.replace_rows = true;
          out.rows = std::move(seen.rows);
          out.streamed_rows = seen.streamed_rows;
        }
        if (job.error_message) detail = job.error_message;
      } else {
        job.state = next;
        job.poll_interval = next_interval(policy.poll, before.poll_interval, changed);
        job.next_poll_at = now + job.poll_interval;
      }
      break;
    }
    case PollOutcome::gone:
      job.last_poll_error = result.error;
      if (before.seen) {
        // Kept until the API's own expiry time, or keep_finished from now.
        finish(job, State::expired, now_wall, policy.keep_finished);
        detail = "the remote API no longer knows the job";
      } else if (before.not_found_count + 1 >= policy.not_found_confirmations) {
        job.not_found_count = before.not_found_count + 1;
        finish(job, State::not_found, now_wall, policy.keep_finished);
        detail = fmt::format("not found in {} polls", job.not_found_count);
      } else {
        job.not_found_count = before.not_found_count + 1;
        job.poll_interval = next_interval(policy.poll, before.poll_interval, false);
        job.next_poll_at = now + job.poll_interval;
      }
      break;
    case PollOutcome::bad_response:
    case PollOutcome::retry:
    case PollOutcome::auth:
    case PollOutcome::client_error:
      job.last_poll_error = result.error;
      schedule_retry(job, result, policy, now, jitter);
      break;
  }
  if (job.deadline_at && job.next_poll_at)
    job.next_poll_at = std::min(*job.next_poll_at, *job.deadline_at);
  out.transition = transition_between(before, job, now_wall, std::move(detail));
  return out;
}

Decision time_out(const Job& before, const TrackerPolicy& policy, Millis now_wall) {
  Decision out;
  out.job = before;
  finish(out.job, State::timed_out, now_wall, policy.keep_finished);
  out.transition = transition_between(before, out.job, now_wall, std::string("deadline passed"));
  out.poll.job_id = before.id;
  return out;
}

}  // namespace jobtrack
