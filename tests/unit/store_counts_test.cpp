// The counts the Store keeps itself (count_deltas.h) against what a full
// scan of the tables says, through every kind of write, batch and failure.
#include <map>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "daemon/store.h"
#include "tests/unit/sample_jobs.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Job;
using jobtrack::State;
using jobtrack::Store;
using jobtrack::StoreCounters;
using jobtrack::Transition;
using jobtrack::test::ScratchDir;

namespace {

Job job_in(const std::string& remote_id, State state, const std::string& endpoint = "prism") {
  Job job;
  job.endpoint = endpoint;
  job.remote_id = remote_id;
  job.state = state;
  job.submitted_at = 1000;
  job.next_poll_at = 1000;
  return job;
}

Transition to(State state, jobtrack::Millis at = 1000) {
  Transition t;
  t.at = at;
  t.to = state;
  return t;
}

// What count(*) over the tables says, read on a connection of its own.
struct Scanned {
  std::map<std::string, std::int64_t> jobs;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> endpoints;  // all, active
  std::int64_t transitions = 0;
};

Scanned scan(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  Scanned scanned;
  SQLite::Statement by_state(db, "SELECT state, count(*) FROM jobs GROUP BY state");
  while (by_state.executeStep())
    scanned.jobs[by_state.getColumn(0).getString()] = by_state.getColumn(1).getInt64();
  SQLite::Statement by_endpoint(db,
                                "SELECT endpoint, count(*), "
                                "count(*) FILTER (WHERE state IN ('queued', 'running')) "
                                "FROM jobs GROUP BY endpoint");
  while (by_endpoint.executeStep()) {
    scanned.endpoints[by_endpoint.getColumn(0).getString()] = {by_endpoint.getColumn(1).getInt64(),
                                                               by_endpoint.getColumn(2).getInt64()};
  }
  scanned.transitions = db.execAndGet("SELECT count(*) FROM transitions").getInt64();
  return scanned;
}

// The counters agree with a scan of the committed tables.
void check_exact(Store& store, const std::string& path) {
  const StoreCounters counters = store.counters();
  const Scanned scanned = scan(path);
  std::int64_t total = 0;
  for (const auto& [state, number] : counters.by_state) {
    const auto it = scanned.jobs.find(std::string(jobtrack::to_string(state)));
    INFO("state " << jobtrack::to_string(state));
    CHECK(number == (it == scanned.jobs.end() ? 0 : it->second));
    total += number;
  }
  CHECK(counters.jobs_total == total);
  CHECK(counters.transitions_total == scanned.transitions);
  for (const auto& [endpoint, numbers] : scanned.endpoints) {
    INFO("endpoint " << endpoint);
    CHECK(store.count_jobs(endpoint, false) == numbers.first);
    CHECK(store.count_jobs(endpoint, true) == numbers.second);
  }
}

std::int64_t in_state(Store& store, State state) {
  for (const auto& [s, number] : store.counters().by_state)
    if (s == state) return number;
  return -1;
}

}  // namespace

TEST_CASE("counts follow inserts, state changes by either update_job and deletes") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  auto a = job_in("a", State::queued);
  a.id = store.insert_job(a, to(State::queued));
  auto b = job_in("b", State::running);
  b.id = store.insert_job(b, to(State::running));
  check_exact(store, path);

  auto a_running = a;
  a_running.state = State::running;
  REQUIRE(store.update_job(a, a_running));
  store.insert_transition(a.id, to(State::running, 2000));
  CHECK(in_state(store, State::running) == 2);
  check_exact(store, path);

  auto b_failed = b;
  b_failed.state = State::failed;
  REQUIRE(store.update_job(b_failed));
  REQUIRE(store.update_job(b_failed));  // the same state again: counted once
  CHECK(in_state(store, State::failed) == 1);
  check_exact(store, path);

  auto a_polled = a_running;  // no state change: the count stays
  a_polled.poll_count = 3;
  REQUIRE(store.update_job(a_running, a_polled));
  check_exact(store, path);

  REQUIRE(store.delete_job(b.id));
  CHECK(in_state(store, State::failed) == 0);
  CHECK(store.counters().transitions_total == 2);
  check_exact(store, path);
}

TEST_CASE("a batch's counts are seen inside it and written at its commit") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  store.begin_batch();
  auto job = job_in("a", State::queued);
  job.id = store.insert_job(job, to(State::queued));
  auto done = job;
  done.state = State::succeeded;
  REQUIRE(store.update_job(job, done));
  store.insert_transition_of_present_job(job.id, to(State::succeeded, 2000));
  const auto inside = store.counters();
  CHECK(inside.jobs_total == 1);
  CHECK(inside.jobs_active == 0);
  CHECK(inside.transitions_total == 2);
  CHECK(scan(path).transitions == 0);  // nothing committed yet
  store.commit_batch();
  check_exact(store, path);
  CHECK(in_state(store, State::succeeded) == 1);
}

