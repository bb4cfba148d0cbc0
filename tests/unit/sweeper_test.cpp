#include "daemon/sweeper.h"

#include <systemd/sd-event.h>

#include <chrono>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/unit/sample_jobs.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::ManualClock;
using jobtrack::Millis;
using jobtrack::State;
using jobtrack::Store;
using jobtrack::Sweeper;
using jobtrack::SweepLimits;
using jobtrack::SweepPolicy;
using jobtrack::test::add_job;
using jobtrack::test::SampleJob;
using jobtrack::test::ScratchDir;

namespace {

constexpr Millis kMinute = 60'000;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;

// A store, a ManualClock whose monotonic time is the real one (so armed
// timers lie in the real future) and a private sd-event loop.
struct Fixture {
  ScratchDir dir;
  Store store{dir.file("jobtrack.db")};
  ManualClock clock{1'700'000'000'000, jobtrack::test::real_monotonic()};
  sd_event* loop = nullptr;

  Fixture() { REQUIRE(sd_event_new(&loop) >= 0); }
  ~Fixture() { sd_event_unref(loop); }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  Millis now() const { return clock.wall(); }

  std::int64_t finished(const std::string& endpoint, const std::string& remote_id,
                        Millis expires_at, int rows = 0, int polls = 0) {
    SampleJob sample;
    sample.endpoint = endpoint;
    sample.remote_id = remote_id;
    sample.submitted_at = now() - kMinute;
    sample.finished_at = now();
    sample.expires_at = expires_at;
    sample.rows = rows;
    sample.polls = polls;
    return add_job(store, sample);
  }

