#include "daemon/store.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/core.h>
#include <sqlite3.h>

#include "daemon/checkpointer.h"
#include "daemon/count_deltas.h"
#include "daemon/migrations.h"

namespace jobtrack {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// The job columns after id, in the order the statements bind them (?1..?29).
// results_stored is left out: replace_results owns it, so that writing back a
// Job read before the results arrived cannot clobber the count.
constexpr std::array<std::string_view, 29> kJobFields = {
    "endpoint",      "remote_id",          "label",
    "state",         "remote_status",      "progress",
    "total",         "processed",          "succeeded",
    "failed",        "result_url",         "error_code",
    "error_message", "detail_json",        "submitter_uid",
    "submitted_at",  "remote_created_at",  "updated_at",
    "finished_at",   "expires_at",         "deadline_at",
    "next_poll_at",  "last_polled_at",     "poll_interval_ms",
    "poll_count",    "consecutive_errors", "last_poll_error",
    "seen",          "not_found_count",
};

// Identity of a tracked job; update_job leaves these alone.
constexpr std::array<std::string_view, 4> kImmutableFields = {"endpoint", "remote_id",
                                                              "submitter_uid", "submitted_at"};

constexpr std::string_view kActive = "('queued', 'running')";

std::string job_columns() {
  std::string columns = "id";
  for (const auto field : kJobFields) {
    columns += ", ";
    columns += field;
  }
  return columns + ", results_stored";
}

std::string select_jobs_sql() {
  return "SELECT " + job_columns() + " FROM jobs";
}

std::string insert_job_sql() {
  std::string names, values;
  for (std::size_t i = 0; i < kJobFields.size(); ++i) {
    if (i > 0) {
      names += ", ";
      values += ", ";
    }
    names += kJobFields[i];
    values += fmt::format("?{}", i + 1);
  }
  return fmt::format("INSERT INTO jobs ({}) VALUES ({})", names, values);
}

// A set of kJobFields, bit i for kJobFields[i].
using FieldMask = std::uint32_t;
static_assert(kJobFields.size() <= 32);

bool is_immutable(std::string_view field) {
  return std::find(kImmutableFields.begin(), kImmutableFields.end(), field) !=
         kImmutableFields.end();
}

std::size_t field_index(std::string_view field) {
  return static_cast<std::size_t>(std::find(kJobFields.begin(), kJobFields.end(), field) -
                                  kJobFields.begin());
}

FieldMask mutable_fields() {
  FieldMask mask = 0;
  for (std::size_t i = 0; i < kJobFields.size(); ++i) {
    if (!is_immutable(kJobFields[i])) mask |= FieldMask{1} << i;
  }
  return mask;
}

// Beside the fields of an update's mask: the UPDATE changes the row only
// if its state is still ?31 (see Store::update_job).
constexpr FieldMask kIfStateIs = FieldMask{1} << 31;
static_assert(kJobFields.size() < 31);

// UPDATE of the fields in `mask` (immutable ones never), binding as
// bind_job() does; the id is ?30.
std::string update_job_sql(FieldMask mask) {
  std::string assignments;
  for (std::size_t i = 0; i < kJobFields.size(); ++i) {
    if (!(mask & (FieldMask{1} << i)) || is_immutable(kJobFields[i])) continue;
    if (!assignments.empty()) assignments += ", ";
    assignments += fmt::format("{} = ?{}", kJobFields[i], i + 1);
  }
  return fmt::format(
      "UPDATE jobs SET {} WHERE id = ?{}{}", assignments, kJobFields.size() + 1,
      mask & kIfStateIs ? fmt::format(" AND state = ?{}", kJobFields.size() + 2) : std::string());
}

// The kJobFields whose values differ between two versions of a job.
// Each index and trigger on jobs costs only when its columns are written,
// and CHECK constraints run only on written columns: a routine poll
// changes four columns of twenty-nine.
FieldMask job_differences(const Job& a, const Job& b) {
  const std::array<bool, 29> differs = {
      a.endpoint != b.endpoint,
      a.remote_id != b.remote_id,
      a.label != b.label,
      a.state != b.state,
      a.remote_status != b.remote_status,
      a.progress != b.progress,
      a.total != b.total,
      a.processed != b.processed,
      a.succeeded != b.succeeded,
      a.failed != b.failed,
      a.result_url != b.result_url,
      a.error_code != b.error_code,
      a.error_message != b.error_message,
      a.detail_json != b.detail_json,
      a.submitter_uid != b.submitter_uid,
      a.submitted_at != b.submitted_at,
      a.remote_created_at != b.remote_created_at,
      a.updated_at != b.updated_at,
      a.finished_at != b.finished_at,
      a.expires_at != b.expires_at,
      a.deadline_at != b.deadline_at,
      a.next_poll_at != b.next_poll_at,
      a.last_polled_at != b.last_polled_at,
      a.poll_interval != b.poll_interval,
      a.poll_count != b.poll_count,
      a.consecutive_errors != b.consecutive_errors,
      a.last_poll_error != b.last_poll_error,
      a.seen != b.seen,
      a.not_found_count != b.not_found_count,
  };
  static_assert(differs.size() == kJobFields.size());
  FieldMask mask = 0;
  for (std::size_t i = 0; i < differs.size(); ++i) {
    if (differs[i]) mask |= FieldMask{1} << i;
  }
  return mask;
}

void bind_opt(SQLite::Statement& statement, int index, const std::optional<std::string>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);
  }
}

void bind_opt(SQLite::Statement& statement, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);
  }
}

void bind_opt(SQLite::Statement& statement, int index, const std::optional<double>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);
  }
}

void bind_opt(SQLite::Statement& statement, int index, const std::optional<bool>& value) {
  if (value) {
    statement.bind(index, *value ? 1 : 0);
  } else {
    statement.bind(index);
  }
}

// The names are string literals: bound in place, never copied.
void bind_state(SQLite::Statement& statement, int index, State state) {
  statement.bindNoCopy(index, to_string(state).data());
}

// Binds text without a copy (SQLITE_STATIC): `value` outlives the step
// that reads it, and every use of the statement binds all its parameters
// anew, so the pointer left behind after the reset is never read.
void bind_opt_nocopy(SQLite::Statement& statement, int index,
                     const std::optional<std::string>& value) {
  if (value) {
    statement.bindNoCopy(index, *value);
  } else {
    statement.bind(index);
  }
}

constexpr FieldMask kAllFields = (FieldMask{1} << kJobFields.size()) - 1;

