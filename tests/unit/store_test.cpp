#include "daemon/store.h"

#include <functional>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "tests/unit/scratch_dir.h"

using jobtrack::Job;
using jobtrack::ListFilter;
using jobtrack::PollRecord;
using jobtrack::RowResult;
using jobtrack::State;
using jobtrack::Store;
using jobtrack::StoreError;
using jobtrack::Transition;
using jobtrack::test::ScratchDir;

namespace {

Job make_job(const std::string& endpoint, const std::string& remote_id,
             jobtrack::Millis submitted_at = 1000) {
  Job job;
  job.endpoint = endpoint;
  job.remote_id = remote_id;
  job.submitted_at = submitted_at;
  job.next_poll_at = submitted_at;
  return job;
}

// Every field set to something other than its default.
Job full_job() {
  Job job;
  job.endpoint = "prism-eu";
  job.remote_id = "imp_42";
  job.label = "nightly import";
  job.state = State::running;
  job.remote_status = "processing";
  job.progress = 37.5;
  job.total = 1000;
  job.processed = 375;
  job.succeeded = 370;
  job.failed = 5;
  job.result_url = "https://example.test/results/42";
  job.error_code = "E_ROW";
  job.error_message = "five rows failed";
  job.detail_json = R"({"new_task":{"gid":"12"}})";
  job.submitter_uid = 4'000'000'000U;  // above INT32_MAX: uid_t is unsigned
  job.submitted_at = 1'700'000'000'000;
  job.remote_created_at = 1'699'999'999'000;
  job.updated_at = 1'700'000'001'000;
  job.finished_at = 1'700'000'002'000;
  job.expires_at = 1'700'604'800'000;
  job.deadline_at = 1'700'003'600'000;
  job.next_poll_at = 1'700'000'003'000;
  job.last_polled_at = 1'700'000'001'500;
  job.poll_interval = 1500;
  job.poll_count = 7;
  job.consecutive_errors = 2;
  job.last_poll_error = "HTTP 503";
  job.seen = true;
  job.not_found_count = 1;
  return job;
}

void check_same(const Job& a, const Job& b) {
  CHECK(a.id == b.id);
  CHECK(a.endpoint == b.endpoint);
  CHECK(a.remote_id == b.remote_id);
  CHECK(a.label == b.label);
  CHECK(a.state == b.state);
  CHECK(a.remote_status == b.remote_status);
  CHECK(a.progress == b.progress);
  CHECK(a.total == b.total);
  CHECK(a.processed == b.processed);
  CHECK(a.succeeded == b.succeeded);
  CHECK(a.failed == b.failed);
  CHECK(a.result_url == b.result_url);
  CHECK(a.error_code == b.error_code);
  CHECK(a.error_message == b.error_message);
  CHECK(a.detail_json == b.detail_json);
  CHECK(a.submitter_uid == b.submitter_uid);
  CHECK(a.submitted_at == b.submitted_at);
  CHECK(a.remote_created_at == b.remote_created_at);
  CHECK(a.updated_at == b.updated_at);
  CHECK(a.finished_at == b.finished_at);
  CHECK(a.expires_at == b.expires_at);
  CHECK(a.deadline_at == b.deadline_at);
  CHECK(a.next_poll_at == b.next_poll_at);
  CHECK(a.last_polled_at == b.last_polled_at);
  CHECK(a.poll_interval == b.poll_interval);
  CHECK(a.poll_count == b.poll_count);
  CHECK(a.consecutive_errors == b.consecutive_errors);
  CHECK(a.last_poll_error == b.last_poll_error);
  CHECK(a.seen == b.seen);
  CHECK(a.not_found_count == b.not_found_count);
  CHECK(a.results_stored == b.results_stored);
}

Transition first_transition(jobtrack::Millis at = 1000) {
  Transition t;
  t.at = at;
  t.to = State::queued;
  return t;
}

std::int64_t count_rows(const std::string& path, const std::string& table) {
  SQLite::Database reader(path, SQLite::OPEN_READONLY);
  return reader.execAndGet("SELECT count(*) FROM " + table).getInt64();
}

RowResult ok_row(std::int64_t row) {
  RowResult r;
  r.row = row;
  r.record_id = "rec" + std::to_string(row);
  r.created = row % 2 == 0;
  r.existing = row % 2 != 0;
  return r;
}

RowResult error_row(std::int64_t row) {
  RowResult r;
  r.row = row;
  r.error_code = "invalid_email";
  r.error_message = "row " + std::to_string(row) + " has no valid email";
  return r;
}

std::vector<std::int64_t> ids_of(const std::vector<Job>& jobs) {
  std::vector<std::int64_t> ids;
  for (const auto& job : jobs) ids.push_back(job.id);
  return ids;
}

PollRecord make_poll(std::int64_t job_id, jobtrack::Millis started_at, std::string outcome) {
  PollRecord poll;
  poll.job_id = job_id;
  poll.endpoint = "e";
  poll.started_at = started_at;
  poll.latency = 12;
  poll.http_status = outcome == "ok" ? 200 : 503;
  poll.outcome = std::move(outcome);
  return poll;
}

}  // namespace

