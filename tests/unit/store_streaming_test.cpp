// Store's streamed results (begin_results / add_result / end_results,
// delete_results_chunk to drop them) and the trigger-kept counts of schema/003_counts.sql.
#include <fstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "daemon/store.h"
#include "tests/unit/sample_jobs.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::RowResult;
using jobtrack::State;
using jobtrack::Store;
using jobtrack::test::add_queued_job;
using jobtrack::test::ScratchDir;

namespace {

RowResult row(std::int64_t index) {
  RowResult result;
  result.row = index;
  result.record_id = "r" + std::to_string(index);
  result.created = true;
  return result;
}

}  // namespace

TEST_CASE("streamed results replace the job's rows and its count when finished") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto id = add_queued_job(store, "a");
  store.replace_results(id, {row(0), row(1), row(2)});
  store.begin_batch();
  REQUIRE(store.begin_results(id));
  for (int i = 0; i < 5; ++i) store.add_result(id, row(i));
  store.end_results(id, 5);
  store.commit_batch();
  CHECK(store.get(id)->results_stored == 5);
  CHECK(store.results(id, std::nullopt, 100, false).rows.size() == 5);
}

TEST_CASE("dropped streamed results go in chunks and leave the rest of the batch as it was") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto id = add_queued_job(store, "a");
  store.begin_batch();
  auto job = *store.get(id);
  job.remote_status = "complete";
  REQUIRE(store.update_job(job));
  REQUIRE(store.begin_results(id));
  for (int i = 0; i < 5; ++i) store.add_result(id, row(i));
  CHECK(store.delete_results_chunk(id, 3) == 3);
  CHECK(store.delete_results_chunk(id, 3) == 2);
  store.commit_batch();
  CHECK(store.get(id)->results_stored == 0);
  CHECK(store.get(id)->remote_status == "complete");
  CHECK(store.results(id, std::nullopt, 100, false).rows.empty());
}

TEST_CASE("every batch gets its own serial") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  store.begin_batch();
  const auto first = store.batch_serial();
  store.begin_batch();  // already open: the same batch
  CHECK(store.batch_serial() == first);
  store.rollback_batch();
  store.begin_batch();
  CHECK(store.batch_serial() != first);
  store.commit_batch();
}

TEST_CASE("a job forgotten before its results arrive gets none, and update_job says it is gone") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto id = add_queued_job(store, "a");
  auto job = *store.get(id);
  REQUIRE(store.delete_job(id));
  store.begin_batch();
  CHECK_FALSE(store.begin_results(id));
  CHECK_FALSE(store.update_job(job));
  store.commit_batch();
  CHECK_FALSE(store.get(id));
}

TEST_CASE("add_results stores every row of batches of any size, nulls included, in order") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto id = add_queued_job(store, "a");
  store.begin_batch();
  REQUIRE(store.begin_results(id));
  std::int64_t next = 0;
  const int per = Store::kResultsPerInsert;
  for (const int size : {0, 1, per - 1, per, per + 1, 3 * per + 5, 512}) {
    std::vector<RowResult> batch;
    for (int i = 0; i < size; ++i) {
      RowResult item = row(next++);
      if (item.row % 3 == 0) item.record_id.reset();
      if (item.row % 5 == 0) item.created.reset();
      if (item.row % 7 == 0) {
        item.existing = false;
        item.error_code = "bad";
        item.error_message = "row " + std::to_string(item.row);
      }
      batch.push_back(std::move(item));
    }
    store.add_results(id, batch);
  }
  store.end_results(id, next);
  store.commit_batch();
  const auto page = store.results(id, std::nullopt, 10000, false);
  REQUIRE(page.total == next);
  REQUIRE(page.rows.size() == static_cast<std::size_t>(next));
  for (std::int64_t i = 0; i < next; ++i) {
    INFO(i);
    const RowResult& got = page.rows[static_cast<std::size_t>(i)];
    CHECK(got.row == i);
    CHECK(got.record_id == (i % 3 == 0 ? std::nullopt : std::optional("r" + std::to_string(i))));
    CHECK(got.created == (i % 5 == 0 ? std::nullopt : std::optional(true)));
    CHECK(got.existing == (i % 7 == 0 ? std::optional(false) : std::nullopt));
    CHECK(got.error_code == (i % 7 == 0 ? std::optional<std::string>("bad") : std::nullopt));
    CHECK(got.error_message ==
          (i % 7 == 0 ? std::optional("row " + std::to_string(i)) : std::nullopt));
  }
  CHECK(store.get(id)->results_stored == next);
}

TEST_CASE("add_results of rows already stored fails with a StoreError") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto id = add_queued_job(store, "a");
  store.begin_batch();
  REQUIRE(store.begin_results(id));
  std::vector<RowResult> batch;
  for (int i = 0; i < Store::kResultsPerInsert; ++i) batch.push_back(row(i));
  store.add_results(id, batch);
  CHECK_THROWS_AS(store.add_results(id, batch), jobtrack::StoreError);
}

namespace {

// AddressSanitizer's shadow memory and quarantine make a peak RSS say
// nothing about what the code under test holds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// The process's peak resident set (VmHWM), in kB.
long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Stores `count` rows of ~60 bytes for the job.
void store_rows(Store& store, std::int64_t id, std::int64_t count) {
  store.begin_batch();
  REQUIRE(store.begin_results(id));
  std::vector<RowResult> batch;
  for (std::int64_t i = 0; i < count; ++i) {
    RowResult item = row(i);
    item.record_id = "record-" + std::to_string(i) + "-0123456789abcdef0123456789abcdef";
    batch.push_back(std::move(item));
    if (batch.size() == 4096 || i + 1 == count) {
      store.add_results(id, batch);
      batch.clear();
    }
  }
  store.end_results(id, count);
  store.commit_batch();
}

}  // namespace

TEST_CASE("forgetting a job with many rows takes them all and holds little memory") {
  // SQLite keeps statement journals in memory: one statement (or one
  // savepoint) deleting 300,000 rows would hold ~20 MB of pages.
  const bool in_batch = GENERATE(false, true);
  INFO((in_batch ? "inside a batch" : "outside a batch"));
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  const auto warm_up = add_queued_job(store, "warm-up");
  const auto big = add_queued_job(store, "big");
  const auto other = add_queued_job(store, "other");
  store_rows(store, warm_up, 50'000);
  store_rows(store, big, 300'000);
  store_rows(store, other, 10);
  auto forget = [&](std::int64_t id) {
    if (in_batch) store.begin_batch();
    CHECK(store.delete_job(id));
    if (in_batch) store.commit_batch();
  };
  forget(warm_up);  // the caches and allocator reach their working size

  const long before = peak_rss_kb();
  forget(big);
  if (!kAddressSanitizer) CHECK(peak_rss_kb() - before < 6 * 1024);
  CHECK_FALSE(store.get(big));
  CHECK(store.results(other, std::nullopt, 100, false).total == 10);
}