// Binds the fields of `mask`, field i of kJobFields as ?i+1, text in place
// (bind_opt_nocopy): every caller steps the statement while `job` lives,
// and a statement's SQL reads only the fields of the mask it was made for.
void bind_job(SQLite::Statement& s, const Job& job, FieldMask mask = kAllFields) {
  const auto wanted = [mask](int index) { return (mask & (FieldMask{1} << (index - 1))) != 0; };
  if (wanted(1)) s.bindNoCopy(1, job.endpoint);
  if (wanted(2)) s.bindNoCopy(2, job.remote_id);
  if (wanted(3)) bind_opt_nocopy(s, 3, job.label);
  if (wanted(4)) bind_state(s, 4, job.state);
  if (wanted(5)) bind_opt_nocopy(s, 5, job.remote_status);
  if (wanted(6)) bind_opt(s, 6, job.progress);
  if (wanted(7)) bind_opt(s, 7, job.total);
  if (wanted(8)) bind_opt(s, 8, job.processed);
  if (wanted(9)) bind_opt(s, 9, job.succeeded);
  if (wanted(10)) bind_opt(s, 10, job.failed);
  if (wanted(11)) bind_opt_nocopy(s, 11, job.result_url);
  if (wanted(12)) bind_opt_nocopy(s, 12, job.error_code);
  if (wanted(13)) bind_opt_nocopy(s, 13, job.error_message);
  if (wanted(14)) bind_opt_nocopy(s, 14, job.detail_json);
  if (wanted(15)) s.bind(15, static_cast<std::int64_t>(job.submitter_uid));
  if (wanted(16)) s.bind(16, job.submitted_at);
  if (wanted(17)) bind_opt(s, 17, job.remote_created_at);
  if (wanted(18)) bind_opt(s, 18, job.updated_at);
  if (wanted(19)) bind_opt(s, 19, job.finished_at);
  if (wanted(20)) bind_opt(s, 20, job.expires_at);
  if (wanted(21)) bind_opt(s, 21, job.deadline_at);
  if (wanted(22)) bind_opt(s, 22, job.next_poll_at);
  if (wanted(23)) bind_opt(s, 23, job.last_polled_at);
  if (wanted(24)) s.bind(24, job.poll_interval);
  if (wanted(25)) s.bind(25, job.poll_count);
  if (wanted(26)) s.bind(26, job.consecutive_errors);
  if (wanted(27)) bind_opt_nocopy(s, 27, job.last_poll_error);
  if (wanted(28)) s.bind(28, job.seen ? 1 : 0);
  if (wanted(29)) s.bind(29, job.not_found_count);
}