TEST_CASE("insert_job then get and find return every field as written") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  auto job = full_job();
  job.id = store.insert_job(job, first_transition());
  CHECK(job.id > 0);

  const auto by_id = store.get(job.id);
  REQUIRE(by_id);
  check_same(*by_id, job);
  const auto by_remote = store.find("prism-eu", "imp_42");
  REQUIRE(by_remote);
  check_same(*by_remote, job);

  CHECK_FALSE(store.get(job.id + 1));
  CHECK_FALSE(store.find("prism-eu", "imp_43"));
  CHECK_FALSE(store.find("other", "imp_42"));
}

TEST_CASE("a job with every optional field empty round-trips as empty") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  Job job;
  job.endpoint = "e";
  job.remote_id = "1";
  job.id = store.insert_job(job, first_transition());
  const auto read = store.get(job.id);
  REQUIRE(read);
  check_same(*read, job);
}

TEST_CASE("update_job rewrites every mutable field and keeps the job's identity") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  auto job = full_job();
  job.id = store.insert_job(job, first_transition());

  auto changed = job;
  changed.label = std::nullopt;
  changed.state = State::partial;
  changed.remote_status = "complete";
  changed.progress = 100.0;
  changed.total = 1001;
  changed.processed = 1001;
  changed.succeeded = 990;
  changed.failed = 11;
  changed.result_url = std::nullopt;
  changed.error_code = std::nullopt;
  changed.error_message = "eleven rows failed";
  changed.detail_json = std::nullopt;
  changed.remote_created_at = std::nullopt;
  changed.updated_at = 1'700'000'009'000;
  changed.finished_at = 1'700'000'009'500;
  changed.expires_at = std::nullopt;
  changed.deadline_at = std::nullopt;
  changed.next_poll_at = std::nullopt;
  changed.last_polled_at = 1'700'000'009'000;
  changed.poll_interval = 60'000;
  changed.poll_count = 8;
  changed.consecutive_errors = 0;
  changed.last_poll_error = std::nullopt;
  changed.seen = false;
  changed.not_found_count = 0;
  store.update_job(changed);

  const auto read = store.get(job.id);
  REQUIRE(read);
  check_same(*read, changed);

  SECTION("the identity columns are not rewritten") {
    auto renamed = changed;
    renamed.endpoint = "elsewhere";
    renamed.remote_id = "other";
    renamed.submitter_uid = 0;
    renamed.submitted_at = 1;
    store.update_job(renamed);
    const auto again = store.get(job.id);
    REQUIRE(again);
    CHECK(again->endpoint == "prism-eu");
    CHECK(again->remote_id == "imp_42");
    CHECK(again->submitter_uid == 4'000'000'000U);
    CHECK(again->submitted_at == 1'700'000'000'000);
  }
  SECTION("results_stored belongs to replace_results, not to update_job") {
    store.replace_results(job.id, {ok_row(0), ok_row(1)});
    auto stale = changed;
    stale.results_stored = 0;
    store.update_job(stale);
    CHECK(store.get(job.id)->results_stored == 2);
  }
}

TEST_CASE("writes about a job that no longer exists are ignored") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  auto job = make_job("e", "1");
  job.id = store.insert_job(job, first_transition());
  REQUIRE(store.delete_job(job.id));

  job.state = State::running;
  CHECK_NOTHROW(store.update_job(job));
  CHECK_NOTHROW(store.insert_transition(job.id, first_transition(2000)));
  CHECK_NOTHROW(store.replace_results(job.id, {ok_row(0)}));
  CHECK_NOTHROW(store.insert_poll(make_poll(job.id, 2000, "ok")));
  CHECK_FALSE(store.get(job.id));
  CHECK(count_rows(path, "transitions") == 0);
  CHECK(count_rows(path, "import_results") == 0);
  CHECK(count_rows(path, "polls") == 0);
}

