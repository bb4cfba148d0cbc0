// The Scheduler decides when each job is polled and carries each poll
// through: admission (an endpoint's max_in_flight, rate limit, pause after
// authentication failures), the request on the Poller, classification,
// the tracker's decision, and the store. The database is the schedule:
// jobs.next_poll_at, read through an index, so a restart resumes every
// job's schedule and a million idle jobs cost no memory.
//
// Time: next_poll_at is kept on the scheduler's clock, the wall time at
// start plus monotonic time since, so a wall-clock jump while running
// neither stalls nor floods polling. One sd-event timer is armed for the
// earliest due job; nothing fires while nothing is due.
//
// Writes go into the store's open batch; the daemon commits it between loop
// iterations (see CommitGate). Loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "daemon/clock.h"
#include "daemon/config.h"
#include "daemon/ingest.h"
#include "daemon/poller.h"
#include "daemon/store.h"
#include "daemon/token_bucket.h"
#include "daemon/tracker.h"

namespace jobtrack {

// An endpoint as the scheduler runs it: its configuration, provider and
// token, and its live counters.
struct EndpointRuntime {
  EndpointConfig config;
  std::shared_ptr<const Provider> provider;  // shared with a parser thread (Ingestor)
  std::string token;                         // never logged, never stored
  TrackerPolicy policy;
  TransferLimits limits;

  std::vector<std::int64_t> in_flight;  // job ids with a request running
  // Due jobs read ahead of dispatch, earliest first; never in flight. Only
  // the scheduler writes these jobs' rows, so the snapshots stay true,
  // except for Forget (see Scheduler::forget) and PollNow (which only moves
  // next_poll_at, and the poll's own schedule overwrites it).
  std::deque<Job> due;
  TokenBucket bucket;
  Millis paused_until = 0;          // scheduler time; 0 when not paused
  Millis deadlines_checked_at = 0;  // while paused: when due jobs' deadlines were last checked
  std::int64_t auth_failures = 0;
  std::string last_error;
  std::int64_t polls_total = 0;
  std::int64_t polls_failed = 0;
};

struct SchedulerCounters {
  std::int64_t polls_total = 0;
  std::int64_t polls_failed = 0;
  std::int64_t transitions = 0;
};

class Scheduler {
 public:
  // Called for each recorded transition, before the batch is committed.
  using TransitionHook = std::function<void(const Job& job, const Transition& transition)>;
  // Called when a store write failed; only a later commit says it works again.
  using StorageHook = std::function<void(const std::string& error)>;

  Scheduler(sd_event* loop, Store& store, Poller& poller, const Clock& clock);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void on_transition(TransitionHook hook) { on_transition_ = std::move(hook); }
  void on_storage(StorageHook hook) { on_storage_ = std::move(hook); }
  // Where large (spooled) status bodies go; without one they are read at once.
  void set_ingestor(Ingestor* ingestor) { ingestor_ = ingestor; }

  // Installs the endpoints (at start and on reload); live counters and
  // in-flight requests of endpoints that keep their name carry over.
  void set_endpoints(std::vector<std::unique_ptr<EndpointRuntime>> endpoints);
  const EndpointRuntime* endpoint(const std::string& name) const;
  const std::vector<std::unique_ptr<EndpointRuntime>>& endpoints() const { return endpoints_; }

  // The scheduler's clock (milliseconds; wall time at start + monotonic since).
  Millis now() const;
  // Re-examines due jobs soon (once per loop iteration however often called).
  void wake_soon();
  // Makes the job due now.
  void poll_now(std::int64_t job_id);
  // The job was deleted: it must not be polled from the read-ahead list.
  void forget(std::int64_t job_id);

  std::size_t in_flight() const;
  const SchedulerCounters& counters() const { return counters_; }
  // Polls finished in the last 60 s.
  std::int64_t polls_last_minute() const;

 private:
  static int on_timer(sd_event_source* source, std::uint64_t usec, void* self);
  static int on_defer(sd_event_source* source, void* self);
  void run();
  Millis admit(EndpointRuntime& endpoint, Millis now);
  Millis expire_while_paused(EndpointRuntime& endpoint, Millis now);
  void dispatch(EndpointRuntime& endpoint, Job job);  // the job travels with its request
  void on_response(const std::string& endpoint_name, const Job& snapshot, HttpResponse&& response);
  void conclude(const std::string& endpoint_name, const Job& snapshot, PollResult&& result,
                Millis wall, StreamedResults* rows);
  void record(EndpointRuntime* endpoint, const Job& before, Decision&& decision);
  void arm_timer(Millis at);
  // After an answer: re-examines due jobs soon, unless the endpoint can
  // start nothing before the armed timer fires anyway.
  void wake_after_answer(EndpointRuntime* endpoint);
  void count_poll(bool failed);
  EndpointRuntime* find(const std::string& name);

  sd_event* loop_;
  Store& store_;
  Poller& poller_;
  Ingestor* ingestor_ = nullptr;
  const Clock& clock_;
  Millis epoch_offset_;  // wall - monotonic at start
  std::vector<std::unique_ptr<EndpointRuntime>> endpoints_;
  sd_event_source* timer_ = nullptr;
  Millis timer_at_ = std::numeric_limits<Millis>::max();  // scheduler time; max when off
  sd_event_source* defer_ = nullptr;
  TransitionHook on_transition_;
  StorageHook on_storage_;
  SchedulerCounters counters_;
  std::mt19937_64 random_;
  std::vector<std::pair<Millis, std::int64_t>> recent_polls_;  // (second, count) ring
};

}  // namespace jobtrack