std::optional<std::string> opt_text(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

std::optional<std::int64_t> opt_int(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

std::optional<double> opt_real(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getDouble();
}

std::optional<bool> opt_bool(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64() != 0;
}

State state_of(const SQLite::Column& column) {
  const auto text = column.getString();
  const auto state = parse_state(text);
  if (!state) throw StoreError(fmt::format("unknown state '{}' in the database", text));
  return *state;
}

// Reads a row of select_jobs_sql().
Job read_job(SQLite::Statement& s) {
  Job job;
  job.id = s.getColumn(0).getInt64();
  job.endpoint = s.getColumn(1).getString();
  job.remote_id = s.getColumn(2).getString();
  job.label = opt_text(s.getColumn(3));
  job.state = state_of(s.getColumn(4));
  job.remote_status = opt_text(s.getColumn(5));
  job.progress = opt_real(s.getColumn(6));
  job.total = opt_int(s.getColumn(7));
  job.processed = opt_int(s.getColumn(8));
  job.succeeded = opt_int(s.getColumn(9));
  job.failed = opt_int(s.getColumn(10));
  job.result_url = opt_text(s.getColumn(11));
  job.error_code = opt_text(s.getColumn(12));
  job.error_message = opt_text(s.getColumn(13));
  job.detail_json = opt_text(s.getColumn(14));
  job.submitter_uid = static_cast<std::uint32_t>(s.getColumn(15).getInt64());
  job.submitted_at = s.getColumn(16).getInt64();
  job.remote_created_at = opt_int(s.getColumn(17));
  job.updated_at = opt_int(s.getColumn(18));
  job.finished_at = opt_int(s.getColumn(19));
  job.expires_at = opt_int(s.getColumn(20));
  job.deadline_at = opt_int(s.getColumn(21));
  job.next_poll_at = opt_int(s.getColumn(22));
  job.last_polled_at = opt_int(s.getColumn(23));
  job.poll_interval = s.getColumn(24).getInt64();
  job.poll_count = s.getColumn(25).getInt64();
  job.consecutive_errors = s.getColumn(26).getInt64();
  job.last_poll_error = opt_text(s.getColumn(27));
  job.seen = s.getColumn(28).getInt64() != 0;
  job.not_found_count = s.getColumn(29).getInt64();
  job.results_stored = s.getColumn(30).getInt64();
  return job;
}

// Resets a cached statement however the scope is left, so that no statement
// stays mid-step holding a read snapshot or blocking COMMIT.
class ResetOnExit {
 public:
  explicit ResetOnExit(SQLite::Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.tryReset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SQLite::Statement& statement_;
};

// Runs a statement that returns no rows; returns the rows it changed.
int run(SQLite::Statement& statement) {
  ResetOnExit reset(statement);
  return statement.exec();
}

// Inserts one per-row result with the cached insert_result statement.
// Called a million times for a large result set, hence no copies.
void insert_row(SQLite::Statement& insert, std::int64_t job_id, const RowResult& row) {
  insert.bind(1, job_id);
  insert.bind(2, row.row);
  bind_opt_nocopy(insert, 3, row.record_id);
  bind_opt(insert, 4, row.created);
  bind_opt(insert, 5, row.existing);
  bind_opt_nocopy(insert, 6, row.error_code);
  bind_opt_nocopy(insert, 7, row.error_message);
  run(insert);
}

// Inserts a transition of a job known to exist (see insert_transition()).
void run_insert_transition(SQLite::Statement& s, std::int64_t job_id,
                           const Transition& transition) {
  s.bind(1, job_id);
  s.bind(2, transition.at);
  if (transition.from) {
    bind_state(s, 3, *transition.from);
  } else {
    s.bind(3);
  }
  bind_state(s, 4, transition.to);
  bind_opt(s, 5, transition.remote_status);
  bind_opt(s, 6, transition.progress);
  bind_opt(s, 7, transition.detail);
  run(s);
}

std::int64_t count(SQLite::Statement& statement) {
  ResetOnExit reset(statement);
  statement.executeStep();
  return statement.getColumn(0).getInt64();
}

// The statements that open and close transactions and savepoints, prepared
// once: a write costs no SQL compilation beyond its own statement.
struct TransactionStatements {
  explicit TransactionStatements(SQLite::Database& db)
      : begin(db, "BEGIN IMMEDIATE"),
        commit(db, "COMMIT"),
        rollback(db, "ROLLBACK"),
        savepoint(db, "SAVEPOINT store_call"),
        release(db, "RELEASE store_call"),
        rollback_to(db, "ROLLBACK TO store_call"),
        add_job_count(db,
                      "INSERT INTO job_counts (endpoint, state, jobs) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (endpoint, state) DO UPDATE SET jobs = jobs + excluded.jobs"),
        add_row_count(db,
                      "INSERT INTO row_counts (name, rows) VALUES ('transitions', ?1) "
                      "ON CONFLICT (name) DO UPDATE SET rows = rows + excluded.rows") {}

  // Writes the open transaction's count changes (see count_deltas.h); the
  // deltas are cleared once written. Throws SQLite::Exception.
  void flush_counts(CountDeltas& deltas);

  SQLite::Statement begin, commit, rollback, savepoint, release, rollback_to, add_job_count,
      add_row_count;
};

// Runs one of the statements above; false (and the statement reset) on failure.
bool try_run(SQLite::Statement& statement) {
  const bool ok = statement.tryExecuteStep() == SQLITE_DONE;
  statement.tryReset();
  return ok;
}

// Runs one of the statements above; throws SQLite::Exception on failure.
void must_run(SQLite::Statement& statement) {
  ResetOnExit reset(statement);
  statement.exec();
}

void TransactionStatements::flush_counts(CountDeltas& deltas) {
  if (deltas.empty()) return;
  for (const auto& endpoint : deltas.endpoints) {
    for (std::size_t i = 0; i < CountDeltas::kStates; ++i) {
      if (endpoint.jobs[i] == 0) continue;
      add_job_count.bindNoCopy(1, endpoint.name);
      add_job_count.bindNoCopy(2, to_string(static_cast<State>(i)).data());
      add_job_count.bind(3, endpoint.jobs[i]);
      must_run(add_job_count);
    }
  }
  if (deltas.transitions != 0) {
    add_row_count.bind(1, deltas.transitions);
    must_run(add_row_count);
  }
  deltas.clear();
}

// What a store call writes: one statement is atomic by itself (SQLite undoes
// a failed statement's changes and keeps the open transaction), several
// need a savepoint to be undone together.
enum class Writes { one_statement, several };

// One store call's writes, atomic on their own: a transaction of its own
// when none is open, a savepoint inside a batch (or an enclosing call) when
// the call writes several statements, so that a failed call leaves the open
// transaction exactly as it was. A single statement inside a batch needs
// neither: this is the poll path, three writes per poll.
//
// The count deltas follow the same rule: what a rolled-back call added is
// taken back, and a transaction of the call's own writes them before its
// COMMIT. A call adds to the deltas only after its statements succeeded.
class WriteScope {
 public:
  WriteScope(SQLite::Database& db, TransactionStatements& tx, CountDeltas& deltas, Writes writes)
      : tx_(tx), deltas_(deltas), nested_(sqlite3_get_autocommit(db.getHandle()) == 0) {
    if (nested_ && writes == Writes::one_statement) {
      done_ = true;
      return;
    }
    if (!nested_) deltas_.clear();  // left by a transaction SQLite rolled back itself
    saved_ = deltas_;
    must_run(nested_ ? tx_.savepoint : tx_.begin);
  }
  ~WriteScope() {
    if (done_) return;
    deltas_ = saved_;
    if (nested_) {
      try_run(tx_.rollback_to);
      try_run(tx_.release);
    } else {
      try_run(tx_.rollback);
    }
  }
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  void commit() {
    if (done_) return;
    if (!nested_) {
      tx_.flush_counts(deltas_);
      must_run(tx_.commit);
    } else {
      must_run(tx_.release);
    }
    done_ = true;
  }

 private:
  TransactionStatements& tx_;
  CountDeltas& deltas_;
  CountDeltas saved_;
  bool nested_;
  bool done_ = false;
};

// The [a,b,c] form json_each() reads, for "id NOT IN (SELECT value FROM
// json_each(?))": one cached statement whatever the number of ids.
std::string json_ids(const std::vector<std::int64_t>& ids) {
  std::string text = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(ids[i]);
  }
  return text + "]";
}

std::string order_clause(std::string_view order) {
  if (order.empty()) order = "-id";
  const bool descending = order.front() == '-';
  if (descending) order.remove_prefix(1);
  const char* direction = descending ? "DESC" : "ASC";
  if (order == "id") return fmt::format("id {}", direction);
  if (order == "submitted") return fmt::format("submitted_at {0}, id {0}", direction);
  if (order == "updated") return fmt::format("updated_at {0}, id {0}", direction);
  throw StoreError(
      fmt::format("unknown order '{}' (id, submitted or updated, '-' for descending)", order));
}

// Process-wide SQLite settings; they only take effect before SQLite's
// first use in the process (sqlite3_config), so the first Store sets them
// and a later one, or a process that used SQLite before, runs without them.
//
// - Statement journals stay in memory. Every write inside a batch that
//   fires a trigger or runs in a savepoint (a Track: a job, its first
//   transition, two counting triggers) copies the pages it touches to the
//   statement journal, which is emptied when the statement or the outermost
//   savepoint ends. Past 64 KiB (the default) SQLite moves it to a temporary
//   file for the rest of the transaction: two pwrite() calls per page, a
//   dozen per Track, from then on. Held in memory, a journal is as large as
//   what one statement touches. (A larger spill size was cheaper still, its
//   allocation unit being the spill size, but SQLite 3.40's spill of such a
//   journal fails with SQLITE_FULL: sweeper_test's 10,000-row delete.)
// - No memory statistics (sqlite3_memory_used, which nothing here reads):
//   they take a global mutex around every allocation.
bool configure_sqlite() {
  sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  return true;
}

}  // namespace

struct Store::Statements {
  explicit Statements(SQLite::Database& database)
      : db(database),
        tx(db),
        insert_job(db, insert_job_sql()),
        update_job(db, update_job_sql(mutable_fields())),
        // VALUES, not INSERT ... SELECT ... WHERE EXISTS: SQLite runs an
        // INSERT ... SELECT into a table with triggers (the transitions
        // count) through a temporary b-tree, opened and freed every time.
        // insert_transition() asks job_exists first instead.
        insert_transition(
            db,
            "INSERT INTO transitions (job_id, at, from_state, to_state, remote_status, progress, "
            "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        job_exists(db, "SELECT 1 FROM jobs WHERE id = ?1"),
        set_results_stored(db, "UPDATE jobs SET results_stored = ?2 WHERE id = ?1"),
        insert_result(
            db,
            "INSERT INTO import_results (job_id, row, record_id, created, existing, error_code, "
            "error_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        insert_poll(
            db,
            "INSERT INTO polls (job_id, endpoint, started_at, latency_ms, http_status, outcome, "
            "error) "
            "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?1)"),
        insert_known_poll(db,
                          "INSERT INTO polls (job_id, endpoint, started_at, latency_ms, "
                          "http_status, outcome, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        job_state(db, "SELECT endpoint, state FROM jobs WHERE id = ?1"),
        delete_transitions(db, "DELETE FROM transitions WHERE job_id = ?1"),
        delete_polls(db, "DELETE FROM polls WHERE job_id = ?1"),
        delete_job(db, "DELETE FROM jobs WHERE id = ?1"),
        get(db, select_jobs_sql() + " WHERE id = ?1"),
        find(db, select_jobs_sql() + " WHERE endpoint = ?1 AND remote_id = ?2"),
        history(db,
                "SELECT at, from_state, to_state, remote_status, progress, detail FROM transitions "
                "WHERE job_id = ?1 ORDER BY at, id"),
        results_page(db,
                     "SELECT row, record_id, created, existing, error_code, error_message FROM "
                     "import_results "
                     "WHERE job_id = ?1 AND row > ?2 "
                     "AND (?3 = 0 OR error_code IS NOT NULL OR error_message IS NOT NULL) "
                     "ORDER BY row LIMIT ?4"),
        results_stored(db, "SELECT results_stored FROM jobs WHERE id = ?1"),
        results_errors(db,
                       "SELECT count(*) FROM import_results WHERE job_id = ?1 "
                       "AND (error_code IS NOT NULL OR error_message IS NOT NULL)"),
        due(db, fmt::format(
                    "{} WHERE endpoint = ?1 AND next_poll_at IS NOT NULL AND next_poll_at <= ?2 "
                    "AND state IN {} AND id NOT IN (SELECT value FROM json_each(?3)) "
                    "ORDER BY next_poll_at, id LIMIT ?4",
                    select_jobs_sql(), kActive)),
        next_due(
            db,
            fmt::format(
                "SELECT next_poll_at FROM jobs WHERE endpoint = ?1 AND next_poll_at IS NOT NULL "
                "AND state IN {} AND id NOT IN (SELECT value FROM json_each(?2)) "
                "ORDER BY next_poll_at LIMIT 1",
                kActive)),
        count_by_state(db, "SELECT state, sum(jobs) FROM job_counts GROUP BY state"),
        count_transitions(
            db, "SELECT coalesce((SELECT rows FROM row_counts WHERE name = 'transitions'), 0)"),
        count_jobs(db, "SELECT state, jobs FROM job_counts WHERE endpoint = ?1"),
        polls_since(
            db,
            "SELECT count(*) FROM polls WHERE started_at >= ?1 AND (?2 = 0 OR outcome <> 'ok')"),
        prune_polls(db,
                    "DELETE FROM polls WHERE id IN "
                    "(SELECT id FROM polls WHERE started_at < ?1 ORDER BY started_at LIMIT ?2)"),
        // Walks the (endpoint, expires_at) index of finished jobs one
        // endpoint at a time instead of reading every entry, as DISTINCT
        // would. Every query of that index repeats its condition.
        expiring_endpoints(
            db,
            fmt::format("WITH RECURSIVE e(name) AS ("
                        " SELECT min(endpoint) FROM jobs"
                        "  WHERE expires_at IS NOT NULL AND state NOT IN {0}"
                        " UNION ALL SELECT (SELECT min(endpoint) FROM jobs WHERE endpoint > e.name"
                        "  AND expires_at IS NOT NULL AND state NOT IN {0})"
                        "  FROM e WHERE e.name IS NOT NULL)"
                        " SELECT name FROM e WHERE name IS NOT NULL",
                        kActive)),
        expired_jobs(
            db,
            fmt::format("SELECT id FROM jobs WHERE endpoint = ?1 AND expires_at IS NOT NULL "
                        "AND expires_at <= ?2 AND state NOT IN {} ORDER BY expires_at, id LIMIT ?3",
                        kActive)),
        next_expiry(
            db, fmt::format(
                    "SELECT expires_at FROM jobs WHERE endpoint = ?1 AND expires_at IS NOT NULL "
                    "AND state NOT IN {} ORDER BY expires_at LIMIT 1",
                    kActive)),
        delete_results_chunk(
            db,
            "DELETE FROM import_results WHERE job_id = ?1 AND row IN "
            "(SELECT row FROM import_results WHERE job_id = ?1 ORDER BY row LIMIT ?2)"),
        lower_results_stored(
            db, "UPDATE jobs SET results_stored = max(results_stored - ?2, 0) WHERE id = ?1"),
        oldest_poll(db, "SELECT min(started_at) FROM polls") {}

  // Partial job updates by the set of fields they write; a few shapes
  // (a routine poll, a transition, a failure) cover nearly every call.
  SQLite::Statement& update_fields(FieldMask mask) {
    auto& cached = updates[mask];
    if (!cached) cached = std::make_unique<SQLite::Statement>(db, update_job_sql(mask));
    return *cached;
  }

  // list() statements by their SQL text; the filter combinations are few.
  SQLite::Statement& list(const std::string& sql) {
    auto& cached = lists[sql];
    if (!cached) cached = std::make_unique<SQLite::Statement>(db, sql);
    return *cached;
  }

  SQLite::Database& db;
  TransactionStatements tx;
  SQLite::Statement insert_job, update_job, insert_transition, job_exists, set_results_stored,
      insert_result, insert_poll, insert_known_poll, job_state, delete_transitions, delete_polls,
      delete_job, get, find, history, results_page, results_stored, results_errors, due, next_due,
      count_by_state, count_transitions, count_jobs, polls_since, prune_polls, expiring_endpoints,
      expired_jobs, next_expiry, delete_results_chunk, lower_results_stored, oldest_poll;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> lists;
  std::unordered_map<FieldMask, std::unique_ptr<SQLite::Statement>> updates;
};

namespace {

// Turns SQLite::Exception into StoreError at the boundary. SQLite rolls a
// transaction back by itself on some errors (disk full, I/O); then the batch
// is gone and the store says so instead of pretending it is still open.
template <typename Body>
auto guarded(const std::string& path, SQLite::Database& db, bool& in_batch, const char* what,
             Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    std::string message = fmt::format("database {}: {}: {}", path, what, e.what());
    if (in_batch && sqlite3_get_autocommit(db.getHandle()) != 0) {
      in_batch = false;
      message += " (the open batch was rolled back)";
    }
    throw StoreError(message);
  }
}

}  // namespace

Store::Store(const std::string& path) : path_(path) {
  static const bool configured = configure_sqlite();
  (void)configured;
  try {
    // NOMUTEX: the connection is only ever used by the thread that owns the
    // Store (other threads, such as the Checkpointer, open their own), so
    // SQLite's per-call connection mutex is pure cost (~4 % of a row insert).
    db_ = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
    db_->setBusyTimeout(kBusyTimeoutMs);
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("cannot open database {}: {}", path, e.what()));
  }
  try {
    const auto& migrations = embedded_migrations();
    // Refusals come first, before any pragma below writes to the file.
    const auto check = check_database(*db_, newest_version(migrations));
    // auto_vacuum only takes effect if set before the first table exists.
    if (check.fresh) db_->exec("PRAGMA auto_vacuum = INCREMENTAL");
    // Group members read the database; SQLite gives -wal and -shm the
    // database file's mode, so this one chmod covers all three.
    if (check.fresh && chmod(path.c_str(), 0640) != 0) {
      throw StoreError(
          fmt::format("cannot set the mode of the new database: {}", std::strerror(errno)));
    }
    const auto mode = db_->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
      throw StoreError(fmt::format("cannot switch to WAL mode (journal_mode is {})", mode));
    }
    db_->exec("PRAGMA synchronous = NORMAL");
    // A WAL that grew while a reader held it back shrinks again on restart.
    db_->exec(fmt::format("PRAGMA journal_size_limit = {}", kJournalSizeLimit));
    apply_migrations(*db_, migrations);
    // Counts and cascades are this connection's own work (count_deltas.h):
    // a trigger or an enforced foreign key would put a statement journal
    // under every write of the poll path.
    db_->exec("PRAGMA foreign_keys = OFF");
    int triggers = 1;
    sqlite3_db_config(db_->getHandle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &triggers);
    if (triggers != 0) throw StoreError("cannot turn triggers off on the store's connection");
    statements_ = std::make_unique<Statements>(*db_);
  } catch (const StoreError& e) {
    throw StoreError(fmt::format("database {}: {}", path, e.what()));
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("database {}: {}", path, e.what()));
  }
}