TEST_CASE("endpoint and remote_id identify a job uniquely") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  store.insert_job(make_job("e", "1"), first_transition());

  CHECK_THROWS_AS(store.insert_job(make_job("e", "1"), first_transition()), StoreError);
  CHECK_NOTHROW(store.insert_job(make_job("other", "1"), first_transition()));
  CHECK_NOTHROW(store.insert_job(make_job("e", "2"), first_transition()));
  CHECK(count_rows(path, "jobs") == 3);
  CHECK(count_rows(path, "transitions") == 3);  // the refused insert left no transition behind
}

TEST_CASE("a refused insert inside a batch keeps the batch's earlier writes") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  store.begin_batch();
  const auto id = store.insert_job(make_job("e", "1"), first_transition());
  CHECK_THROWS_AS(store.insert_job(make_job("e", "1"), first_transition()), StoreError);
  CHECK(store.in_batch());
  store.commit_batch();
  CHECK(store.get(id));
  CHECK(count_rows(path, "jobs") == 1);
  CHECK(count_rows(path, "transitions") == 1);
}

TEST_CASE("job ids are never reused after a delete") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto first = store.insert_job(make_job("e", "1"), first_transition());
  REQUIRE(store.delete_job(first));
  const auto second = store.insert_job(make_job("e", "1"), first_transition());
  CHECK(second > first);
}

TEST_CASE("history lists transitions by time, then by insertion for equal times") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto id = store.insert_job(make_job("e", "1"), first_transition(1000));

  Transition late;
  late.at = 5000;
  late.from = State::running;
  late.to = State::succeeded;
  late.remote_status = "complete";
  late.progress = 100.0;
  late.detail = "done";
  Transition running_a;
  running_a.at = 3000;
  running_a.from = State::queued;
  running_a.to = State::running;
  running_a.remote_status = "processing";
  running_a.progress = 10.0;
  Transition running_b = running_a;  // same time, different remote status
  running_b.from = State::running;
  running_b.remote_status = "processing-2";
  store.insert_transition(id, late);
  store.insert_transition(id, running_a);
  store.insert_transition(id, running_b);

  const auto history = store.history(id);
  REQUIRE(history.size() == 4);
  CHECK(history[0].at == 1000);
  CHECK_FALSE(history[0].from);
  CHECK(history[0].to == State::queued);
  CHECK_FALSE(history[0].remote_status);
  CHECK_FALSE(history[0].progress);
  CHECK_FALSE(history[0].detail);
  CHECK(history[1].remote_status == "processing");
  CHECK(history[1].from == State::queued);
  CHECK(history[2].remote_status == "processing-2");
  CHECK(history[3].at == 5000);
  CHECK(history[3].from == State::running);
  CHECK(history[3].to == State::succeeded);
  CHECK(history[3].progress == 100.0);
  CHECK(history[3].detail == "done");

  CHECK(store.history(id + 1).empty());
}

TEST_CASE("replace_results stores the rows, sets results_stored and drops earlier rows") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  const auto id = store.insert_job(make_job("e", "1"), first_transition());
  const auto other = store.insert_job(make_job("e", "2"), first_transition());
  store.replace_results(other, {ok_row(0)});

  store.replace_results(id, {ok_row(0), ok_row(1), error_row(2), ok_row(3)});
  CHECK(store.get(id)->results_stored == 4);
  auto page = store.results(id, std::nullopt, 10, false);
  REQUIRE(page.rows.size() == 4);
  CHECK(page.rows[0].record_id == "rec0");
  CHECK(page.rows[0].created == true);
  CHECK(page.rows[0].existing == false);
  CHECK_FALSE(page.rows[0].error_code);
  CHECK(page.rows[1].created == false);
  CHECK(page.rows[1].existing == true);
  CHECK_FALSE(page.rows[2].record_id);
  CHECK_FALSE(page.rows[2].created);
  CHECK_FALSE(page.rows[2].existing);
  CHECK(page.rows[2].error_code == "invalid_email");
  CHECK(page.rows[2].error_message == "row 2 has no valid email");

  store.replace_results(id, {error_row(0), ok_row(1)});
  CHECK(store.get(id)->results_stored == 2);
  page = store.results(id, std::nullopt, 10, false);
  REQUIRE(page.rows.size() == 2);
  CHECK(page.rows[0].error_code == "invalid_email");
  CHECK(page.total == 2);

  store.replace_results(id, {});
  CHECK(store.get(id)->results_stored == 0);
  CHECK(store.results(id, std::nullopt, 10, false).rows.empty());
  CHECK(store.results(other, std::nullopt, 10, false).rows.size() == 1);  // other jobs untouched
}

