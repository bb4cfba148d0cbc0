#include "daemon/checkpointer.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include "daemon/log.h"

namespace jobtrack {

Checkpointer::Checkpointer(std::string path, int threshold_frames)
    : path_(std::move(path)), threshold_(threshold_frames), thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::wal_grew(int frames) {
  std::string failure;
  {
    MutexLock lock(mutex_);
    failure.swap(failure_);
    if (frames >= threshold_) wanted_ = true;
  }
  if (frames >= threshold_) wake_.notify_one();
  if (!failure.empty()) log_warning(failure);
}

std::int64_t Checkpointer::runs() const {
  MutexLock lock(mutex_);
  return runs_;
}

void Checkpointer::run() {
  sqlite3* db = nullptr;
  for (;;) {
    {
      MutexLock lock(mutex_);
      wake_.wait(mutex_, [this]() REQUIRES(mutex_) { return wanted_ || stopping_; });
      if (stopping_) break;
      wanted_ = false;
    }
    // Opened on first use: by then the Store has made the file a WAL database.
    // The connection is this thread's alone, hence NOMUTEX.
    // A read makes the new connection's pager find the WAL; until then a
    // checkpoint through it reports success having copied nothing.
    if (!db && (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                nullptr) != SQLITE_OK ||
                sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) !=
                    SQLITE_OK)) {
      MutexLock lock(mutex_);
      failure_ = fmt::format("database {}: cannot open a connection to checkpoint: {}", path_,
                             db ? sqlite3_errmsg(db) : "out of memory");
      sqlite3_close(db);
      db = nullptr;
      continue;
    }
    const int rc =
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    MutexLock lock(mutex_);
    // BUSY: another checkpoint (the sweeper's) is running; the next report retries.
    if (rc == SQLITE_OK) {
      runs_ += 1;
    } else if (rc != SQLITE_BUSY) {
      failure_ = fmt::format("database {}: checkpoint: {}", path_, sqlite3_errstr(rc));
    }
  }
  sqlite3_close(db);
}

}  // namespace jobtrack
