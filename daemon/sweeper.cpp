#include "daemon/sweeper.h"

#include <systemd/sd-event.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "daemon/commit_gate.h"
#include "daemon/log.h"

namespace jobtrack {
namespace {

constexpr Millis kRetryAfterFailure = 60'000;
constexpr Millis kCheckpointRetry = 30'000;
constexpr Millis kWhileHeld = 1000;

// Polls are pruned once the oldest is this much past retention, so a busy
// daemon prunes in batches instead of waking for every row.
Millis poll_slack(Millis retention) {
  return std::clamp<Millis>(retention / 10, 1000, 600'000);
}

}  // namespace

SweepPolicy SweepPolicy::from(const Config& config) {
  SweepPolicy policy;
  policy.keep_after_expiry = config.keep_after_expiry;
  policy.poll_retention = config.poll_retention;
  for (const auto& endpoint : config.endpoints) {
    if (endpoint.keep_after_expiry)
      policy.endpoint_grace[endpoint.name] = *endpoint.keep_after_expiry;
  }
  return policy;
}

Millis SweepPolicy::grace(const std::string& endpoint) const {
  auto found = endpoint_grace.find(endpoint);
  return found != endpoint_grace.end() ? found->second : keep_after_expiry;
}

struct Sweeper::Budget {
  int jobs;
  std::int64_t rows;
  int polls;
  std::chrono::steady_clock::time_point deadline;