TEST_CASE("results pages through rows with after_row and limit; next_row is null at the end") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto id = store.insert_job(make_job("e", "1"), first_transition());
  std::vector<RowResult> rows;
  for (std::int64_t i = 0; i < 7; ++i) rows.push_back(i % 3 == 1 ? error_row(i) : ok_row(i));
  store.replace_results(id, rows);  // errors at rows 1 and 4

  auto page = store.results(id, std::nullopt, 3, false);
  CHECK(page.total == 7);
  REQUIRE(page.rows.size() == 3);
  CHECK(page.rows.front().row == 0);
  CHECK(page.next_row == 2);

  page = store.results(id, page.next_row, 3, false);
  REQUIRE(page.rows.size() == 3);
  CHECK(page.rows.front().row == 3);
  CHECK(page.next_row == 5);

  page = store.results(id, page.next_row, 3, false);
  REQUIRE(page.rows.size() == 1);
  CHECK(page.rows.front().row == 6);
  CHECK_FALSE(page.next_row);
  CHECK(page.total == 7);

  SECTION("a page that ends exactly at the last row has no next_row") {
    const auto exact = store.results(id, 3, 3, false);
    CHECK(exact.rows.size() == 3);
    CHECK_FALSE(exact.next_row);
  }
  SECTION("errors_only returns and counts only rows with an error") {
    auto errors = store.results(id, std::nullopt, 1, true);
    CHECK(errors.total == 2);
    REQUIRE(errors.rows.size() == 1);
    CHECK(errors.rows[0].row == 1);
    CHECK(errors.next_row == 1);
    errors = store.results(id, errors.next_row, 1, true);
    REQUIRE(errors.rows.size() == 1);
    CHECK(errors.rows[0].row == 4);
    CHECK_FALSE(errors.next_row);
  }
  SECTION("after the last row the page is empty") {
    const auto past = store.results(id, 6, 3, false);
    CHECK(past.rows.empty());
    CHECK_FALSE(past.next_row);
    CHECK(past.total == 7);
  }
  SECTION("an unknown job has no rows") {
    const auto none = store.results(id + 100, std::nullopt, 3, false);
    CHECK(none.rows.empty());
    CHECK(none.total == 0);
    CHECK_FALSE(none.next_row);
  }
}

TEST_CASE("delete_job removes the job's transitions, results and polls") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  const auto id = store.insert_job(make_job("e", "1"), first_transition());
  const auto kept = store.insert_job(make_job("e", "2"), first_transition());
  store.insert_transition(id, first_transition(2000));
  store.replace_results(id, {ok_row(0), error_row(1)});
  store.insert_poll(make_poll(id, 2000, "ok"));
  store.insert_poll(make_poll(kept, 2000, "ok"));

  CHECK(store.delete_job(id));
  CHECK_FALSE(store.get(id));
  CHECK(store.history(id).empty());
  CHECK(count_rows(path, "transitions") == 1);
  CHECK(count_rows(path, "import_results") == 0);
  CHECK(count_rows(path, "polls") == 1);
  CHECK(store.get(kept));

  CHECK_FALSE(store.delete_job(id));
}