// An open batch is rolled back: its writes were meant to land together or not at all.
Store::~Store() {
  stop_checkpointer();
  insert_results_.reset();
  statements_.reset();
  if (in_batch_) db_->tryExec("ROLLBACK");
  db_->tryExec("PRAGMA optimize");
}

int Store::schema_version() {
  return newest_version(embedded_migrations());
}

void Store::begin_batch() {
  if (in_batch_) return;
  // Hooks left from a batch SQLite rolled back by itself (a failed write
  // whose caller did not roll back): that batch is lost.
  if (!commit_hooks_.empty()) {
    const std::string lost = fmt::format("database {}: the batch was rolled back", path_);
    run_commit_hooks(&lost);
  }
  deltas_.clear();  // left by a batch SQLite rolled back by itself
  guarded(path_, *db_, in_batch_, "begin batch", [&] { must_run(statements_->tx.begin); });
  in_batch_ = true;
  ++batch_serial_;
}

void Store::commit_batch() {
  if (!in_batch_) return;
  try {
    statements_->tx.flush_counts(deltas_);
    must_run(statements_->tx.commit);
    in_batch_ = false;
  } catch (const SQLite::Exception& e) {
    db_->tryExec("ROLLBACK");
    in_batch_ = false;
    deltas_.clear();
    const std::string error =
        fmt::format("database {}: commit failed, batch rolled back: {}", path_, e.what());
    run_commit_hooks(&error);
    throw StoreError(error);
  }
  run_commit_hooks(nullptr);
}

