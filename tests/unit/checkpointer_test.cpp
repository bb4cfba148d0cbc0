// The Checkpointer (WAL checkpoints on a thread of their own) alone, and
// behind Store::checkpoint_off_thread(): the rows a commit wrote reach the
// database file without the committing thread checkpointing them.
#include "daemon/checkpointer.h"

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "daemon/store.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Checkpointer;
using jobtrack::Job;
using jobtrack::RowResult;
using jobtrack::Store;
using jobtrack::Transition;
using jobtrack::test::ScratchDir;

namespace {

// Waits up to 10 s for `done`; the checkpoint thread runs on its own schedule.
template <typename Done>
bool eventually(Done done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::uintmax_t file_size(const std::string& path) {
  return std::filesystem::file_size(path);
}

// A WAL database written by a raw connection that never checkpoints itself.
class Writer {
 public:
  explicit Writer(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA wal_autocheckpoint = 0");
    exec("CREATE TABLE t (v BLOB)");
  }
  ~Writer() { sqlite3_close(db_); }
  void exec(const char* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == 0); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("the checkpointer copies the WAL into the database once it passes the threshold") {
  ScratchDir dir;
  const auto path = dir.file("wal.db");
  Writer writer(path);
  writer.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
      "INSERT INTO t SELECT randomblob(4000) FROM n");
  const auto before = file_size(path);
  Checkpointer checkpointer(path, 50);
  checkpointer.wal_grew(10);  // under the threshold: nothing to do
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(checkpointer.runs() == 0);
  CHECK(file_size(path) == before);
  checkpointer.wal_grew(120);
  REQUIRE(eventually([&] { return checkpointer.runs() == 1; }));
  CHECK(file_size(path) > before + 100 * 4000);
}

TEST_CASE("a checkpointer whose database cannot be opened reports it and stops cleanly") {
  ScratchDir dir;
  Checkpointer checkpointer(dir.file("missing/none.db"), 1);
  checkpointer.wal_grew(5);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  checkpointer.wal_grew(5);  // logs the failure; the thread tries again
  CHECK(checkpointer.runs() == 0);
}

TEST_CASE("a store checkpointing off its thread commits, and the rows reach the database file") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  store.checkpoint_off_thread(10);
  Job job;
  job.endpoint = "prism";
  job.remote_id = "a";
  const auto id = store.insert_job(job, Transition{});
  const auto before = file_size(path);
  std::vector<RowResult> rows(20000);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].row = static_cast<std::int64_t>(i);
    rows[i].record_id = "record-" + std::to_string(i);
  }
  store.begin_batch();
  store.replace_results(id, rows);
  store.commit_batch();
  REQUIRE(eventually([&] { return file_size(path) > before + 200 * 1024; }));
  CHECK(store.results(id, std::nullopt, 10, false).total == 20000);
}