TEST_CASE(
    "due returns active jobs of the endpoint due by now, earliest first, with limit and exclude") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  auto add = [&](const std::string& endpoint, const std::string& remote_id,
                 std::optional<jobtrack::Millis> next, State state = State::running) {
    auto job = make_job(endpoint, remote_id);
    job.state = state;
    job.next_poll_at = next;
    return store.insert_job(job, first_transition());
  };
  const auto c = add("e", "c", 3000);
  const auto a = add("e", "a", 1000);
  const auto b = add("e", "b", 2000);
  const auto tie = add("e", "tie", 2000);
  add("e", "future", 9000);
  add("e", "unscheduled", std::nullopt);
  add("e", "terminal", 500, State::succeeded);
  add("other", "x", 100);
  const auto queued = add("e", "queued", 2500, State::queued);

  CHECK(ids_of(store.due("e", 3000, 10, {})) == std::vector<std::int64_t>{a, b, tie, queued, c});
  CHECK(ids_of(store.due("e", 2000, 10, {})) == std::vector<std::int64_t>{a, b, tie});
  CHECK(ids_of(store.due("e", 3000, 2, {})) == std::vector<std::int64_t>{a, b});
  CHECK(ids_of(store.due("e", 3000, 2, {a, tie})) == std::vector<std::int64_t>{b, queued});
  CHECK(store.due("e", 999, 10, {}).empty());
  CHECK(store.due("none", 99'999, 10, {}).empty());
  const auto full = store.due("e", 1000, 1, {});
  REQUIRE(full.size() == 1);
  CHECK(full[0].remote_id == "a");
}

TEST_CASE("next_due is the earliest next poll of active jobs, ignoring excluded ones") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  CHECK_FALSE(store.next_due("e", {}));

  auto terminal = make_job("e", "t");
  terminal.state = State::failed;
  terminal.next_poll_at = 10;
  store.insert_job(terminal, first_transition());
  auto unscheduled = make_job("e", "u");
  unscheduled.next_poll_at = std::nullopt;
  store.insert_job(unscheduled, first_transition());
  CHECK_FALSE(store.next_due("e", {}));

  auto early = make_job("e", "1");
  early.next_poll_at = 2000;
  const auto early_id = store.insert_job(early, first_transition());
  auto later = make_job("e", "2");
  later.next_poll_at = 5000;
  const auto later_id = store.insert_job(later, first_transition());
  auto elsewhere = make_job("other", "3");
  elsewhere.next_poll_at = 100;
  store.insert_job(elsewhere, first_transition());

  CHECK(store.next_due("e", {}) == 2000);
  CHECK(store.next_due("e", {early_id}) == 5000);
  CHECK_FALSE(store.next_due("e", {early_id, later_id}));
  CHECK(store.next_due("other", {}) == 100);
}

TEST_CASE("list filters by state, endpoint, label, terminal and submission time") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  auto add = [&](const std::string& endpoint, const std::string& remote_id, State state,
                 std::optional<std::string> label, jobtrack::Millis submitted_at) {
    auto job = make_job(endpoint, remote_id, submitted_at);
    job.state = state;
    job.label = std::move(label);
    return store.insert_job(job, first_transition());
  };
  const auto q = add("a", "q", State::queued, "nightly", 1000);
  const auto r = add("a", "r", State::running, std::nullopt, 2000);
  const auto s = add("b", "s", State::succeeded, "nightly", 3000);
  const auto f = add("b", "f", State::failed, "adhoc", 4000);
  const auto t = add("a", "t", State::timed_out, std::nullopt, 5000);

  auto list = [&](const std::function<void(ListFilter&)>& adjust) {
    ListFilter filter;
    filter.order = "id";
    adjust(filter);
    return ids_of(store.list(filter));
  };
  using Ids = std::vector<std::int64_t>;
  CHECK(list([](ListFilter&) {}) == Ids{q, r, s, f, t});
  CHECK(list([](ListFilter& filter) {
          filter.states = {State::failed, State::queued};
        }) == Ids{q, f});
  CHECK(list([](ListFilter& filter) {
          filter.states = {State::running, State::running};
        }) == Ids{r});
  CHECK(list([](ListFilter& filter) { filter.endpoint = "b"; }) == Ids{s, f});
  CHECK(list([](ListFilter& filter) { filter.label = "nightly"; }) == Ids{q, s});
  CHECK(list([](ListFilter& filter) { filter.terminal = true; }) == Ids{s, f, t});
  CHECK(list([](ListFilter& filter) { filter.terminal = false; }) == Ids{q, r});
  CHECK(list([](ListFilter& filter) { filter.submitted_since = 2000; }) == Ids{r, s, f, t});
  CHECK(list([](ListFilter& filter) { filter.submitted_until = 2000; }) == Ids{q, r});
  CHECK(list([](ListFilter& filter) {
          filter.submitted_since = 2000;
          filter.submitted_until = 4000;
        }) == Ids{r, s, f});
  CHECK(list([](ListFilter& filter) {
          filter.states = {State::succeeded, State::timed_out};
          filter.endpoint = "a";
        }) == Ids{t});
  CHECK(list([](ListFilter& filter) {
          filter.endpoint = "a";
          filter.label = "nightly";
          filter.terminal = false;
        }) == Ids{q});
  CHECK(list([](ListFilter& filter) { filter.endpoint = "none"; }).empty());
}

