// The scheduler's clock against wall-clock jumps, on a real sd-event loop:
// next_poll_at lives on "wall time at start + monotonic time since", so a
// jump of the wall clock neither makes a job due early nor holds a due one
// back. The ManualClock starts at the real monotonic time, so the
// scheduler's sd-event timers (on CLOCK_MONOTONIC) mean what they say.
#include <systemd/sd-event.h>

#include <memory>

#include <catch2/catch.hpp>

#include "daemon/clock.h"
#include "daemon/config.h"
#include "daemon/endpoints.h"
#include "daemon/poller.h"
#include "daemon/scheduler.h"
#include "daemon/store.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Job;
using jobtrack::ManualClock;
using jobtrack::Millis;
using jobtrack::Poller;
using jobtrack::Scheduler;
using jobtrack::State;
using jobtrack::Store;
using jobtrack::SystemClock;
using jobtrack::Transition;
using jobtrack::test::ScratchDir;

namespace {

constexpr Millis kTwoHours = 2LL * 3600 * 1000;

// One endpoint whose base URL refuses connections: a dispatched poll shows
// as in flight, then as a failed poll; nothing leaves the machine.
struct Rig {
  ScratchDir dir;
  sd_event* loop = nullptr;
  ManualClock clock{1'700'000'000'000, SystemClock().monotonic()};
  std::unique_ptr<Store> store;
  std::unique_ptr<Poller> poller;
  std::unique_ptr<Scheduler> scheduler;

  Rig() {
    REQUIRE(sd_event_new(&loop) >= 0);
    store = std::make_unique<Store>(dir.file("jobtrack.db"));
    poller = std::make_unique<Poller>(loop);
    scheduler = std::make_unique<Scheduler>(loop, *store, *poller, clock);
    auto config = jobtrack::parse_config(R"(
[endpoints.api]
provider = "prism"
base_url = "http://127.0.0.1:1/prism"
team_id = "team1"
token = { env = "JOBTRACK_UNIT_NO_TOKEN" }
poll_initial = "10s"
)",
                                         "test.toml");
    REQUIRE(config);
    auto endpoints = jobtrack::build_endpoints(*config, jobtrack::ResolveTokens::no);
    REQUIRE(endpoints);
    scheduler->set_endpoints(std::move(*endpoints));
  }
  ~Rig() {
    scheduler.reset();
    poller.reset();
    store.reset();
    sd_event_unref(loop);
  }
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;

  // A job due `in` milliseconds from now on the scheduler's clock.
  std::int64_t track(Millis in) {
    Job job;
    job.endpoint = "api";
    job.remote_id = "job1";
    job.submitted_at = clock.wall();
    job.next_poll_at = scheduler->now() + in;
    Transition first;
    first.at = clock.wall();
    first.to = State::queued;
    std::int64_t id = store->insert_job(job, first);
    scheduler->wake_soon();
    return id;
  }

  // Runs whatever the loop has ready now, without waiting; commits.
  void spin() {
    for (int i = 0; i < 50 && sd_event_run(loop, 0) > 0; ++i) {
    }
    store->commit_batch();
  }

  bool polled(std::int64_t id) {
    return scheduler->in_flight() > 0 || store->get(id)->poll_count > 0;
  }
};

}  // namespace

TEST_CASE("a wall-clock jump ahead does not change the scheduler's clock") {
  Rig rig;
  Millis before = rig.scheduler->now();
  rig.clock.jump_wall(kTwoHours);
  CHECK(rig.scheduler->now() == before);
  rig.clock.jump_wall(-2 * kTwoHours);
  CHECK(rig.scheduler->now() == before);
}

TEST_CASE("a wall-clock jump ahead makes no job due early") {
  Rig rig;
  std::int64_t id = rig.track(10'000);
  rig.spin();
  REQUIRE_FALSE(rig.polled(id));
  rig.clock.jump_wall(kTwoHours);
  rig.spin();
  CHECK_FALSE(rig.polled(id));
  rig.clock.advance(10'000);
  rig.scheduler->wake_soon();
  rig.spin();
  CHECK(rig.polled(id));
}

TEST_CASE("a wall-clock jump back holds no due job back") {
  Rig rig;
  std::int64_t id = rig.track(10'000);
  rig.spin();
  REQUIRE_FALSE(rig.polled(id));
  rig.clock.jump_wall(-kTwoHours);
  rig.clock.advance(10'000);
  rig.scheduler->wake_soon();
  rig.spin();
  CHECK(rig.polled(id));
}
