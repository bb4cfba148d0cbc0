// The Sweeper keeps the database bounded however long the daemon runs: it
// deletes terminal jobs (with their transitions, results and polls, by ON
// DELETE CASCADE) once expires_at + keep_after_expiry has passed, prunes
// polls rows older than poll_retention, returns freed pages to the file
// system (incremental vacuum) and lets the WAL restart (PASSIVE checkpoints,
// which never wait on readers).
//
// Work is split into steps, one per loop iteration through an sd-event
// defer source: a step stops after SweepLimits' jobs, result rows or time,
// so the loop keeps answering while a job with a million result rows goes
// (its rows are deleted in chunks first, the job row last). When nothing is
// left to do, one timer is armed for the earliest moment something becomes
// due, and switched off when nothing ever will: an idle daemon never wakes
// for the sweeper.
//
// Time: expiry is compared with the Clock's wall time (expires_at is wall
// time); the timer is armed on CLOCK_MONOTONIC at the matching distance.
//
// Each step commits its own writes (the daemon's open batch, if any, is
// committed first). Deleted jobs are reported through on_deleted after the
// commit. Store failures are logged and retried a minute later. Loop thread
// only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/clock.h"
#include "daemon/config.h"
#include "daemon/store.h"

struct sd_event;
struct sd_event_source;

namespace jobtrack {

class CommitGate;

// What the configuration says about retention.
struct SweepPolicy {
  Millis keep_after_expiry = 0;                  // grace after expires_at, all endpoints
  std::map<std::string, Millis> endpoint_grace;  // per-endpoint overrides of it
  Millis poll_retention = 24LL * 3600 * 1000;    // age at which polls rows go

  static SweepPolicy from(const Config& config);
  // The grace of `endpoint`; endpoints no longer configured get the global one.
  Millis grace(const std::string& endpoint) const;
};

// The most one step may do before yielding to the loop.
struct SweepLimits {
  int jobs = 200;                        // jobs deleted
  int result_rows = 10'000;              // import_results rows deleted (about 20 ms)
  int polls = 5'000;                     // polls rows pruned
  int vacuum_pages = 256;                // free pages returned to the file system (1 MiB)
  std::chrono::milliseconds budget{20};  // time spent, checked between jobs
  // How late the timer may fire; coarse, so deletions due close together
  // share one wake-up (and other timers' wake-ups).
  std::chrono::microseconds timer_accuracy = std::chrono::minutes(1);
};

struct SweepCounters {
  std::int64_t jobs_deleted = 0;
  std::int64_t results_deleted = 0;  // import_results rows deleted by chunks
  std::int64_t polls_pruned = 0;
  std::int64_t pages_vacuumed = 0;
  std::int64_t steps = 0;
  std::int64_t checkpoints = 0;  // complete PASSIVE checkpoints
};

class Sweeper {
 public:
  using DeletedHook = std::function<void(std::int64_t job_id)>;

  // Starts idle; configure() makes it look.
  Sweeper(sd_event* loop, Store& store, const Clock& clock, SweepLimits limits = {});
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  void on_deleted(DeletedHook hook) { on_deleted_ = std::move(hook); }
  // Commits go through `gate` (which may be held by a large result set; the
  // sweep then waits). Without one the store is committed directly.
  void set_commit_gate(CommitGate* gate) { gate_ = gate; }

  // Installs the policy (at start and on reload) and wakes.
  void configure(SweepPolicy policy);
  // Looks again on the next iteration: a job became terminal, and its expiry
  // may be earlier than the armed timer.
  void wake();
  // A job was deleted elsewhere (Forget): reclaim its space soon.
  void space_freed();

  const SweepCounters& counters() const { return counters_; }
  // Wall time the timer is armed for; nullopt while it is off.
  std::optional<Millis> timer_at() const { return timer_at_; }
  // Whether a step is queued for the next iteration.
  bool working() const;

 private:
  struct Budget;
  static int on_timer(sd_event_source* source, std::uint64_t usec, void* self);
  static int on_defer(sd_event_source* source, void* self);
  void step();
  bool sweep_jobs(Budget& budget, Millis now, std::vector<std::int64_t>& deleted);
  bool prune_polls(Budget& budget, Millis now);
  bool reclaim(Millis now);
  void arm(Millis now);
  void commit();
  void arm_timer(std::optional<Millis> at, Millis now);

  sd_event* loop_;
  CommitGate* gate_ = nullptr;
  Store& store_;
  const Clock& clock_;
  SweepLimits limits_;
  SweepPolicy policy_;
  sd_event_source* timer_ = nullptr;
  sd_event_source* defer_ = nullptr;
  std::optional<Millis> timer_at_;
  std::optional<Millis> retry_checkpoint_at_;  // a reader held the WAL back
  bool reclaim_pending_ = false;  // deleted something since the last complete checkpoint
  bool pruning_polls_ = false;    // a pruning run is under way
  DeletedHook on_deleted_;
  SweepCounters counters_;
};

}  // namespace jobtrack