TEST_CASE("list orders by id, submitted or updated, either direction, and honours limit") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  auto add = [&](const std::string& remote_id, jobtrack::Millis submitted_at,
                 jobtrack::Millis updated_at) {
    auto job = make_job("e", remote_id, submitted_at);
    job.updated_at = updated_at;
    return store.insert_job(job, first_transition());
  };
  const auto a = add("a", 3000, 10);
  const auto b = add("b", 1000, 30);
  const auto c = add("c", 2000, 20);
  using Ids = std::vector<std::int64_t>;
  auto ordered = [&](std::string order, int limit = 100) {
    ListFilter filter;
    filter.order = std::move(order);
    filter.limit = limit;
    return ids_of(store.list(filter));
  };
  CHECK(ordered("-id") == Ids{c, b, a});
  CHECK(ids_of(store.list(ListFilter{})) == Ids{c, b, a});  // the default is newest first
  CHECK(ordered("id") == Ids{a, b, c});
  CHECK(ordered("submitted") == Ids{b, c, a});
  CHECK(ordered("-submitted") == Ids{a, c, b});
  CHECK(ordered("updated") == Ids{a, c, b});
  CHECK(ordered("-updated") == Ids{b, c, a});
  CHECK(ordered("id", 2) == Ids{a, b});
  CHECK(ordered("-id", 1) == Ids{c});
  CHECK(ordered("id", 0).empty());
  CHECK_THROWS_AS(ordered("name"), StoreError);
  CHECK_THROWS_AS(ordered("--id"), StoreError);
}

TEST_CASE("a batch is invisible to a read-only connection until it commits") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  SQLite::Database reader(path, SQLite::OPEN_READONLY);
  auto jobs = [&] { return reader.execAndGet("SELECT count(*) FROM jobs").getInt64(); };
  auto transitions = [&] {
    return reader.execAndGet("SELECT count(*) FROM transitions").getInt64();
  };

  CHECK_FALSE(store.in_batch());
  store.begin_batch();
  store.begin_batch();  // already open: no-op
  CHECK(store.in_batch());
  const auto id = store.insert_job(make_job("e", "1"), first_transition());
  CHECK(jobs() == 0);
  auto job = *store.get(id);  // the writer sees its own batch
  job.state = State::running;
  store.update_job(job);
  store.insert_transition(id, first_transition(2000));
  store.replace_results(id, {ok_row(0), ok_row(1)});
  CHECK(jobs() == 0);
  CHECK(transitions() == 0);
  CHECK(reader.execAndGet("SELECT count(*) FROM import_results").getInt64() == 0);

  store.commit_batch();
  CHECK_FALSE(store.in_batch());
  CHECK(jobs() == 1);
  CHECK(transitions() == 2);
  CHECK(reader.execAndGet("SELECT state || ':' || results_stored FROM jobs").getString() ==
        "running:2");
  CHECK(reader.execAndGet("SELECT count(*) FROM import_results").getInt64() == 2);
  store.commit_batch();  // none open: no-op
}

TEST_CASE(
    "a reader's snapshot holds the whole batch or none of it, and does not block the writer") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  const auto id = store.insert_job(make_job("e", "1"), first_transition());

  SQLite::Database reader(path, SQLite::OPEN_READONLY);
  reader.exec("BEGIN");
  CHECK(reader.execAndGet("SELECT count(*) FROM transitions").getInt64() == 1);

  store.begin_batch();
  auto job = *store.get(id);
  job.state = State::succeeded;
  job.next_poll_at = std::nullopt;
  store.update_job(job);
  Transition done;
  done.at = 2000;
  done.from = State::queued;
  done.to = State::succeeded;
  store.insert_transition(id, done);
  store.replace_results(id, {ok_row(0)});
  REQUIRE_NOTHROW(store.commit_batch());  // the open read transaction does not hold it up

  CHECK(reader.execAndGet("SELECT state FROM jobs").getString() == "queued");
  CHECK(reader.execAndGet("SELECT count(*) FROM transitions").getInt64() == 1);
  CHECK(reader.execAndGet("SELECT count(*) FROM import_results").getInt64() == 0);
  reader.exec("COMMIT");

  CHECK(reader.execAndGet("SELECT state FROM jobs").getString() == "succeeded");
  CHECK(reader.execAndGet("SELECT count(*) FROM transitions").getInt64() == 2);
  CHECK(reader.execAndGet("SELECT count(*) FROM import_results").getInt64() == 1);
}

