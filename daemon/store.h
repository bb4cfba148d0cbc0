// The Store is the daemon's one writing connection to SQLite and the only
// code that speaks SQL. It persists jobs, transitions, per-row results and
// poll records; it decides nothing (the tracker decides, the store records).
//
// Transactions: writes made between begin_batch() and commit_batch() land
// together (BEGIN IMMEDIATE ... COMMIT); the event loop commits whole
// iterations only (see CommitGate), so that an outside reader never sees
// half of a poll's outcome.
// Writes outside a batch run in their own transaction. Every method throws
// StoreError (never SQLite::Exception) on failure; a failed commit rolls the
// batch back.
//
// Threading: one thread (the event loop). Prepared statements are cached.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/count_deltas.h"
#include "daemon/job.h"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace jobtrack {

class Checkpointer;

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ListFilter {
  std::vector<State> states;  // any of these; empty means all
  std::optional<std::string> endpoint;
  std::optional<std::string> label;
  std::optional<bool> terminal;
  std::optional<Millis> submitted_since, submitted_until;
  std::string order = "-id";  // id, submitted, updated; '-' prefix for descending
  int limit = 100;
};

struct ResultsPage {
  std::vector<RowResult> rows;
  std::optional<std::int64_t> next_row;  // pass as after_row for the next page
  std::int64_t total = 0;                // rows matching (errors_only applied)
};

struct StoreCounters {
  std::int64_t jobs_total = 0;
  std::int64_t jobs_active = 0;
  std::vector<std::pair<State, std::int64_t>> by_state;
  std::int64_t transitions_total = 0;
};

class Store {
 public:
  // Opens or creates the database at `path`, applies pending migrations in
  // one transaction and sets WAL, busy_timeout and application_id. The
  // connection then runs without triggers and foreign-key enforcement: it
  // keeps the counts and deletes dependent rows itself (count_deltas.h).
  // Throws StoreError, leaving the file untouched, when the file belongs to
  // another application or to a newer schema version.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  static int schema_version();  // the newest migration this build knows

  void begin_batch();   // no-op when a batch is open
  void commit_batch();  // no-op when none is open
  void rollback_batch();
  bool in_batch() const;
  // Tells batches apart: a new number for every begin_batch() that opens one.
  std::uint64_t batch_serial() const { return batch_serial_; }

  // Called once the open batch is committed (error null) or lost (rolled
  // back, or gone with a failed write: the error); at once when no batch is
  // open. This is how a write is acknowledged only once it is durable while
  // the writes of one loop iteration still share one commit. In order.
  using CommitHook = std::function<void(const std::string* error)>;
  void after_commit(CommitHook hook);
  // Whether a hook waits on the open batch (see CommitGate).
  bool commit_awaited() const { return !commit_hooks_.empty(); }

  // Inserts a new job (id assigned) and its first transition; returns the id.
  std::int64_t insert_job(const Job& job, const Transition& first);
  // Rewrites every mutable column of the job row; false when the row is
  // gone (the job was forgotten meanwhile): nothing is written then.
  bool update_job(const Job& job);
  // The same, writing only the columns where `after` differs from `before`,
  // which must be the row as stored (the snapshot a poll started from).
  // A column changed meanwhile by another call keeps its new value unless
  // `after` changes it too.
  bool update_job(const Job& before, const Job& after);
  void insert_transition(std::int64_t job_id, const Transition& transition);
  // The same for a job the caller has just written in this batch (so it
  // exists): no look-up first. The poll path's way.
  void insert_transition_of_present_job(std::int64_t job_id, const Transition& transition);
  // Replaces the job's per-row results with `rows` and sets results_stored.
  void replace_results(std::int64_t job_id, const std::vector<RowResult>& rows);
  // Streams a job's per-row results into the open batch, for result sets
  // too large to hold, possibly over many loop iterations while other
  // writes join the same batch: begin_results() deletes the job's rows and
  // zeroes its count (false, and nothing written, when the job is gone);
  // add_result() inserts one row; end_results() records the count. Rows
  // that are not to be kept are deleted with delete_results_chunk(), a
  // chunk at a time: a savepoint could not undo them without undoing the
  // other writes made meanwhile. A job's rows are only replaced when it
  // reaches a terminal state, and only active jobs are polled, so a job
  // whose results stream in has none to lose. Needs a batch.
  bool begin_results(std::int64_t job_id);
  void add_result(std::int64_t job_id, const RowResult& row);
  // The same for many rows at once: kResultsPerInsert rows per statement,
  // which spreads a statement's fixed cost (cursors, transaction checks,
  // reset) over them.
  void add_results(std::int64_t job_id, const std::vector<RowResult>& rows);
  static constexpr int kResultsPerInsert = 128;
  void end_results(std::int64_t job_id, std::int64_t count);
  void insert_poll(const PollRecord& poll);                 // nothing when the job is gone
  void insert_poll_of_present_job(const PollRecord& poll);  // see insert_transition_of_present_job
  // Deletes the job with its transitions, polls and results; false when absent.
  bool delete_job(std::int64_t job_id);