void Store::rollback_batch() {
  const std::string lost = fmt::format("database {}: the batch was rolled back", path_);
  deltas_.clear();
  if (!in_batch_) {
    run_commit_hooks(&lost);
    return;
  }
  in_batch_ = false;
  // SQLite may already have rolled back after an I/O error; nothing is left to undo then.
  if (sqlite3_get_autocommit(db_->getHandle()) == 0) {
    try {
      guarded(path_, *db_, in_batch_, "roll back batch", [&] { db_->exec("ROLLBACK"); });
    } catch (const StoreError&) {
      run_commit_hooks(&lost);
      throw;
    }
  }
  run_commit_hooks(&lost);
}

void Store::after_commit(CommitHook hook) {
  if (!in_batch_) {
    hook(nullptr);
    return;
  }
  commit_hooks_.push_back(std::move(hook));
}

void Store::run_commit_hooks(const std::string* error) {
  std::vector<CommitHook> hooks;
  hooks.swap(commit_hooks_);
  for (auto& hook : hooks) hook(error);
}

bool Store::in_batch() const {
  return in_batch_;
}

std::int64_t Store::insert_job(const Job& job, const Transition& first) {
  return guarded(path_, *db_, in_batch_, "insert job", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::several);
    bind_job(statements_->insert_job, job);
    run(statements_->insert_job);
    const auto id = db_->getLastInsertRowid();
    run_insert_transition(statements_->insert_transition, id, first);  // the row is there
    deltas_.add_job(job.endpoint, job.state);
    deltas_.transitions += 1;
    scope.commit();
    return id;
  });
}

// A job deleted meanwhile (forgotten while its poll was in flight) is not an
// error: update_job, insert_transition, replace_results and insert_poll then
// write nothing.
bool Store::update_job(const Job& job) {
  return guarded(path_, *db_, in_batch_, "update job", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::one_statement);
    const auto stored = stored_state(job.id);
    if (!stored) return false;
    auto& s = statements_->update_job;
    bind_job(s, job);
    s.bind(static_cast<int>(kJobFields.size()) + 1, job.id);
    const bool updated = run(s) > 0;
    if (updated) deltas_.move_job(stored->endpoint, stored->state, job.state);
    scope.commit();
    return updated;
  });
}

bool Store::update_job(const Job& before, const Job& after) {
  return guarded(path_, *db_, in_batch_, "update job", [&] {
    static const FieldMask kMutable = mutable_fields();
    // next_poll_at is always written: PollNow may have moved it since the
    // snapshot, and the poll's own schedule must win (a poll changes it anyway).
    static const FieldMask kNextPoll = FieldMask{1} << field_index("next_poll_at");
    static const FieldMask kState = FieldMask{1} << field_index("state");
    const FieldMask changed = (job_differences(before, after) | kNextPoll) & kMutable;
    const auto id_index = static_cast<int>(kJobFields.size()) + 1;
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::one_statement);
    if (!(changed & kState)) {
      auto& s = statements_->update_fields(changed);
      bind_job(s, after, changed);
      s.bind(id_index, after.id);
      const bool updated = run(s) > 0;
      scope.commit();
      return updated;
    }
    // A state change moves the job between counts, from the state as
    // stored. That is the snapshot's (nothing but Forget changes an
    // in-flight job's row), so the UPDATE asks for it instead of a read
    // first; the row is read only if it is gone or was changed after all.
    {
      auto& s = statements_->update_fields(changed | kIfStateIs);
      bind_job(s, after, changed);
      s.bind(id_index, after.id);
      bind_state(s, id_index + 1, before.state);
      if (run(s) > 0) {
        deltas_.move_job(after.endpoint, before.state, after.state);
        scope.commit();
        return true;
      }
    }
    const auto stored = stored_state(after.id);
    if (!stored) return false;
    auto& s = statements_->update_fields(changed);
    bind_job(s, after, changed);
    s.bind(id_index, after.id);
    const bool updated = run(s) > 0;
    if (updated) deltas_.move_job(stored->endpoint, stored->state, after.state);
    scope.commit();
    return updated;
  });
}

