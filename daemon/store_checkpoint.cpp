// Store::checkpoint_off_thread: hands WAL checkpoints to a Checkpointer
// through SQLite's WAL hook (see checkpointer.h for why).
#include <algorithm>
#include <cstdint>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "daemon/checkpointer.h"
#include "daemon/store.h"

namespace jobtrack {
namespace {

// Called by SQLite on the Store's thread after each commit that wrote to
// the WAL. Installing it turns SQLite's own automatic checkpoint off.
int on_wal_commit(void* checkpointer, sqlite3*, const char*, int frames) {
  static_cast<Checkpointer*>(checkpointer)->wal_grew(frames);
  return SQLITE_OK;
}

}  // namespace

void Store::checkpoint_off_thread(int threshold_frames) {
  if (checkpointer_) return;
  try {
    checkpointer_ = std::make_unique<Checkpointer>(path_, threshold_frames);
  } catch (const std::exception& error) {
    // SQLite's automatic checkpoint stays: slower commits, nothing lost.
    throw StoreError(
        fmt::format("database {}: cannot start the checkpoint thread: {}", path_, error.what()));
  }
  sqlite3_wal_hook(db_->getHandle(), &on_wal_commit, checkpointer_.get());
  // The WAL is restarted (written again from its start) once a checkpoint
  // has caught up, at about threshold_frames frames. A limit below that
  // would cut the file at every restart and have each cycle extend it
  // again: in the poll benchmark the loop's WAL writes were then the
  // kernel allocating and zeroing fresh file pages. Kept at that size, they
  // overwrite pages the page cache already holds.
  const std::int64_t frame_bytes = db_->execAndGet("PRAGMA page_size").getInt64() + 24;
  const std::int64_t limit =
      std::max(kJournalSizeLimit, (static_cast<std::int64_t>(threshold_frames) + 64) * frame_bytes);
  db_->exec(fmt::format("PRAGMA journal_size_limit = {}", limit));
}

void Store::stop_checkpointer() {
  if (!checkpointer_) return;
  sqlite3_wal_hook(db_->getHandle(), nullptr, nullptr);
  checkpointer_.reset();
}

}  // namespace jobtrack