TEST_CASE("rollback_batch discards every write of the batch") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  const auto kept = store.insert_job(make_job("e", "kept"), first_transition());

  store.begin_batch();
  const auto dropped = store.insert_job(make_job("e", "dropped"), first_transition());
  store.insert_transition(kept, first_transition(2000));
  store.delete_job(kept);
  store.rollback_batch();
  CHECK_FALSE(store.in_batch());
  store.rollback_batch();  // none open: no-op

  CHECK(store.get(kept));
  CHECK_FALSE(store.get(dropped));
  CHECK(store.history(kept).size() == 1);
  CHECK(count_rows(path, "jobs") == 1);
}

TEST_CASE("destroying the store with a batch open rolls the batch back") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  {
    Store store(path);
    store.insert_job(make_job("e", "committed"), first_transition());
    store.begin_batch();
    store.insert_job(make_job("e", "pending"), first_transition());
  }
  Store reopened(path);
  CHECK(reopened.find("e", "committed"));
  CHECK_FALSE(reopened.find("e", "pending"));
}

TEST_CASE("prune_polls deletes the oldest polls before the cutoff, at most limit") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  const auto id = store.insert_job(make_job("e", "1"), first_transition());
  for (jobtrack::Millis at : {5000, 1000, 3000, 2000, 4000})
    store.insert_poll(make_poll(id, at, "ok"));

  CHECK(store.prune_polls(4000, 2) == 2);  // 1000 and 2000
  CHECK(store.polls_since(0, false) == 3);
  CHECK(store.polls_since(3000, false) == 3);
  CHECK(store.prune_polls(4000, 100) == 1);  // 3000
  CHECK(store.prune_polls(4000, 100) == 0);
  CHECK(store.polls_since(0, false) == 2);
  SQLite::Database reader(path, SQLite::OPEN_READONLY);
  CHECK(reader.execAndGet("SELECT min(started_at) FROM polls").getInt64() == 4000);
}

TEST_CASE("insert_poll keeps every field and polls_since counts failed polls when asked") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  const auto id = store.insert_job(make_job("e", "1"), first_transition());
  store.insert_poll(make_poll(id, 1000, "ok"));
  store.insert_poll(make_poll(id, 2000, "retry"));
  auto lost = make_poll(id, 3000, "retry");
  lost.http_status = std::nullopt;
  lost.error = "connection refused";
  store.insert_poll(lost);
  store.insert_poll(make_poll(id, 4000, "ok"));

  CHECK(store.polls_since(0, false) == 4);
  CHECK(store.polls_since(0, true) == 2);
  CHECK(store.polls_since(2500, false) == 2);
  CHECK(store.polls_since(2500, true) == 1);
  CHECK(store.polls_since(4001, false) == 0);

  SQLite::Database reader(path, SQLite::OPEN_READONLY);
  SQLite::Statement row(reader,
                        "SELECT job_id, endpoint, latency_ms, http_status IS NULL, outcome, error "
                        "FROM polls WHERE started_at = 3000");
  REQUIRE(row.executeStep());
  CHECK(row.getColumn(0).getInt64() == id);
  CHECK(row.getColumn(1).getString() == "e");
  CHECK(row.getColumn(2).getInt64() == 12);
  CHECK(row.getColumn(3).getInt() == 1);
  CHECK(row.getColumn(4).getString() == "retry");
  CHECK(row.getColumn(5).getString() == "connection refused");
}