void Store::insert_transition(std::int64_t job_id, const Transition& transition) {
  guarded(path_, *db_, in_batch_, "insert transition", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::one_statement);
    {
      auto& exists = statements_->job_exists;
      ResetOnExit reset(exists);
      exists.bind(1, job_id);
      if (!exists.executeStep()) return;  // forgotten meanwhile: nothing to record
    }
    run_insert_transition(statements_->insert_transition, job_id, transition);
    deltas_.transitions += 1;
    scope.commit();
  });
}

void Store::insert_transition_of_present_job(std::int64_t job_id, const Transition& transition) {
  guarded(path_, *db_, in_batch_, "insert transition", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::one_statement);
    run_insert_transition(statements_->insert_transition, job_id, transition);
    deltas_.transitions += 1;
    scope.commit();
  });
}

void Store::replace_results(std::int64_t job_id, const std::vector<RowResult>& rows) {
  guarded(path_, *db_, in_batch_, "replace results", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::several);
    auto& stored = statements_->set_results_stored;
    stored.bind(1, job_id);
    stored.bind(2, static_cast<std::int64_t>(rows.size()));
    if (run(stored) == 0) return;  // no such job
    delete_all_results(job_id);
    for (const auto& row : rows) insert_row(statements_->insert_result, job_id, row);
    scope.commit();
  });
}

bool Store::begin_results(std::int64_t job_id) {
  return guarded(path_, *db_, in_batch_, "begin results", [&] {
    if (!in_batch_) throw StoreError("begin_results needs an open batch");
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::several);
    auto& stored = statements_->set_results_stored;
    stored.bind(1, job_id);
    stored.bind(2, std::int64_t{0});
    if (run(stored) == 0) return false;  // no such job
    delete_all_results(job_id);
    scope.commit();
    return true;
  });
}

// No savepoint per row: a failed insert fails the batch (the caller rolls
// it back), and a million savepoints would double the cost of the rows.
void Store::add_result(std::int64_t job_id, const RowResult& row) {
  guarded(path_, *db_, in_batch_, "insert result",
          [&] { insert_row(statements_->insert_result, job_id, row); });
}

void Store::add_results(std::int64_t job_id, const std::vector<RowResult>& rows) {
  constexpr int kColumns = 7;
  guarded(path_, *db_, in_batch_, "insert results", [&] {
    std::size_t at = 0;
    if (rows.size() >= static_cast<std::size_t>(kResultsPerInsert)) {
      if (!insert_results_) {
        std::string sql =
            "INSERT INTO import_results (job_id, row, record_id, created, existing, error_code, "
            "error_message) VALUES ";
        for (int i = 0; i < kResultsPerInsert; ++i)
          sql += i == 0 ? "(?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?)";
        insert_results_ = std::make_unique<SQLite::Statement>(*db_, sql);
      }
      SQLite::Statement& insert = *insert_results_;
      for (; rows.size() - at >= static_cast<std::size_t>(kResultsPerInsert);
           at += kResultsPerInsert) {
        for (int i = 0; i < kResultsPerInsert; ++i) {
          const RowResult& row = rows[at + static_cast<std::size_t>(i)];
          const int base = i * kColumns;
          insert.bind(base + 1, job_id);
          insert.bind(base + 2, row.row);
          bind_opt_nocopy(insert, base + 3, row.record_id);
          bind_opt(insert, base + 4, row.created);
          bind_opt(insert, base + 5, row.existing);
          bind_opt_nocopy(insert, base + 6, row.error_code);
          bind_opt_nocopy(insert, base + 7, row.error_message);
        }
        run(insert);
      }
    }
    for (; at < rows.size(); ++at) insert_row(statements_->insert_result, job_id, rows[at]);
  });
}

void Store::end_results(std::int64_t job_id, std::int64_t count) {
  guarded(path_, *db_, in_batch_, "end results", [&] {
    auto& stored = statements_->set_results_stored;
    stored.bind(1, job_id);
    stored.bind(2, count);
    run(stored);
  });
}

void Store::insert_poll(const PollRecord& poll) {
  write_poll(statements_->insert_poll, poll);
}

void Store::insert_poll_of_present_job(const PollRecord& poll) {
  write_poll(statements_->insert_known_poll, poll);
}

void Store::write_poll(SQLite::Statement& s, const PollRecord& poll) {
  guarded(path_, *db_, in_batch_, "insert poll", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::one_statement);
    s.bind(1, poll.job_id);
    s.bindNoCopy(2, poll.endpoint);
    s.bind(3, poll.started_at);
    s.bind(4, poll.latency);
    if (poll.http_status) {
      s.bind(5, static_cast<std::int64_t>(*poll.http_status));
    } else {
      s.bind(5);
    }
    s.bind(6, poll.outcome);
    bind_opt(s, 7, poll.error);
    run(s);
    scope.commit();
  });
}

// In statements of kDeleteChunk rows: SQLite keeps a statement's journal
// (the pages it changed, for undoing the statement alone) in memory
// (configure_sqlite()), so one statement deleting a million rows would
// hold tens of MB; a chunk holds a few hundred KB. (An enclosing savepoint
// would keep them all again: see delete_job().)
void Store::delete_all_results(std::int64_t job_id) {
  auto& remove = statements_->delete_results_chunk;
  for (;;) {
    remove.bind(1, job_id);
    remove.bind(2, kDeleteChunk);
    if (run(remove) < kDeleteChunk) return;
  }
}

// Its results first, in chunks (one statement for a million rows would hold
// them all in its journal), then its transitions and polls: the connection
// enforces no foreign keys, so nothing cascades. Outside a batch, all of it
// is one transaction. Inside one, no savepoint either: a savepoint's journal
// would keep every deleted page until its release; a failure here fails the
// batch, which every caller then rolls back.
bool Store::delete_job(std::int64_t job_id) {
  return guarded(path_, *db_, in_batch_, "delete job", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::one_statement);
    const auto stored = stored_state(job_id);
    delete_all_results(job_id);
    auto& transitions = statements_->delete_transitions;
    transitions.bind(1, job_id);
    deltas_.transitions -= run(transitions);
    auto& polls = statements_->delete_polls;
    polls.bind(1, job_id);
    run(polls);
    auto& s = statements_->delete_job;
    s.bind(1, job_id);
    const bool deleted = run(s) > 0;
    if (deleted && stored) deltas_.add_job(stored->endpoint, stored->state, -1);
    scope.commit();
    return deleted;
  });
}

