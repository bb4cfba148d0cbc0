// A week of simulated churn: jobs arrive, finish with result rows and
// expire a day later. Once the first expiries are swept, the database and
// its WAL stop growing.
#include <systemd/sd-event.h>

#include <iostream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "daemon/sweeper.h"
#include "tests/unit/sample_jobs.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Millis;
using jobtrack::Store;
using jobtrack::Sweeper;
using jobtrack::test::ScratchDir;

TEST_CASE("a week of churn keeps the database and WAL size flat after the first expiries") {
  constexpr Millis kMinute = 60'000;
  constexpr Millis kDay = 24 * 60 * kMinute;
  constexpr Millis kTick = 10 * kMinute;
  constexpr int kTicks = 7 * 24 * 6;   // a week of 10-minute ticks
  constexpr int kJobsPerTick = 20;     // 20,160 jobs in all
  constexpr int kSampleEvery = 6 * 6;  // every 6 simulated hours

  ScratchDir dir;
  Store store(dir.file("jobtrack.db"));
  jobtrack::ManualClock clock(1'700'000'000'000, jobtrack::test::real_monotonic());
  sd_event* loop = nullptr;
  REQUIRE(sd_event_new(&loop) >= 0);
  Sweeper sweeper(loop, store, clock);
  jobtrack::SweepPolicy policy;
  policy.poll_retention = kDay;
  sweeper.configure(policy);

  std::vector<std::int64_t> samples;  // bytes of database + WAL
  std::int64_t jobs = 0;
  for (int tick = 1; tick <= kTicks; ++tick) {
    store.begin_batch();
    for (int i = 0; i < kJobsPerTick; ++i) {
      jobtrack::test::SampleJob sample;
      sample.endpoint = i % 2 == 0 ? "prism" : "ttd";
      sample.remote_id = fmt::format("{}", jobs++);
      sample.submitted_at = clock.wall() - 5 * kMinute;
      sample.finished_at = clock.wall();
      sample.expires_at = clock.wall() + kDay;
      sample.rows = 50;
      sample.polls = 3;
      jobtrack::test::add_job(store, sample);
    }
    store.commit_batch();
    clock.advance(kTick);
    // What the timer does when the earliest expiry comes.
    if (sweeper.timer_at() && *sweeper.timer_at() <= clock.wall()) sweeper.wake();
    while (sweeper.working()) REQUIRE(sd_event_run(loop, 0) >= 0);
    if (tick % kSampleEvery == 0) samples.push_back(store.file_bytes());
  }
  sd_event_unref(loop);

  SQLite::Database db(store.path(), SQLite::OPEN_READONLY);
  const auto held = db.execAndGet("SELECT count(*) FROM jobs").getInt64();
  std::cout << fmt::format(
      "churn: {} jobs tracked, {} deleted, {} held; database+WAL bytes every 6 h: ", jobs,
      sweeper.counters().jobs_deleted, held);
  for (const auto bytes : samples) std::cout << bytes / 1024 << "K ";
  std::cout << "\n";

  // About a day of jobs is held: those finished within keep_finished.
  CHECK(held <= 24 * 6 * kJobsPerTick + kJobsPerTick);
  CHECK(sweeper.counters().jobs_deleted == jobs - held);
  CHECK(db.execAndGet("SELECT count(*) FROM polls").getInt64() <= (held + kJobsPerTick * 20) * 3);
  const auto day2 = samples[2 * 4 - 1];
  INFO("day 2: " << day2 << " bytes, last: " << samples.back() << " bytes");
  CHECK(static_cast<double>(samples.back()) <= 1.3 * static_cast<double>(day2));
}