  bool spent() const {
    return jobs <= 0 || rows <= 0 || std::chrono::steady_clock::now() >= deadline;
  }
};

Sweeper::Sweeper(sd_event* loop, Store& store, const Clock& clock, SweepLimits limits)
    : loop_(loop), store_(store), clock_(clock), limits_(limits) {
  const auto accuracy =
      static_cast<std::uint64_t>(std::max<std::int64_t>(limits_.timer_accuracy.count(), 1));
  if (sd_event_add_time(loop_, &timer_, CLOCK_MONOTONIC, UINT64_MAX, accuracy, &Sweeper::on_timer,
                        this) < 0 ||
      sd_event_add_defer(loop_, &defer_, &Sweeper::on_defer, this) < 0) {
    sd_event_source_disable_unref(timer_);
    throw std::runtime_error("cannot add the sweeper to the event loop");
  }
  sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  sd_event_source_set_enabled(defer_, SD_EVENT_OFF);
}

Sweeper::~Sweeper() {
  sd_event_source_disable_unref(timer_);
  sd_event_source_disable_unref(defer_);
}

void Sweeper::configure(SweepPolicy policy) {
  policy_ = std::move(policy);
  reclaim_pending_ = true;  // a database left unvacuumed by an earlier run
  wake();
}

void Sweeper::wake() {
  sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
}

void Sweeper::space_freed() {
  reclaim_pending_ = true;
  wake();
}

bool Sweeper::working() const {
  int enabled = SD_EVENT_OFF;
  sd_event_source_get_enabled(defer_, &enabled);
  return enabled != SD_EVENT_OFF;
}

int Sweeper::on_timer(sd_event_source*, std::uint64_t, void* self) {
  static_cast<Sweeper*>(self)->step();
  return 0;
}

int Sweeper::on_defer(sd_event_source*, void* self) {
  static_cast<Sweeper*>(self)->step();
  return 0;
}

void Sweeper::step() {
  counters_.steps += 1;
  const Millis now = clock_.wall();
  Budget budget{limits_.jobs, limits_.result_rows, limits_.polls,
                std::chrono::steady_clock::now() + limits_.budget};
  std::vector<std::int64_t> deleted;
  bool more = false;
  if (gate_ && gate_->held()) {
    // A large result set is being stored in the open batch; sweep after it.
    arm_timer(now + kWhileHeld, now);
    return;
  }
  try {
    // Whatever an earlier callback of this iteration wrote is complete;
    // committing it now lets this step's writes stand on their own.
    commit();
    store_.begin_batch();
    more = sweep_jobs(budget, now, deleted);
    more = prune_polls(budget, now) || more;
    commit();
  } catch (const StoreError& error) {
    store_.rollback_batch();
    log_error(fmt::format("expiry sweep failed, retrying in a minute: {}", error.what()));
    arm_timer(now + kRetryAfterFailure, now);
    return;
  }
  counters_.jobs_deleted += static_cast<std::int64_t>(deleted.size());
  if (!deleted.empty()) {
    log_info(
        fmt::format("deleted {} expired job{}", deleted.size(), deleted.size() == 1 ? "" : "s"));
    if (on_deleted_) {
      for (const auto id : deleted) on_deleted_(id);
    }
  }
  try {
    // Vacuum only once deleting is done: pages freed by the next batch would
    // be moved twice otherwise.
    if (!more) more = reclaim(now);
    if (more) {
      wake();
    } else {
      arm(now);
    }
  } catch (const StoreError& error) {
    log_error(fmt::format("cannot reclaim space, retrying in a minute: {}", error.what()));
    arm_timer(now + kRetryAfterFailure, now);
  }
}

void Sweeper::commit() {
  if (gate_) {
    gate_->commit();
  } else {
    store_.commit_batch();
  }
}

// Returns whether expired jobs are left for the next step.
bool Sweeper::sweep_jobs(Budget& budget, Millis now, std::vector<std::int64_t>& deleted) {
  for (const auto& endpoint : store_.expiring_endpoints()) {
    const Millis cutoff = now - policy_.grace(endpoint);
    for (;;) {
      if (budget.spent()) return true;
      const auto ids = store_.expired_jobs(endpoint, cutoff, budget.jobs);
      for (const auto id : ids) {
        if (budget.spent()) return true;
        // Results first, in chunks: delete_job would delete all of them
        // in one statement.
        const auto rows = store_.delete_results_chunk(id, static_cast<int>(budget.rows));
        budget.rows -= rows;
        counters_.results_deleted += rows;
        if (budget.rows <= 0) return true;  // maybe rows left; the job goes next step
        store_.delete_job(id);
        deleted.push_back(id);
        budget.jobs -= 1;
        reclaim_pending_ = true;
      }
      if (ids.empty()) break;
    }
  }
  return false;
}

// Returns whether old polls are left for the next step.
bool Sweeper::prune_polls(Budget& budget, Millis now) {
  const Millis before = now - policy_.poll_retention;
  if (!pruning_polls_) {
    // Wakes for other reasons (a job finishing) leave young polls alone, so
    // pruning comes in batches, not a few rows every iteration.
    const auto oldest = store_.oldest_poll();
    if (!oldest || *oldest + poll_slack(policy_.poll_retention) > before) return false;
  }
  const auto pruned = store_.prune_polls(before, budget.polls);
  counters_.polls_pruned += pruned;
  if (pruned > 0) reclaim_pending_ = true;
  pruning_polls_ = pruned >= budget.polls;
  return pruning_polls_;
}

// Returns whether more pages wait to be vacuumed.
bool Sweeper::reclaim(Millis now) {
  if (!reclaim_pending_) return false;
  const auto free_before = store_.free_pages();
  if (free_before > 0) {
    const auto free_after = store_.incremental_vacuum(limits_.vacuum_pages);
    counters_.pages_vacuumed += free_before - free_after;
    // A database created without auto_vacuum keeps its free pages; go on.
    if (free_after > 0 && free_after < free_before) return true;
  }
  const auto checkpoint = store_.checkpoint_passive();
  if (checkpoint.complete()) {
    counters_.checkpoints += 1;
    reclaim_pending_ = false;
    retry_checkpoint_at_.reset();
  } else {
    // A reader still holds part of the WAL; look again later, not in a loop.
    retry_checkpoint_at_ = now + kCheckpointRetry;
  }
  return false;
}

// Arms the timer for the earliest moment anything becomes due.
void Sweeper::arm(Millis now) {
  std::optional<Millis> next = retry_checkpoint_at_;
  auto earlier = [&next](Millis at) { next = next ? std::min(*next, at) : at; };
  for (const auto& endpoint : store_.expiring_endpoints()) {
    if (auto expiry = store_.next_expiry(endpoint)) earlier(*expiry + policy_.grace(endpoint));
  }
  if (auto oldest = store_.oldest_poll()) {
    earlier(*oldest + policy_.poll_retention + poll_slack(policy_.poll_retention));
  }
  arm_timer(next, now);
}

void Sweeper::arm_timer(std::optional<Millis> at, Millis now) {
  timer_at_ = at;
  if (!at) {
    sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
    return;
  }
  const Millis monotonic = clock_.monotonic() + std::max<Millis>(*at - now, 0);
  sd_event_source_set_time(timer_, static_cast<std::uint64_t>(monotonic) * 1000);
  sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
}

}  // namespace jobtrack