std::optional<Store::StoredState> Store::stored_state(std::int64_t job_id) {
  auto& s = statements_->job_state;
  ResetOnExit reset(s);
  s.bind(1, job_id);
  if (!s.executeStep()) return std::nullopt;
  return StoredState{s.getColumn(0).getString(), state_of(s.getColumn(1))};
}

std::optional<Job> Store::get(std::int64_t job_id) {
  return guarded(path_, *db_, in_batch_, "get job", [&]() -> std::optional<Job> {
    auto& s = statements_->get;
    ResetOnExit reset(s);
    s.bind(1, job_id);
    if (!s.executeStep()) return std::nullopt;
    return read_job(s);
  });
}

std::optional<Job> Store::find(const std::string& endpoint, const std::string& remote_id) {
  return guarded(path_, *db_, in_batch_, "find job", [&]() -> std::optional<Job> {
    auto& s = statements_->find;
    ResetOnExit reset(s);
    s.bind(1, endpoint);
    s.bind(2, remote_id);
    if (!s.executeStep()) return std::nullopt;
    return read_job(s);
  });
}

// A negative limit means no limit (SQLite's LIMIT -1).
std::vector<Job> Store::list(const ListFilter& filter) {
  return guarded(path_, *db_, in_batch_, "list jobs", [&] {
    std::vector<std::string> states;
    for (const auto state : filter.states) states.emplace_back(to_string(state));
    std::sort(states.begin(), states.end());
    states.erase(std::unique(states.begin(), states.end()), states.end());

    std::string sql = select_jobs_sql() + " WHERE 1";
    if (!states.empty()) {
      sql += " AND state IN (";
      for (std::size_t i = 0; i < states.size(); ++i) sql += i == 0 ? "?" : ", ?";
      sql += ")";
    }
    if (filter.endpoint) sql += " AND endpoint = ?";
    if (filter.label) sql += " AND label = ?";
    if (filter.terminal)
      sql += fmt::format(" AND state {} {}", *filter.terminal ? "NOT IN" : "IN", kActive);
    if (filter.submitted_since) sql += " AND submitted_at >= ?";
    if (filter.submitted_until) sql += " AND submitted_at <= ?";
    sql += " ORDER BY " + order_clause(filter.order) + " LIMIT ?";

    auto& s = statements_->list(sql);
    ResetOnExit reset(s);
    int index = 0;
    for (const auto& state : states) s.bind(++index, state);
    if (filter.endpoint) s.bind(++index, *filter.endpoint);
    if (filter.label) s.bind(++index, *filter.label);
    if (filter.submitted_since) s.bind(++index, *filter.submitted_since);
    if (filter.submitted_until) s.bind(++index, *filter.submitted_until);
    s.bind(++index, filter.limit);

    std::vector<Job> jobs;
    while (s.executeStep()) jobs.push_back(read_job(s));
    return jobs;
  });
}

std::vector<Transition> Store::history(std::int64_t job_id) {
  return guarded(path_, *db_, in_batch_, "read history", [&] {
    auto& s = statements_->history;
    ResetOnExit reset(s);
    s.bind(1, job_id);
    std::vector<Transition> transitions;
    while (s.executeStep()) {
      Transition t;
      t.at = s.getColumn(0).getInt64();
      if (!s.getColumn(1).isNull()) t.from = state_of(s.getColumn(1));
      t.to = state_of(s.getColumn(2));
      t.remote_status = opt_text(s.getColumn(3));
      t.progress = opt_real(s.getColumn(4));
      t.detail = opt_text(s.getColumn(5));
      transitions.push_back(std::move(t));
    }
    return transitions;
  });
}

// A row is an error when it carries an error code or message. A limit below
// 1 is taken as 1, so paging always advances.
ResultsPage Store::results(std::int64_t job_id, std::optional<std::int64_t> after_row, int limit,
                           bool errors_only) {
  return guarded(path_, *db_, in_batch_, "read results", [&] {
    const std::int64_t page_size = std::max(limit, 1);
    ResultsPage page;
    {
      auto& s = statements_->results_page;
      ResetOnExit reset(s);
      s.bind(1, job_id);
      s.bind(2, after_row.value_or(std::numeric_limits<std::int64_t>::min()));
      s.bind(3, errors_only ? 1 : 0);
      s.bind(4, page_size + 1);  // one more than asked tells whether a next page exists
      while (s.executeStep()) {
        if (static_cast<std::int64_t>(page.rows.size()) == page_size) {
          page.next_row = page.rows.back().row;
          break;
        }
        RowResult row;
        row.row = s.getColumn(0).getInt64();
        row.record_id = opt_text(s.getColumn(1));
        row.created = opt_bool(s.getColumn(2));
        row.existing = opt_bool(s.getColumn(3));
        row.error_code = opt_text(s.getColumn(4));
        row.error_message = opt_text(s.getColumn(5));
        page.rows.push_back(std::move(row));
      }
    }
    // results_stored is kept equal to the row count by replace_results and
    // spares counting a million rows for every page.
    auto& total = errors_only ? statements_->results_errors : statements_->results_stored;
    ResetOnExit reset(total);
    total.bind(1, job_id);
    page.total = total.executeStep() ? total.getColumn(0).getInt64() : 0;
    return page;
  });
}

std::vector<Job> Store::due(const std::string& endpoint, Millis now, int limit,
                            const std::vector<std::int64_t>& exclude) {
  return guarded(path_, *db_, in_batch_, "read due jobs", [&] {
    auto& s = statements_->due;
    ResetOnExit reset(s);
    s.bind(1, endpoint);
    s.bind(2, now);
    s.bind(3, json_ids(exclude));
    s.bind(4, limit);
    std::vector<Job> jobs;
    while (s.executeStep()) jobs.push_back(read_job(s));
    return jobs;
  });
}

std::optional<Millis> Store::next_due(const std::string& endpoint,
                                      const std::vector<std::int64_t>& exclude) {
  return guarded(path_, *db_, in_batch_, "read next due time", [&]() -> std::optional<Millis> {
    auto& s = statements_->next_due;
    ResetOnExit reset(s);
    s.bind(1, endpoint);
    s.bind(2, json_ids(exclude));
    if (!s.executeStep()) return std::nullopt;
    return s.getColumn(0).getInt64();
  });
}