TEST_CASE("a rolled-back batch takes its counts with it") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  auto kept = job_in("kept", State::running);
  kept.id = store.insert_job(kept, to(State::running));
  store.begin_batch();
  store.insert_job(job_in("lost", State::queued), to(State::queued));
  auto failed = kept;
  failed.state = State::failed;
  REQUIRE(store.update_job(kept, failed));
  store.rollback_batch();
  CHECK(in_state(store, State::running) == 1);
  CHECK(in_state(store, State::failed) == 0);
  CHECK(store.counters().jobs_total == 1);
  check_exact(store, path);

  store.begin_batch();  // the next batch starts from the committed counts
  store.insert_job(job_in("next", State::queued), to(State::queued));
  store.commit_batch();
  check_exact(store, path);
  CHECK(store.counters().jobs_total == 2);
}

TEST_CASE("a write that fails inside a batch adds nothing to the counts") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  store.begin_batch();
  store.insert_job(job_in("a", State::queued), to(State::queued));
  // The same (endpoint, remote_id) again breaks the unique constraint.
  CHECK_THROWS(store.insert_job(job_in("a", State::running), to(State::running)));
  REQUIRE(store.in_batch());
  store.commit_batch();
  check_exact(store, path);
  CHECK(store.counters().jobs_total == 1);
  CHECK(in_state(store, State::running) == 0);
}

TEST_CASE("writes about a job that is gone change no count") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  auto job = job_in("a", State::running);
  job.id = store.insert_job(job, to(State::running));
  REQUIRE(store.delete_job(job.id));
  auto done = job;
  done.state = State::succeeded;
  CHECK_FALSE(store.update_job(job, done));
  CHECK_FALSE(store.update_job(done));
  store.insert_transition(job.id, to(State::succeeded));
  CHECK_FALSE(store.delete_job(job.id));
  check_exact(store, path);
  CHECK(store.counters().jobs_total == 0);
  CHECK(store.counters().transitions_total == 0);
}

TEST_CASE("another connection's writes are counted by the schema's triggers") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  const auto id = store.insert_job(job_in("a", State::queued), to(State::queued));
  {
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    other.exec("UPDATE jobs SET state = 'cancelled' WHERE id = " + std::to_string(id));
    other.exec(
        "INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, submitted_at) "
        "VALUES ('prism', 'b', 'running', 0, 1000)");
  }
  CHECK(in_state(store, State::cancelled) == 1);
  CHECK(in_state(store, State::running) == 1);
  check_exact(store, path);
  REQUIRE(store.delete_job(id));
  check_exact(store, path);
}

TEST_CASE("sample jobs with transitions, polls and results keep exact counts once deleted") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  jobtrack::test::SampleJob sample;
  sample.remote_id = "imp_1";
  sample.finished_at = 5000;
  sample.rows = 30;
  sample.polls = 4;
  const auto id = jobtrack::test::add_job(store, sample);
  sample.remote_id = "imp_2";
  jobtrack::test::add_job(store, sample);
  check_exact(store, path);
  REQUIRE(store.delete_job(id));
  check_exact(store, path);
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  const auto orphans = [&](const std::string& table) {
    return db
        .execAndGet("SELECT count(*) FROM " + table + " WHERE job_id NOT IN (SELECT id FROM jobs)")
        .getInt64();
  };
  CHECK(orphans("transitions") == 0);
  CHECK(orphans("polls") == 0);
  CHECK(orphans("import_results") == 0);
}

TEST_CASE("each endpoint's jobs are counted apart, all and active, inside a batch too") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  auto a = job_in("1", State::queued, "a");
  a.id = store.insert_job(a, to(State::queued));
  auto b = job_in("1", State::running, "b");  // the same remote id on another endpoint
  b.id = store.insert_job(b, to(State::running));
  store.insert_job(job_in("2", State::succeeded, "b"), to(State::succeeded));
  check_exact(store, path);
  CHECK(store.count_jobs("a", true) == 1);
  CHECK(store.count_jobs("b", false) == 2);
  CHECK(store.count_jobs("b", true) == 1);
  CHECK(store.count_jobs("c", false) == 0);

  store.begin_batch();
  auto b_done = b;
  b_done.state = State::failed;
  REQUIRE(store.update_job(b, b_done));
  store.insert_job(job_in("3", State::queued, "c"), to(State::queued));
  CHECK(store.count_jobs("b", true) == 0);  // the open batch's own changes
  CHECK(store.count_jobs("b", false) == 2);
  CHECK(store.count_jobs("c", true) == 1);
  CHECK(store.count_jobs("a", true) == 1);
  store.commit_batch();
  check_exact(store, path);
}

TEST_CASE("a state change from a stale snapshot moves the count from the stored state") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  auto job = job_in("a", State::queued);
  job.id = store.insert_job(job, to(State::queued));
  {
    // Another writer moves the job on after our snapshot was read.
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    other.exec("UPDATE jobs SET state = 'running' WHERE id = " + std::to_string(job.id));
  }
  auto done = job;  // the snapshot still says queued
  done.state = State::succeeded;
  REQUIRE(store.update_job(job, done));
  CHECK(in_state(store, State::queued) == 0);
  CHECK(in_state(store, State::running) == 0);
  CHECK(in_state(store, State::succeeded) == 1);
  check_exact(store, path);
}
