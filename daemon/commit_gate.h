// The CommitGate decides when the store's open batch is committed. Normally
// every loop iteration commits what it wrote (the daemon's post handler
// calls commit()), and a call that must be answered only once its write is
// durable (Track, Forget, PollNow) waits on Store::after_commit.
//
// A streamed result set too large for one iteration holds the gate: its rows
// go into the batch a slice per iteration, and the batch must not be
// committed until the last row is in, or an outside reader (or a restart
// after a crash) would see half of them. While held, commit() does nothing,
// so the store's commit hooks (and the answers waiting on them) run with the
// commit that follows the release, or learn of a rollback. Reads are
// answered meanwhile as usual.
//
// Loop thread only.
#pragma once

namespace jobtrack {

class Store;

class CommitGate {
 public:
  explicit CommitGate(Store& store) : store_(store) {}
  CommitGate(const CommitGate&) = delete;
  CommitGate& operator=(const CommitGate&) = delete;

  void hold() { ++holds_; }
  void release();
  bool held() const { return holds_ > 0; }

  // Commits the open batch unless held; returns whether a batch with writes
  // was committed. Throws StoreError (the batch rolled back, its hooks told)
  // when the commit fails.
  bool commit();

 private:
  Store& store_;
  int holds_ = 0;
};

}  // namespace jobtrack