  std::int64_t count(const std::string& sql) {
    SQLite::Database db(store.path(), SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getInt64();
  }

  // Runs loop iterations until the sweeper has nothing queued; returns how many.
  int drain(Sweeper& sweeper) {
    int iterations = 0;
    while (sweeper.working() && iterations < 100'000) {
      REQUIRE(sd_event_run(loop, 0) >= 0);
      ++iterations;
    }
    return iterations;
  }

  bool timer_enabled(Sweeper& sweeper) { return sweeper.timer_at().has_value(); }
};

SweepPolicy policy(Millis grace = 0, Millis retention = 30 * kDay) {
  SweepPolicy p;
  p.keep_after_expiry = grace;
  p.poll_retention = retention;
  return p;
}

}  // namespace

TEST_CASE(
    "expired jobs go with their transitions, results and polls; the timer waits for the next") {
  Fixture f;
  const Millis t0 = f.now();
  const auto first = f.finished("prism", "a", t0 + kHour, 20, 3);
  const auto second = f.finished("prism", "b", t0 + 2 * kHour, 5, 2);
  // An active job whose remote record announced an expiry is never swept.
  SampleJob active;
  active.remote_id = "running";
  active.submitted_at = t0;
  active.expires_at = t0 - kDay;
  const auto running = add_job(f.store, active);

  Sweeper sweeper(f.loop, f.store, f.clock);
  std::vector<std::int64_t> deleted;
  sweeper.on_deleted([&](std::int64_t id) { deleted.push_back(id); });
  sweeper.configure(policy());
  f.drain(sweeper);
  CHECK(f.count("SELECT count(*) FROM jobs") == 3);
  CHECK(sweeper.timer_at() == t0 + kHour);

  f.clock.advance(kHour);
  sweeper.wake();  // what the timer does; its real time is an hour away
  f.drain(sweeper);
  CHECK(deleted == std::vector<std::int64_t>{first});
  CHECK(f.count(fmt::format("SELECT count(*) FROM transitions WHERE job_id = {}", first)) == 0);
  CHECK(f.count(fmt::format("SELECT count(*) FROM import_results WHERE job_id = {}", first)) == 0);
  CHECK(f.count(fmt::format("SELECT count(*) FROM polls WHERE job_id = {}", first)) == 0);
  CHECK(f.count(fmt::format("SELECT count(*) FROM import_results WHERE job_id = {}", second)) == 5);
  CHECK(f.count(fmt::format("SELECT count(*) FROM polls WHERE job_id = {}", second)) == 2);
  CHECK(sweeper.timer_at() == t0 + 2 * kHour);

  f.clock.advance(kHour);
  sweeper.wake();
  f.drain(sweeper);
  CHECK(deleted == std::vector<std::int64_t>{first, second});
  CHECK(f.count("SELECT count(*) FROM jobs") == 1);
  CHECK(f.store.get(running).has_value());
  CHECK(sweeper.counters().jobs_deleted == 2);
  CHECK(sweeper.counters().results_deleted == 25);

  // Nothing due ever: the timer is off and the loop has nothing to run.
  CHECK_FALSE(sweeper.timer_at().has_value());
  CHECK_FALSE(sweeper.working());
  CHECK(sd_event_run(f.loop, 0) == 0);
}

TEST_CASE("keep_after_expiry: per endpoint, else global, also for endpoints no longer configured") {
  Fixture f;
  const Millis t0 = f.now();
  const auto ttd = f.finished("ttd", "1", t0 + 10 * kMinute);
  const auto prism = f.finished("prism", "2", t0 + 10 * kMinute);
  const auto gone = f.finished("removed", "3", t0 + 10 * kMinute);

  auto p = policy(kHour);
  p.endpoint_grace["ttd"] = 0;
  p.endpoint_grace["prism"] = 2 * kHour;
  Sweeper sweeper(f.loop, f.store, f.clock);
  sweeper.configure(p);
  f.drain(sweeper);
  CHECK(sweeper.timer_at() == t0 + 10 * kMinute);

  f.clock.advance(10 * kMinute);
  sweeper.wake();
  f.drain(sweeper);
  CHECK_FALSE(f.store.get(ttd));
  CHECK(f.store.get(gone));
  CHECK(sweeper.timer_at() == t0 + 10 * kMinute + kHour);

  f.clock.advance(kHour - 1);
  sweeper.wake();
  f.drain(sweeper);
  CHECK(f.store.get(gone));  // one millisecond early
  f.clock.advance(1);
  sweeper.wake();
  f.drain(sweeper);
  CHECK_FALSE(f.store.get(gone));
  CHECK(f.store.get(prism));
  CHECK(sweeper.timer_at() == t0 + 10 * kMinute + 2 * kHour);

  f.clock.advance(kHour);
  sweeper.wake();
  f.drain(sweeper);
  CHECK_FALSE(f.store.get(prism));
  CHECK_FALSE(sweeper.timer_at());
}

TEST_CASE("a job with 100k result rows is deleted over several bounded steps") {
  Fixture f;
  const Millis t0 = f.now();
  const auto big = f.finished("prism", "big", t0, 100'000);
  for (int i = 0; i < 450; ++i) f.finished("ttd", fmt::format("small-{}", i), t0);
  const auto pages_before = f.count("PRAGMA page_count");

  SweepLimits limits;
  limits.budget = std::chrono::hours(1);  // count work, not time, so the test is deterministic
  Sweeper sweeper(f.loop, f.store, f.clock, limits);
  sweeper.configure(policy());

  // After one step the job is still there with fewer rows; a reader sees a
  // consistent, shrinking job, never a job row gone with rows left behind.
  REQUIRE(sd_event_run(f.loop, 0) > 0);
  auto job = f.store.get(big);
  REQUIRE(job);
  CHECK(job->results_stored == 90'000);
  CHECK(f.count(fmt::format("SELECT count(*) FROM import_results WHERE job_id = {}", big)) ==
        90'000);

  const int steps = 1 + f.drain(sweeper);
  // 100k rows at 10k per step, then 450 jobs at 200 per step, then vacuuming.
  CHECK(steps >= 10 + 3);
  CHECK_FALSE(f.store.get(big));
  CHECK(f.count("SELECT count(*) FROM jobs") == 0);
  CHECK(f.count("SELECT count(*) FROM import_results") == 0);
  CHECK(sweeper.counters().jobs_deleted == 451);
  CHECK(sweeper.counters().results_deleted == 100'000);

  // The freed pages went back to the file system; the WAL was checkpointed.
  CHECK(sweeper.counters().pages_vacuumed > 0);
  CHECK(f.store.free_pages() == 0);
  CHECK(f.count("PRAGMA page_count") < pages_before / 4);
  CHECK(sweeper.counters().checkpoints >= 1);
}

TEST_CASE("the time budget ends a step early") {
  Fixture f;
  const Millis t0 = f.now();
  for (int i = 0; i < 100; ++i) f.finished("ttd", fmt::format("{}", i), t0);
  SweepLimits limits;
  limits.budget = std::chrono::milliseconds(0);  // spent at once: one job per step at most
  Sweeper sweeper(f.loop, f.store, f.clock, limits);
  sweeper.configure(policy());
  REQUIRE(sd_event_run(f.loop, 0) > 0);
  CHECK(f.count("SELECT count(*) FROM jobs") == 100);  // spent before the first job
  CHECK(sweeper.working());
}

TEST_CASE("polls older than poll_retention are pruned in batches; pruning waits for a slack") {
  Fixture f;
  const Millis t0 = f.now();
  SampleJob active;
  active.remote_id = "polled";
  active.submitted_at = t0;
  active.polls = 1000;  // one a second from t0
  add_job(f.store, active);

  SweepLimits limits;
  limits.polls = 10;
  Sweeper sweeper(f.loop, f.store, f.clock, limits);
  sweeper.configure(policy(0, kHour));
  f.drain(sweeper);
  CHECK(f.count("SELECT count(*) FROM polls") == 1000);
  // Armed for the oldest poll's retention plus a slack of a tenth of it.
  CHECK(sweeper.timer_at() == t0 + kHour + 6 * kMinute);

  // Past retention but within the slack: a wake (a job finished) prunes nothing.
  f.clock.advance(kHour + 5 * kMinute);
  sweeper.wake();
  f.drain(sweeper);
  CHECK(f.count("SELECT count(*) FROM polls") == 1000);

  f.clock.advance(2 * kMinute);  // polls started before t0 + 420 s are too old
  sweeper.wake();
  const int steps = f.drain(sweeper);
  CHECK(steps >= 42);
  CHECK(f.count("SELECT count(*) FROM polls") == 580);
  CHECK(f.count("SELECT min(started_at) FROM polls") == t0 + 420'000);
  CHECK(sweeper.counters().polls_pruned == 420);
  CHECK(sweeper.timer_at() == t0 + 420'000 + kHour + 6 * kMinute);
}

TEST_CASE("the timer really fires when the earliest expiry comes") {
  Fixture f;
  const Millis t0 = f.now();
  const auto job = f.finished("ttd", "soon", t0 + 100);
  SweepLimits limits;
  limits.timer_accuracy = std::chrono::milliseconds(1);
  Sweeper sweeper(f.loop, f.store, f.clock, limits);
  sweeper.configure(policy());
  f.drain(sweeper);
  REQUIRE(sweeper.timer_at() == t0 + 100);
  CHECK(f.store.get(job));

  f.clock.advance(100);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (f.store.get(job) && std::chrono::steady_clock::now() < deadline) {
    REQUIRE(sd_event_run(f.loop, 1'000'000) >= 0);
  }
  CHECK_FALSE(f.store.get(job));
  CHECK_FALSE(sweeper.timer_at());
}

TEST_CASE("a job finishing wakes the sweeper so an earlier expiry re-arms the timer") {
  Fixture f;
  const Millis t0 = f.now();
  f.finished("ttd", "late", t0 + kDay);
  Sweeper sweeper(f.loop, f.store, f.clock);
  sweeper.configure(policy());
  f.drain(sweeper);
  CHECK(sweeper.timer_at() == t0 + kDay);

  f.finished("ttd", "early", t0 + kHour);
  sweeper.wake();
  f.drain(sweeper);
  CHECK(sweeper.timer_at() == t0 + kHour);
}