TEST_CASE("counters count jobs by state, active jobs and transitions; count_jobs per endpoint") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  auto empty = store.counters();
  CHECK(empty.jobs_total == 0);
  CHECK(empty.jobs_active == 0);
  CHECK(empty.transitions_total == 0);
  CHECK(empty.by_state.size() == 9);

  auto add = [&](const std::string& endpoint, const std::string& remote_id, State state) {
    auto job = make_job(endpoint, remote_id);
    job.state = state;
    return store.insert_job(job, first_transition());
  };
  const auto id = add("a", "1", State::queued);
  add("a", "2", State::running);
  add("a", "3", State::running);
  add("b", "4", State::failed);
  add("b", "5", State::succeeded);
  store.insert_transition(id, first_transition(2000));

  const auto counters = store.counters();
  CHECK(counters.jobs_total == 5);
  CHECK(counters.jobs_active == 3);
  CHECK(counters.transitions_total == 6);
  REQUIRE(counters.by_state.size() == 9);
  CHECK(counters.by_state[0] == std::pair{State::queued, std::int64_t{1}});
  CHECK(counters.by_state[1] == std::pair{State::running, std::int64_t{2}});
  CHECK(counters.by_state[2] == std::pair{State::succeeded, std::int64_t{1}});
  CHECK(counters.by_state[3] == std::pair{State::partial, std::int64_t{0}});
  CHECK(counters.by_state[4] == std::pair{State::failed, std::int64_t{1}});

  CHECK(store.count_jobs("a", false) == 3);
  CHECK(store.count_jobs("a", true) == 3);
  CHECK(store.count_jobs("b", false) == 2);
  CHECK(store.count_jobs("b", true) == 0);
  CHECK(store.count_jobs("none", false) == 0);
}

TEST_CASE("file_bytes counts the database and its WAL") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto before = store.file_bytes();
  CHECK(before > 0);
  for (int i = 0; i < 200; ++i) {
    store.insert_job(make_job("e", std::to_string(i)), first_transition());
  }
  CHECK(store.file_bytes() > before);
  CHECK(store.path() == dir.file("jobs.db"));
}

TEST_CASE("a database that cannot be opened is reported as a StoreError naming the path") {
  ScratchDir dir;
  const auto path = dir.file("missing/dir/jobs.db");
  try {
    Store store(path);
    FAIL("the store opened a file in a directory that does not exist");
  } catch (const StoreError& e) {
    CHECK_THAT(e.what(), Catch::Contains(path));
  }
}

TEST_CASE("update_job(before, after) writes what changed and leaves other columns alone") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  auto job = full_job();
  job.id = store.insert_job(job, first_transition());

  // Someone else changed a column the poll does not touch.
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("UPDATE jobs SET label = 'renamed' WHERE id = " + std::to_string(job.id));
  }
  auto after = job;
  after.state = State::succeeded;
  after.poll_count = 8;
  after.progress = 100.0;
  after.next_poll_at = std::nullopt;
  REQUIRE(store.update_job(job, after));

  const auto read = store.get(job.id);
  REQUIRE(read);
  CHECK(read->label == "renamed");  // unchanged between before and after: not written
  CHECK(read->state == State::succeeded);
  CHECK(read->poll_count == 8);
  CHECK(read->progress == 100.0);
  CHECK_FALSE(read->next_poll_at);
  CHECK(store.counters().by_state[2].second == 1);  // the counting trigger saw the change

  SECTION("next_poll_at is written even when the poll kept it, over a PollNow meanwhile") {
    auto moved = *read;
    moved.next_poll_at = 5;
    store.update_job(*read, moved);  // PollNow
    REQUIRE(store.update_job(*read, *read));
    CHECK_FALSE(store.get(job.id)->next_poll_at);
  }
  SECTION("a forgotten job is not written") {
    REQUIRE(store.delete_job(job.id));
    CHECK_FALSE(store.update_job(job, after));
  }
}

TEST_CASE("after_commit runs once the batch is committed, or says it was lost") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  std::vector<std::string> told;
  auto hook = [&told](const char* name) {
    return [&told, name](const std::string* error) {
      told.push_back(std::string(name) + (error ? ": lost" : ": committed"));
    };
  };

  store.after_commit(hook("no batch"));  // nothing pending: at once
  CHECK(told == std::vector<std::string>{"no batch: committed"});

  store.begin_batch();
  store.insert_job(make_job("e", "1"), first_transition());
  store.after_commit(hook("a"));
  store.after_commit(hook("b"));
  CHECK(told.size() == 1);  // not before the commit
  store.commit_batch();
  CHECK(told == std::vector<std::string>{"no batch: committed", "a: committed", "b: committed"});

  store.begin_batch();
  store.insert_job(make_job("e", "2"), first_transition());
  store.after_commit(hook("c"));
  store.rollback_batch();
  CHECK(told.back() == "c: lost");
  CHECK_FALSE(store.find("e", "2"));
}
