// The Checkpointer copies the WAL back into the database file on a thread
// of its own, so the loop never does it. SQLite's automatic checkpoint runs
// inside the COMMIT that crosses its threshold, on the committing thread:
// after a million-row result set that is some 70 MB copied and synced while
// the loop waits (about 200 ms here). The Store instead reports the WAL's
// size after each commit (wal_grew(), from SQLite's WAL hook); past the
// threshold this thread runs a PASSIVE checkpoint through a connection of
// its own. PASSIVE never waits for readers or the writer, so the loop's
// writes go on meanwhile; the writer restarts the WAL at its next
// transaction once a checkpoint has caught up (cheap, no copying).
//
// Ownership: the Store that installs it owns it; it owns its thread and its
// connection, both gone once the destructor returns. Threads: wal_grew()
// from the Store's thread; everything else on the checkpoint thread.
// Failures (an unreadable file) are kept and logged by the next wal_grew()
// on the Store's thread (logging is not for other threads), and the
// checkpoint is tried again at the next report past the threshold: a WAL
// that is not checkpointed only grows, nothing is lost.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <string>
#include <thread>

#include "daemon/thread_annotations.h"

namespace jobtrack {

class Checkpointer {
 public:
  // Starts the thread; throws std::system_error when it cannot.
  Checkpointer(std::string path, int threshold_frames);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // The WAL now holds `frames` frames (called after each commit).
  void wal_grew(int frames) EXCLUDES(mutex_);

  // Checkpoints completed so far (tests wait on it).
  std::int64_t runs() const EXCLUDES(mutex_);

 private:
  void run() EXCLUDES(mutex_);

  const std::string path_;
  const int threshold_;
  mutable Mutex mutex_;
  std::condition_variable_any wake_;
  bool wanted_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::int64_t runs_ GUARDED_BY(mutex_) = 0;
  std::string failure_ GUARDED_BY(mutex_);  // not yet logged
  std::thread thread_;                      // last: started once the rest is ready
};

}  // namespace jobtrack
