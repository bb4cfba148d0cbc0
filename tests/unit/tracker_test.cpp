#include "daemon/tracker.h"

#include <catch2/catch.hpp>

using jobtrack::decide;
using jobtrack::Job;
using jobtrack::Millis;
using jobtrack::Observation;
using jobtrack::PollOutcome;
using jobtrack::PollResult;
using jobtrack::State;
using jobtrack::TrackerPolicy;

namespace {

constexpr Millis kNow = 5'000'000;           // the scheduler's clock
constexpr Millis kWall = 1'700'000'000'000;  // wall clock
constexpr Millis kDay = 24LL * 3600 * 1000;

TrackerPolicy policy() {
  TrackerPolicy out;
  out.poll = {1000, 1.5, 60'000};
  out.retry = {1000, 2.0, 300'000};
  out.not_found_confirmations = 3;
  out.keep_finished = 7 * kDay;
  return out;
}

Job job(State state = State::queued) {
  Job out;
  out.id = 9;
  out.endpoint = "ttd";
  out.remote_id = "412651";
  out.state = state;
  out.submitted_at = kWall - 10'000;
  return out;
}

PollResult status(State state, std::string remote) {
  PollResult out;
  out.outcome = PollOutcome::status;
  out.http_status = 200;
  out.latency = 30;
  Observation seen;
  seen.state = state;
  seen.remote_status = std::move(remote);
  out.observation = std::move(seen);
  return out;
}

PollResult failure(PollOutcome outcome, std::string error = "HTTP 503") {
  PollResult out;
  out.outcome = outcome;
  out.error = std::move(error);
  return out;
}

}  // namespace

TEST_CASE("decide records a transition only when state or remote status change") {
  auto first = decide(job(), status(State::running, "InProgress"), policy(), kNow, kWall, 0.5);
  REQUIRE(first.transition);
  CHECK(first.transition->from == State::queued);
  CHECK(first.transition->to == State::running);
  CHECK(first.transition->remote_status == "InProgress");
  CHECK(first.transition->at == kWall);
  CHECK(first.job.state == State::running);
  CHECK(first.job.seen);
  CHECK(first.job.poll_count == 1);
  CHECK(first.poll.outcome == "ok");
  CHECK(first.poll.started_at == kWall - 30);

  auto progress = status(State::running, "InProgress");
  progress.observation->progress = 40.0;
  auto same = decide(first.job, progress, policy(), kNow + 1000, kWall + 1000, 0.5);
  CHECK_FALSE(same.transition);
  CHECK(same.job.progress == 40.0);

  auto renamed = decide(same.job, status(State::running, "Running"), policy(), kNow, kWall, 0.5);
  REQUIRE(renamed.transition);
  CHECK(renamed.transition->from == State::running);
  CHECK(renamed.transition->to == State::running);
  CHECK(renamed.transition->remote_status == "Running");
}

TEST_CASE("decide grows the healthy interval to the maximum and resets it on change") {
  Job current = decide(job(), status(State::running, "InProgress"), policy(), kNow, kWall, 0.5).job;
  CHECK(current.poll_interval == 1000);
  CHECK(current.next_poll_at == kNow + 1000);
  std::vector<Millis> intervals;
  for (int i = 0; i < 15; ++i) {
    current = decide(current, status(State::running, "InProgress"), policy(), kNow, kWall, 0.5).job;
    intervals.push_back(current.poll_interval);
    CHECK(current.next_poll_at == kNow + current.poll_interval);
  }
  CHECK(intervals[0] == 1500);
  CHECK(intervals[1] == 2250);
  CHECK(intervals[2] == 3375);
  CHECK(std::is_sorted(intervals.begin(), intervals.end()));
  CHECK(intervals.back() == 60'000);
  auto changed = decide(current, status(State::running, "Exporting"), policy(), kNow, kWall, 0.5);
  CHECK(changed.job.poll_interval == 1000);
}

TEST_CASE("next_interval starts at the initial interval") {
  auto poll = policy().poll;
  CHECK(jobtrack::next_interval(poll, 0, false) == 1000);
  CHECK(jobtrack::next_interval(poll, 50'000, false) == 60'000);
  CHECK(jobtrack::next_interval(poll, 50'000, true) == 1000);
}

TEST_CASE("retry_delay is full jitter under an exponential cap") {
  auto retry = policy().retry;
  for (std::int64_t failures = 1; failures <= 20; ++failures) {
    INFO(failures);
    Millis cap = std::min<Millis>(300'000, 1000LL << std::min<std::int64_t>(failures - 1, 30));
    CHECK(jobtrack::retry_delay(retry, failures, 0.0) == 100);  // the floor
    CHECK(jobtrack::retry_delay(retry, failures, 0.5) == std::max<Millis>(100, cap / 2));
    Millis top = jobtrack::retry_delay(retry, failures, 0.999999);
    CHECK(top <= cap);
    CHECK(top >= cap - 1);
  }
  // Out-of-range jitter is clamped.
  CHECK(jobtrack::retry_delay(retry, 3, 7.0) == 4000);
  CHECK(jobtrack::retry_delay(retry, 3, -1.0) == 100);
}

TEST_CASE("decide schedules failed polls with backoff and honours Retry-After") {
  Job current = job(State::running);
  current.next_poll_at = kNow;
  for (int i = 1; i <= 4; ++i) {
    auto decision = decide(current, failure(PollOutcome::retry), policy(), kNow, kWall, 0.999);
    CHECK_FALSE(decision.transition);
    CHECK(decision.job.state == State::running);
    CHECK(decision.job.consecutive_errors == i);
    CHECK(decision.job.last_poll_error == "HTTP 503");
    CHECK(decision.poll.outcome == "retry");
    Millis cap = 1000LL << (i - 1);
    CHECK(*decision.job.next_poll_at > kNow);
    CHECK(*decision.job.next_poll_at <= kNow + cap);
    current = decision.job;
  }
  auto limited = failure(PollOutcome::retry, "HTTP 429");
  limited.retry_after = 120'000;
  CHECK(decide(current, limited, policy(), kNow, kWall, 0.1).job.next_poll_at == kNow + 120'000);
  for (auto outcome : {PollOutcome::auth, PollOutcome::client_error, PollOutcome::bad_response}) {
    auto decision = decide(current, failure(outcome), policy(), kNow, kWall, 0.5);
    CHECK(decision.job.state == State::running);
    CHECK(decision.job.consecutive_errors == 5);
  }
  // A good poll clears the error streak.
  auto healthy = decide(current, status(State::running, "InProgress"), policy(), kNow, kWall, 0.5);
  CHECK(healthy.job.consecutive_errors == 0);
  CHECK_FALSE(healthy.job.last_poll_error);
}

TEST_CASE("decide: gone after being seen is expired") {
  Job seen = job(State::succeeded);
  seen.seen = true;
  seen.state = State::running;
  seen.expires_at = kWall + kDay;
  auto decision = decide(seen, failure(PollOutcome::gone, "HTTP 404"), policy(), kNow, kWall, 0.5);
  CHECK(decision.job.state == State::expired);
  CHECK_FALSE(decision.job.next_poll_at);
  // The record is kept until the expiry the API announced, not deleted at once.
  CHECK(decision.job.expires_at == kWall + kDay);
  REQUIRE(decision.transition);
  CHECK(decision.transition->to == State::expired);
  CHECK(decision.transition->detail == "the remote API no longer knows the job");
}

TEST_CASE("decide: gone before ever being seen is not_found after N confirmations") {
  Job current = job();
  for (int i = 1; i <= 2; ++i) {
    auto decision =
        decide(current, failure(PollOutcome::gone, "HTTP 404"), policy(), kNow, kWall, 0.5);
    CHECK(decision.job.state == State::queued);
    CHECK(decision.job.not_found_count == i);
    CHECK(decision.job.next_poll_at);
    CHECK_FALSE(decision.transition);
    current = decision.job;
  }
  auto last = decide(current, failure(PollOutcome::gone, "HTTP 404"), policy(), kNow, kWall, 0.5);
  CHECK(last.job.state == State::not_found);
  CHECK(last.job.not_found_count == 3);
  CHECK_FALSE(last.job.next_poll_at);
  REQUIRE(last.transition);
  CHECK(last.transition->detail == "not found in 3 polls");

  // A status in between resets the count.
  auto reset = decide(current, status(State::queued, "Queued"), policy(), kNow, kWall, 0.5);
  CHECK(reset.job.not_found_count == 0);
}

TEST_CASE("decide: a terminal state stops polling and sets expiry from keep_finished") {
  Job running = job(State::running);
  running.next_poll_at = kNow;
  auto done = decide(running, status(State::succeeded, "Success"), policy(), kNow, kWall, 0.5);
  CHECK(done.job.state == State::succeeded);
  CHECK_FALSE(done.job.next_poll_at);
  CHECK(done.job.finished_at == kWall);
  CHECK(done.job.expires_at == kWall + 7 * kDay);

  // The remote API's own times win.
  auto remote = status(State::failed, "Failure");
  remote.observation->finished_at = kWall - 1000;
  remote.observation->expires_at = kWall + kDay;
  remote.observation->error_message = "quota exceeded";
  auto failed = decide(running, remote, policy(), kNow, kWall, 0.5);
  CHECK(failed.job.finished_at == kWall - 1000);
  CHECK(failed.job.expires_at == kWall + kDay);
  REQUIRE(failed.transition);
  CHECK(failed.transition->detail == "quota exceeded");

  auto finished_only = status(State::succeeded, "Success");
  finished_only.observation->finished_at = kWall - 1000;
  CHECK(decide(running, finished_only, policy(), kNow, kWall, 0.5).job.expires_at ==
        kWall - 1000 + 7 * kDay);
}

TEST_CASE("decide replaces rows only with a terminal state that carries them") {
  auto with_rows = status(State::succeeded, "complete");
  with_rows.observation->has_rows = true;
  with_rows.observation->rows.resize(3);
  auto done = decide(job(State::running), with_rows, policy(), kNow, kWall, 0.5);
  CHECK(done.replace_rows);
  CHECK(done.rows.size() == 3);

  auto still_running = status(State::running, "processing");
  still_running.observation->has_rows = true;
  still_running.observation->rows.resize(2);
  CHECK_FALSE(decide(job(State::running), still_running, policy(), kNow, kWall, 0.5).replace_rows);
}

TEST_CASE("decide never schedules a poll after the deadline") {
  Job current = job(State::running);
  current.deadline_at = kNow + 500;
  auto healthy = decide(current, status(State::running, "InProgress"), policy(), kNow, kWall, 0.5);
  CHECK(healthy.job.next_poll_at == kNow + 500);
  auto retry = decide(current, failure(PollOutcome::retry), policy(), kNow, kWall, 0.9);
  CHECK(retry.job.next_poll_at == kNow + 500);
  current.deadline_at = kNow + 100'000;
  CHECK(decide(current, status(State::running, "InProgress"), policy(), kNow, kWall, 0.5)
            .job.next_poll_at == kNow + 1000);
}

TEST_CASE("time_out makes the job timed_out") {
  Job current = job(State::running);
  current.next_poll_at = kNow;
  auto decision = jobtrack::time_out(current, policy(), kWall);
  CHECK(decision.job.state == State::timed_out);
  CHECK_FALSE(decision.job.next_poll_at);
  CHECK(decision.job.finished_at == kWall);
  CHECK(decision.job.expires_at == kWall + 7 * kDay);
  REQUIRE(decision.transition);
  CHECK(decision.transition->from == State::running);
  CHECK(decision.transition->to == State::timed_out);
  CHECK(decision.transition->detail == "deadline passed");
}
