// The tracker's polling rules, directly: healthy interval growth, the
// full-jitter retry backoff and its cap, Retry-After, 404 semantics and
// deadlines. Also parse_retry_after (poll_result.h), which feeds it.
#include <catch2/catch.hpp>

#include "daemon/poll_result.h"
#include "daemon/tracker.h"

using jobtrack::Backoff;
using jobtrack::Decision;
using jobtrack::Job;
using jobtrack::Millis;
using jobtrack::Observation;
using jobtrack::PollOutcome;
using jobtrack::PollResult;
using jobtrack::State;
using jobtrack::TrackerPolicy;

namespace {

constexpr Millis kNow = 1'700'000'000'000;

TrackerPolicy policy() {
  TrackerPolicy out;
  out.poll = Backoff{1000, 1.5, 60'000};
  out.retry = Backoff{1000, 2.0, 300'000};
  out.not_found_confirmations = 3;
  return out;
}

Job running_job() {
  Job job;
  job.id = 7;
  job.endpoint = "api";
  job.remote_id = "r1";
  job.state = State::running;
  job.remote_status = "processing";
  job.seen = true;
  job.poll_interval = 1000;
  job.next_poll_at = kNow;
  return job;
}

PollResult status(const std::string& remote, State state) {
  PollResult result;
  result.outcome = PollOutcome::status;
  result.http_status = 200;
  Observation seen;
  seen.state = state;
  seen.remote_status = remote;
  result.observation = seen;
  return result;
}

PollResult failure(PollOutcome outcome, long http,
                   std::optional<Millis> retry_after = std::nullopt) {
  PollResult result;
  result.outcome = outcome;
  result.http_status = http;
  result.error = "HTTP " + std::to_string(http);
  result.retry_after = retry_after;
  return result;
}

}  // namespace

TEST_CASE("a healthy job's interval grows by the factor up to the maximum") {
  Backoff poll{1000, 1.5, 4000};
  CHECK(jobtrack::next_interval(poll, 0, false) == 1000);
  CHECK(jobtrack::next_interval(poll, 1000, false) == 1500);
  CHECK(jobtrack::next_interval(poll, 1500, false) == 2250);
  CHECK(jobtrack::next_interval(poll, 3000, false) == 4000);
  CHECK(jobtrack::next_interval(poll, 4000, false) == 4000);
  // A change (progress to new state or status) starts over.
  CHECK(jobtrack::next_interval(poll, 4000, true) == 1000);
}

TEST_CASE("the retry delay is full jitter under an exponential cap") {
  Backoff retry{1000, 2.0, 10'000};
  CHECK(jobtrack::retry_delay(retry, 1, 0.999) <= 1000);
  CHECK(jobtrack::retry_delay(retry, 3, 0.999) <= 4000);
  CHECK(jobtrack::retry_delay(retry, 3, 0.999) > 3900);
  CHECK(jobtrack::retry_delay(retry, 3, 0.5) == 2000);
  // The cap holds however many failures.
  CHECK(jobtrack::retry_delay(retry, 60, 0.999) <= 10'000);
  CHECK(jobtrack::retry_delay(retry, 60, 0.999) > 9900);
  // A zero draw is not an immediate retry.
  CHECK(jobtrack::retry_delay(retry, 5, 0.0) >= 100);
}

TEST_CASE("a failed poll keeps the state and schedules a retry, not the healthy interval") {
  Job before = running_job();
  before.consecutive_errors = 2;
  Decision decision =
      jobtrack::decide(before, failure(PollOutcome::retry, 503), policy(), kNow, kNow, 0.5);
  CHECK(decision.job.state == State::running);
  CHECK_FALSE(decision.transition);
  CHECK(decision.job.consecutive_errors == 3);
  // Third failure: cap 1000 * 2^2 = 4000, half of it.
  CHECK(*decision.job.next_poll_at == kNow + 2000);
  CHECK(decision.poll.outcome == "retry");
  CHECK(*decision.poll.http_status == 503);
  CHECK(decision.job.last_poll_error == std::optional<std::string>("HTTP 503"));
}

TEST_CASE("Retry-After stretches a job's retry to at least that long") {
  Decision decision = jobtrack::decide(running_job(), failure(PollOutcome::retry, 429, 30'000),
                                       policy(), kNow, kNow, 0.1);
  CHECK(*decision.job.next_poll_at == kNow + 30'000);
}

TEST_CASE("authentication failures fail no job") {
  Decision decision =
      jobtrack::decide(running_job(), failure(PollOutcome::auth, 401), policy(), kNow, kNow, 0.5);
  CHECK(decision.job.state == State::running);
  CHECK_FALSE(decision.transition);
  CHECK(decision.job.next_poll_at);
}

TEST_CASE("a good poll after failures resets the streak and the interval") {
  Job before = running_job();
  before.consecutive_errors = 4;
  before.last_poll_error = "HTTP 500";
  before.poll_interval = 8000;
  Decision decision =
      jobtrack::decide(before, status("processing", State::running), policy(), kNow, kNow, 0.5);
  CHECK(decision.job.consecutive_errors == 0);
  CHECK_FALSE(decision.job.last_poll_error);
  CHECK(*decision.job.next_poll_at == kNow + 12'000);
}

TEST_CASE("404: expired once seen, not_found only after the confirmations") {
  Job seen = running_job();
  Decision expired =
      jobtrack::decide(seen, failure(PollOutcome::gone, 404), policy(), kNow, kNow, 0.5);
  CHECK(expired.job.state == State::expired);
  CHECK_FALSE(expired.job.next_poll_at);

  Job never = running_job();
  never.state = State::queued;
  never.seen = false;
  never.remote_status.reset();
  for (int n = 1; n <= 2; ++n) {
    Decision again =
        jobtrack::decide(never, failure(PollOutcome::gone, 404), policy(), kNow, kNow, 0.5);
    CHECK(again.job.state == State::queued);
    CHECK(again.job.not_found_count == n);
    CHECK(again.job.next_poll_at);
    never = again.job;
  }
  Decision gone =
      jobtrack::decide(never, failure(PollOutcome::gone, 404), policy(), kNow, kNow, 0.5);
  CHECK(gone.job.state == State::not_found);
  CHECK_FALSE(gone.job.next_poll_at);

  // A 404 then a status: the count starts over.
  Job flaky = running_job();
  flaky.seen = false;
  flaky.not_found_count = 2;
  Decision found =
      jobtrack::decide(flaky, status("processing", State::running), policy(), kNow, kNow, 0.5);
  CHECK(found.job.not_found_count == 0);
  CHECK(found.job.seen);
}

TEST_CASE("no poll is scheduled beyond the deadline, and time_out ends the job") {
  Job before = running_job();
  before.deadline_at = kNow + 500;
  before.poll_interval = 60'000;
  Decision decision =
      jobtrack::decide(before, status("processing", State::running), policy(), kNow, kNow, 0.5);
  CHECK(*decision.job.next_poll_at == kNow + 500);
  Decision late = jobtrack::time_out(decision.job, policy(), kNow + 600);
  CHECK(late.job.state == State::timed_out);
  CHECK_FALSE(late.job.next_poll_at);
  REQUIRE(late.transition);
  CHECK(late.transition->detail == std::optional<std::string>("deadline passed"));
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
  CHECK(jobtrack::parse_retry_after("2", kNow) == std::optional<Millis>(2000));
  CHECK(jobtrack::parse_retry_after(" 120 ", kNow) == std::optional<Millis>(120'000));
  // kNow is 2023-11-14T22:13:20Z.
  CHECK(jobtrack::parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", kNow) ==
        std::optional<Millis>(30'000));
  // A date in the past means now.
  CHECK(jobtrack::parse_retry_after("Tue, 14 Nov 2023 22:13:15 GMT", kNow) ==
        std::optional<Millis>(0));
  CHECK_FALSE(jobtrack::parse_retry_after("soon", kNow));
  CHECK_FALSE(jobtrack::parse_retry_after("-5", kNow));
  CHECK_FALSE(jobtrack::parse_retry_after("", kNow));
}