// by_state lists all nine states in declaration order, zeros included.
// The counts come from job_counts and row_counts, kept by triggers
// (schema/003_counts.sql) for other writers and by this connection itself
// (count_deltas.h): a few rows read, whatever the number of jobs.
StoreCounters Store::counters() {
  return guarded(path_, *db_, in_batch_, "count jobs", [&] {
    constexpr std::array<State, 9> kStates = {State::queued,  State::running,   State::succeeded,
                                              State::partial, State::failed,    State::cancelled,
                                              State::expired, State::not_found, State::timed_out};
    StoreCounters counters;
    for (const auto state : kStates) counters.by_state.emplace_back(state, 0);
    {
      auto& s = statements_->count_by_state;
      ResetOnExit reset(s);
      while (s.executeStep()) {
        const auto state = state_of(s.getColumn(0));
        const auto n = s.getColumn(1).getInt64();
        for (auto& [known, number] : counters.by_state) {
          if (known == state) number = n;
        }
        counters.jobs_total += n;
        if (!is_terminal(state)) counters.jobs_active += n;
      }
    }
    counters.transitions_total = count(statements_->count_transitions);
    // The open batch's own changes, not yet in the tables.
    for (auto& [state, number] : counters.by_state) {
      const auto delta = deltas_.jobs_in(state);
      number += delta;
      counters.jobs_total += delta;
      if (!is_terminal(state)) counters.jobs_active += delta;
    }
    counters.transitions_total += deltas_.transitions;
    return counters;
  });
}

std::int64_t Store::count_jobs(const std::string& endpoint, bool active_only) {
  return guarded(path_, *db_, in_batch_, "count jobs", [&] {
    auto& s = statements_->count_jobs;
    ResetOnExit reset(s);
    s.bind(1, endpoint);
    std::int64_t total = 0;
    while (s.executeStep()) {
      const State state = state_of(s.getColumn(0));
      if (!active_only || !is_terminal(state)) total += s.getColumn(1).getInt64();
    }
    // The open batch's own changes, not yet in the table.
    for (std::size_t i = 0; i < CountDeltas::kStates; ++i) {
      const auto state = static_cast<State>(i);
      if (!active_only || !is_terminal(state)) total += deltas_.jobs_of(endpoint, state);
    }
    return total;
  });
}

// Failed means any outcome but "ok".
std::int64_t Store::polls_since(Millis since, bool failed_only) {
  return guarded(path_, *db_, in_batch_, "count polls", [&] {
    auto& s = statements_->polls_since;
    s.bind(1, since);
    s.bind(2, failed_only ? 1 : 0);
    return count(s);
  });
}

std::int64_t Store::file_bytes() {
  std::int64_t bytes = 0;
  for (const auto& file : {path_, path_ + "-wal"}) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (!error) bytes += static_cast<std::int64_t>(size);
  }
  return bytes;
}

std::int64_t Store::prune_polls(Millis before, int limit) {
  return guarded(path_, *db_, in_batch_, "prune polls", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::one_statement);
    auto& s = statements_->prune_polls;
    s.bind(1, before);
    s.bind(2, limit);
    const std::int64_t deleted = run(s);
    scope.commit();
    return deleted;
  });
}

std::vector<std::string> Store::expiring_endpoints() {
  return guarded(path_, *db_, in_batch_, "read expiring endpoints", [&] {
    auto& s = statements_->expiring_endpoints;
    ResetOnExit reset(s);
    std::vector<std::string> names;
    while (s.executeStep()) names.push_back(s.getColumn(0).getString());
    return names;
  });
}

std::vector<std::int64_t> Store::expired_jobs(const std::string& endpoint, Millis before,
                                              int limit) {
  return guarded(path_, *db_, in_batch_, "read expired jobs", [&] {
    auto& s = statements_->expired_jobs;
    ResetOnExit reset(s);
    s.bind(1, endpoint);
    s.bind(2, before);
    s.bind(3, limit);
    std::vector<std::int64_t> ids;
    while (s.executeStep()) ids.push_back(s.getColumn(0).getInt64());
    return ids;
  });
}

std::optional<Millis> Store::next_expiry(const std::string& endpoint) {
  return guarded(path_, *db_, in_batch_, "read next expiry", [&]() -> std::optional<Millis> {
    auto& s = statements_->next_expiry;
    ResetOnExit reset(s);
    s.bind(1, endpoint);
    if (!s.executeStep()) return std::nullopt;
    return opt_int(s.getColumn(0));
  });
}

std::int64_t Store::delete_results_chunk(std::int64_t job_id, int limit) {
  return guarded(path_, *db_, in_batch_, "delete results", [&] {
    WriteScope scope(*db_, statements_->tx, deltas_, Writes::several);
    auto& remove = statements_->delete_results_chunk;
    remove.bind(1, job_id);
    remove.bind(2, limit);
    const std::int64_t deleted = run(remove);
    if (deleted > 0) {
      auto& lower = statements_->lower_results_stored;
      lower.bind(1, job_id);
      lower.bind(2, deleted);
      run(lower);
    }
    scope.commit();
    return deleted;
  });
}

std::optional<Millis> Store::oldest_poll() {
  return guarded(path_, *db_, in_batch_, "read oldest poll", [&]() -> std::optional<Millis> {
    auto& s = statements_->oldest_poll;
    ResetOnExit reset(s);
    if (!s.executeStep()) return std::nullopt;
    return opt_int(s.getColumn(0));
  });
}

std::int64_t Store::incremental_vacuum(int pages) {
  return guarded(path_, *db_, in_batch_, "incremental vacuum", [&] {
    // exec() steps the pragma to the end; each step frees one page.
    db_->exec(fmt::format("PRAGMA incremental_vacuum({})", std::max(pages, 1)));
    return db_->execAndGet("PRAGMA freelist_count").getInt64();
  });
}

std::int64_t Store::free_pages() {
  return guarded(path_, *db_, in_batch_, "count free pages",
                 [&] { return db_->execAndGet("PRAGMA freelist_count").getInt64(); });
}

Store::Checkpoint Store::checkpoint_passive() {
  if (sqlite3_get_autocommit(db_->getHandle()) == 0) {
    throw StoreError(fmt::format("database {}: checkpoint inside a transaction", path_));
  }
  Checkpoint result;
  const int rc = sqlite3_wal_checkpoint_v2(db_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &result.wal_frames, &result.checkpointed);
  // BUSY only means another connection is checkpointing: not done yet, and
  // no error either; the caller looks again later.
  result.busy = rc == SQLITE_BUSY;
  if (rc != SQLITE_OK && !result.busy) {
    throw StoreError(fmt::format("database {}: checkpoint: {}", path_, sqlite3_errstr(rc)));
  }
  return result;
}

}  // namespace jobtrack