  std::optional<Job> get(std::int64_t job_id);
  std::optional<Job> find(const std::string& endpoint, const std::string& remote_id);
  std::vector<Job> list(const ListFilter& filter);
  std::vector<Transition> history(std::int64_t job_id);
  ResultsPage results(std::int64_t job_id, std::optional<std::int64_t> after_row, int limit,
                      bool errors_only);

  // Active jobs of `endpoint` due at or before `now` (next_poll_at order),
  // skipping ids in `exclude` (those in flight).
  std::vector<Job> due(const std::string& endpoint, Millis now, int limit,
                       const std::vector<std::int64_t>& exclude);
  // The earliest next_poll_at of the endpoint's active jobs, ignoring `exclude`.
  std::optional<Millis> next_due(const std::string& endpoint,
                                 const std::vector<std::int64_t>& exclude);

  StoreCounters counters();
  // Jobs of `endpoint`, all or active, from job_counts: a few rows read.
  std::int64_t count_jobs(const std::string& endpoint, bool active_only);
  std::int64_t polls_since(Millis since, bool failed_only);
  std::int64_t file_bytes();  // database + WAL size on disk

  // Deletes polls rows older than `before`, at most `limit`; returns how many.
  std::int64_t prune_polls(Millis before, int limit);

  // Expiry (the sweeper's questions), read through (endpoint, expires_at).
  // Only terminal jobs expire: an active job keeps polling whatever expiry
  // the remote API announced, and its end wakes the sweeper.
  // Endpoints that have jobs with an expiry, configured or not.
  std::vector<std::string> expiring_endpoints();
  // Ids of the endpoint's terminal jobs with expires_at <= `before`, earliest first.
  std::vector<std::int64_t> expired_jobs(const std::string& endpoint, Millis before, int limit);
  // The earliest expires_at of the endpoint's terminal jobs; nullopt when none has one.
  std::optional<Millis> next_expiry(const std::string& endpoint);
  // Deletes at most `limit` of the job's import_results rows (lowest first)
  // and lowers results_stored to match; returns how many. Lets a job with a
  // million rows be deleted a chunk per loop iteration.
  std::int64_t delete_results_chunk(std::int64_t job_id, int limit);
  // The started_at of the oldest polls row.
  std::optional<Millis> oldest_poll();

  // Space. These run outside a batch (they throw StoreError inside one).
  // Returns the pages still free after moving at most `pages` free pages
  // to the end of the file and truncating it (auto_vacuum=INCREMENTAL).
  std::int64_t incremental_vacuum(int pages);
  std::int64_t free_pages();
  struct Checkpoint {
    int wal_frames = 0;    // frames in the WAL
    int checkpointed = 0;  // of which copied into the database
    bool busy = false;     // another connection (the checkpoint thread) was at it
    bool complete() const { return !busy && checkpointed >= wal_frames; }
  };
  // A PASSIVE checkpoint: copies what no reader still needs, never waits on
  // readers. Once complete, the next commit restarts the WAL and truncates it
  // to the journal size limit.
  Checkpoint checkpoint_passive();
  static constexpr std::int64_t kJournalSizeLimit =
      4 * 1024 * 1024;  // bytes the WAL keeps after a restart (at least)
  // From now on the WAL is checkpointed by a thread of its own (Checkpointer)
  // once it holds `threshold_frames` frames after a commit, instead of by
  // SQLite inside that commit on this thread, and the WAL keeps the size it
  // reaches between checkpoints (journal_size_limit raised to match). The
  // daemon calls it once.
  void checkpoint_off_thread(int threshold_frames = 4000);

  const std::string& path() const { return path_; }

 private:
  struct Statements;
  static constexpr int kDeleteChunk = 10'000;  // rows per DELETE of a job's results
  void stop_checkpointer();
  // What a job's counts are kept by, as stored; nullopt: no such job.
  struct StoredState {
    std::string endpoint;
    State state;
  };
  std::optional<StoredState> stored_state(std::int64_t job_id);
  void write_poll(SQLite::Statement& insert, const PollRecord& poll);
  // Deletes every import_results row of the job, kDeleteChunk per statement.
  void delete_all_results(std::int64_t job_id);
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<Checkpointer> checkpointer_;         // see checkpoint_off_thread()
  std::unique_ptr<SQLite::Statement> insert_results_;  // add_results(), prepared on first use
  bool in_batch_ = false;
  CountDeltas deltas_;  // this connection's count changes not yet written (count_deltas.h)
  std::uint64_t batch_serial_ = 0;
  std::vector<CommitHook> commit_hooks_;  // of the open batch
  void run_commit_hooks(const std::string* error);
};

}  // namespace jobtrack
