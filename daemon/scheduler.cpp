#include "daemon/scheduler.h"

#include <systemd/sd-event.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "daemon/log.h"

namespace jobtrack {
namespace {

constexpr Millis kNever = std::numeric_limits<Millis>::max();

constexpr int kDueBatch = 256;
// How often a paused endpoint's due jobs are checked for passed deadlines.
constexpr Millis kPausedDeadlineCheck = 1000;

Millis auth_pause(std::int64_t failures) {
  // 5 s, 10 s, 20 s ... up to 10 min: long enough not to hammer, short
  // enough that a fixed token is picked up soon after a reload.
  Millis pause = 5000;
  for (std::int64_t i = 1; i < failures && pause < 600'000; ++i) pause *= 2;
  return std::min<Millis>(pause, 600'000);
}

}  // namespace

Scheduler::Scheduler(sd_event* loop, Store& store, Poller& poller, const Clock& clock)
    : loop_(loop),
      store_(store),
      poller_(poller),
      clock_(clock),
      epoch_offset_(clock.wall() - clock.monotonic()),
      random_(std::random_device{}()),
      recent_polls_(60, {0, 0}) {
  if (sd_event_add_time(loop_, &timer_, CLOCK_MONOTONIC, UINT64_MAX, 1000, &Scheduler::on_timer,
                        this) < 0 ||
      sd_event_add_defer(loop_, &defer_, &Scheduler::on_defer, this) < 0) {
    throw std::runtime_error("cannot add the scheduler to the event loop");
  }
  sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  sd_event_source_set_enabled(defer_, SD_EVENT_OFF);
}

Scheduler::~Scheduler() {
  sd_event_source_disable_unref(timer_);
  sd_event_source_disable_unref(defer_);
}

Millis Scheduler::now() const {
  return clock_.monotonic() + epoch_offset_;
}

void Scheduler::set_endpoints(std::vector<std::unique_ptr<EndpointRuntime>> endpoints) {
  for (auto& fresh : endpoints) {
    if (EndpointRuntime* old = find(fresh->config.name)) {
      fresh->in_flight = std::move(old->in_flight);
      fresh->polls_total = old->polls_total;
      fresh->polls_failed = old->polls_failed;
      fresh->last_error = old->last_error;
      // A reload is how a fixed token arrives: retry at once.
      fresh->auth_failures = 0;
      fresh->paused_until = 0;
    }
    if (fresh->config.rate_limit) {
      fresh->bucket = TokenBucket(fresh->config.rate_limit->rate, fresh->config.rate_limit->per);
    }
  }
  endpoints_ = std::move(endpoints);
  wake_soon();
}

EndpointRuntime* Scheduler::find(const std::string& name) {
  for (auto& endpoint : endpoints_) {
    if (endpoint->config.name == name) return endpoint.get();
  }
  return nullptr;
}

const EndpointRuntime* Scheduler::endpoint(const std::string& name) const {
  for (const auto& endpoint : endpoints_) {
    if (endpoint->config.name == name) return endpoint.get();
  }
  return nullptr;
}

std::size_t Scheduler::in_flight() const {
  std::size_t total = 0;
  for (const auto& endpoint : endpoints_) total += endpoint->in_flight.size();
  return total;
}

void Scheduler::wake_soon() {
  sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
}

void Scheduler::poll_now(std::int64_t job_id) {
  auto job = store_.get(job_id);
  if (!job || is_terminal(job->state)) return;
  store_.begin_batch();
  Job due = *job;
  due.next_poll_at = now();
  store_.update_job(*job, due);
  wake_soon();
}

void Scheduler::forget(std::int64_t job_id) {
  for (auto& endpoint : endpoints_) {
    std::erase_if(endpoint->due, [job_id](const Job& job) { return job.id == job_id; });
  }
}

int Scheduler::on_timer(sd_event_source*, std::uint64_t, void* self) {
  static_cast<Scheduler*>(self)->run();
  return 0;
}

int Scheduler::on_defer(sd_event_source*, void* self) {
  static_cast<Scheduler*>(self)->run();
  return 0;
}

void Scheduler::run() {
  Millis now_ms = now();
  Millis next_wake = kNever;
  try {
    for (auto& endpoint : endpoints_) next_wake = std::min(next_wake, admit(*endpoint, now_ms));
  } catch (const StoreError& error) {
    log_error(fmt::format("scheduling failed: {}", error.what()));
    store_.rollback_batch();
    if (on_storage_) on_storage_(error.what());
    next_wake = now_ms + 5000;  // try again; the disk may have room by then
  }
  arm_timer(next_wake);
  poller_.run_started();
}

// Starts what the endpoint may start now; returns when it next needs a look.
// Due jobs are read kDueBatch at a time into endpoint.due, in next_poll_at
// order, and dispatched from there: one query per batch instead of one per
// completion. Whatever is not in that list was due later (or changed after
// it was read), so taking the list first keeps the order a fresh query
// would give.
Millis Scheduler::admit(EndpointRuntime& endpoint, Millis now_ms) {
  if (endpoint.paused_until > now_ms) return expire_while_paused(endpoint, now_ms);
  endpoint.paused_until = 0;
  auto capacity =
      static_cast<int>(endpoint.config.max_in_flight) - static_cast<int>(endpoint.in_flight.size());
  while (capacity > 0) {
    if (endpoint.due.empty()) {
      std::vector<Job> due =
          store_.due(endpoint.config.name, now_ms, kDueBatch, endpoint.in_flight);
      if (due.empty()) break;
      endpoint.due.assign(std::make_move_iterator(due.begin()), std::make_move_iterator(due.end()));
    }
    const Job& job = endpoint.due.front();
    if (job.deadline_at && *job.deadline_at <= now_ms) {
      Job expired = std::move(endpoint.due.front());
      endpoint.due.pop_front();
      record(&endpoint, expired, time_out(expired, endpoint.policy, clock_.wall()));
      continue;
    }
    if (!endpoint.bucket.take(now_ms)) return endpoint.bucket.next_token_at(now_ms);
    Job next = std::move(endpoint.due.front());
    endpoint.due.pop_front();
    dispatch(endpoint, std::move(next));
    --capacity;
  }
  if (capacity <= 0) return kNever;  // a completion wakes us
  auto next = store_.next_due(endpoint.config.name, endpoint.in_flight);
  return next ? std::max(*next, now_ms) : kNever;
}

// A paused endpoint polls nothing, but its jobs' deadlines still pass (a
// Retry-After may be hours, an auth pause ten minutes): the due jobs past
// theirs become timed_out, looked at once a second while the pause lasts.
// A job past its deadline is due (decide() never schedules beyond it), so
// the earliest due jobs are where to look.
Millis Scheduler::expire_while_paused(EndpointRuntime& endpoint, Millis now_ms) {
  // The jobs read ahead may time out below, and the pause may be long:
  // read them again once it ends.
  endpoint.due.clear();
  if (now_ms >= endpoint.deadlines_checked_at + kPausedDeadlineCheck) {
    endpoint.deadlines_checked_at = now_ms;
    for (const Job& job : store_.due(endpoint.config.name, now_ms, kDueBatch, endpoint.in_flight)) {
      if (job.deadline_at && *job.deadline_at <= now_ms) {
        record(&endpoint, job, time_out(job, endpoint.policy, clock_.wall()));
      }
    }
  }
  return std::min(endpoint.paused_until, endpoint.deadlines_checked_at + kPausedDeadlineCheck);
}

void Scheduler::dispatch(EndpointRuntime& endpoint, Job job) {
  endpoint.in_flight.push_back(job.id);
  HttpRequest request = endpoint.provider->request(job.remote_id, endpoint.token);
  if (log_enabled(LogLevel::debug))  // the message is not built for nothing
    log_debug(fmt::format("polling {}", job.remote_id), {job.id, job.endpoint, job.remote_id, {}});
  // The job as read at dispatch travels with the request: nothing else
  // changes an in-flight job's row but Forget, which record() notices.
  poller_.start(request, endpoint.limits,
                [this, name = endpoint.config.name, job = std::move(job)](HttpResponse&& response) {
                  on_response(name, job, std::move(response));
                });
}

void Scheduler::on_response(const std::string& endpoint_name, const Job& snapshot,
                            HttpResponse&& response) {
  EndpointRuntime* endpoint = find(endpoint_name);
  if (!endpoint) {  // removed by a reload; the job is polled again if it comes back
    wake_soon();
    return;
  }
  const bool status_body = response.status >= 200 && response.status < 300 &&
                           response.transport_error.empty() && !response.too_large;
  if (response.spool && status_body && ingestor_) {
    // A large body: parsed on another thread and stored over several
    // iterations. The job stays in flight until then.
    Ingestor::Request request;
    request.job_id = snapshot.id;
    request.provider = endpoint->provider;
    request.token = endpoint->token;
    request.response = std::move(response);
    request.wall = clock_.wall();
    // The poll is recorded as of the response's arrival, not of the commit.
    request.conclude = [this, endpoint_name, snapshot, arrived = request.wall](
                           PollResult&& result, StreamedResults& rows) {
      conclude(endpoint_name, snapshot, std::move(result), arrived, &rows);
    };
    ingestor_->start(std::move(request));
    wake_soon();
    return;
  }
  const Millis wall = clock_.wall();
  PollResult result = classify(*endpoint->provider, response, wall);
  redact(result, endpoint->token);
  conclude(endpoint_name, snapshot, std::move(result), wall, nullptr);
}

// Decides and records a classified poll that was answered at `wall`.
// `rows`, for a streamed result set, holds the rows already in the batch:
// kept when the decision stores them.
void Scheduler::conclude(const std::string& endpoint_name, const Job& snapshot, PollResult&& result,
                         Millis wall, StreamedResults* rows) {
  EndpointRuntime* endpoint = find(endpoint_name);
  wake_after_answer(endpoint);
  const std::int64_t job_id = snapshot.id;
  if (!endpoint) {
    if (rows) rows->drop();
    return;
  }
  std::erase(endpoint->in_flight, job_id);
  try {
    const Job* job = &snapshot;
    Millis now_ms = now();
    if (result.outcome == PollOutcome::auth) {
      endpoint->auth_failures += 1;
      endpoint->paused_until = now_ms + auth_pause(endpoint->auth_failures);
      log_warning(fmt::format("endpoint {} refused our credentials ({}); pausing it", endpoint_name,
                              result.error),
                  {job->id, endpoint_name, job->remote_id, {}});
    } else if (result.outcome != PollOutcome::retry || result.http_status) {
      endpoint->auth_failures = 0;
    }
    if (result.retry_after && result.http_status &&
        (*result.http_status == 429 || *result.http_status == 503)) {
      // The API throttles the whole endpoint, not one job.
      endpoint->paused_until = std::max(endpoint->paused_until, now_ms + *result.retry_after);
    }
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Decision decision =
        decide(*job, std::move(result), endpoint->policy, now_ms, wall, unit(random_));
    store_.begin_batch();
    if (rows) {
      if (decision.replace_rows && decision.streamed_rows) {
        rows->keep(*decision.streamed_rows);
      } else {
        rows->drop();
      }
    }
    record(endpoint, *job, std::move(decision));
  } catch (const StoreError& error) {
    log_error(fmt::format("cannot record the poll of job {}: {}", job_id, error.what()));
    store_.rollback_batch();
    if (on_storage_) on_storage_(error.what());
  }
}

void Scheduler::record(EndpointRuntime* endpoint, const Job& before, Decision&& decision) {
  store_.begin_batch();
  // A job forgotten while its poll was in flight stays forgotten: no row,
  // so nothing else about it is written, counted or told.
  if (!store_.update_job(before, decision.job)) return;
  if (decision.replace_rows && !decision.streamed_rows)
    store_.replace_results(decision.job.id, decision.rows);
  // The row was just updated, so the job is there for what follows.
  if (decision.transition)
    store_.insert_transition_of_present_job(decision.job.id, *decision.transition);
  bool polled = !decision.poll.outcome.empty();
  if (polled) {
    store_.insert_poll_of_present_job(decision.poll);
    bool failed = decision.poll.outcome != "ok";
    count_poll(failed);
    if (endpoint) {
      endpoint->polls_total += 1;
      if (failed) {
        endpoint->polls_failed += 1;
        endpoint->last_error = decision.poll.error.value_or(decision.poll.outcome);
      }
    }
    if (failed) {
      log_info(fmt::format("poll failed: {}", decision.poll.error.value_or(decision.poll.outcome)),
               {before.id, before.endpoint, before.remote_id, to_string(before.state)});
    }
  }
  if (decision.transition) {
    counters_.transitions += 1;
    const Transition& transition = *decision.transition;
    if (log_enabled(LogLevel::info))  // the message is not built for nothing
      log_info(fmt::format("{} -> {}{}{}", transition.from ? to_string(*transition.from) : "new",
                           to_string(transition.to),
                           transition.remote_status ? " (" + *transition.remote_status + ")" : "",
                           transition.detail ? ": " + *transition.detail : ""),
               {before.id, before.endpoint, before.remote_id, to_string(transition.to)});
    if (on_transition_) on_transition_(decision.job, transition);
  }
}

void Scheduler::count_poll(bool failed) {
  counters_.polls_total += 1;
  if (failed) counters_.polls_failed += 1;
  Millis second = clock_.monotonic() / 1000;
  auto& slot = recent_polls_[static_cast<std::size_t>(second % 60)];
  if (slot.first != second) slot = {second, 0};
  slot.second += 1;
}

std::int64_t Scheduler::polls_last_minute() const {
  Millis second = clock_.monotonic() / 1000;
  std::int64_t total = 0;
  for (const auto& [at, count] : recent_polls_) {
    if (second - at < 60) total += count;
  }
  return total;
}

// At a paced rate most answers come while the endpoint waits for its next
// token, and the timer is armed for it: a run now would find nothing to
// start and arm the same timer again, one loop iteration per poll for
// nothing. A pause, a token there now, or a timer set later than the
// token (all slots were busy) takes the run now.
void Scheduler::wake_after_answer(EndpointRuntime* endpoint) {
  if (endpoint && endpoint->bucket.limited() && endpoint->paused_until == 0) {
    const Millis now_ms = now();
    const Millis token_at = endpoint->bucket.next_token_at(now_ms);
    if (token_at > now_ms && timer_at_ <= token_at) return;
  }
  wake_soon();
}

void Scheduler::arm_timer(Millis at) {
  timer_at_ = at;
  if (at == kNever) {
    sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
    return;
  }
  Millis monotonic = std::max<Millis>(at - epoch_offset_, 0);
  sd_event_source_set_time(timer_, static_cast<std::uint64_t>(monotonic) * 1000);
  sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
}

}  // namespace jobtrack
