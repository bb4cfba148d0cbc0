// The CommitGate decides when the store's open batch is committed. The
// daemon's post handler asks it after every loop iteration that did
// something (commit_if_due). A batch that someone waits on is committed at
// once: a call that must be answered only once its write is durable (Track,
// Forget, PollNow), a Wait stream or a hook waits on Store::after_commit.
// A batch nobody waits on (the poll path's updates, transitions and poll
// records) is committed once it is kMaxBatchAge old, so that a busy loop
// commits a few dozen times a second instead of once per iteration: each
// commit writes its pages to the WAL again, and the checkpoint after it
// copies them once more. What such a batch holds is never acknowledged to
// anyone, and a crash before its commit only means those jobs are polled
// again.
//
// A streamed result set too large for one iteration holds the gate: its rows
// go into the batch a slice per iteration, and the batch must not be
// committed until the last row is in, or an outside reader (or a restart
// after a crash) would see half of them. While held, nothing is committed,
// so the store's commit hooks (and the answers waiting on them) run with the
// commit that follows the release, or learn of a rollback. Reads are
// answered meanwhile as usual.
//
// Loop thread only.
#pragma once

#include <cstdint>
#include <optional>

#include "daemon/job.h"

namespace jobtrack {

class Store;

class CommitGate {
 public:
  // How long a batch nobody waits on may stay open.
  static constexpr Millis kMaxBatchAge = 20;

  explicit CommitGate(Store& store) : store_(store) {}
  CommitGate(const CommitGate&) = delete;
  CommitGate& operator=(const CommitGate&) = delete;

  void hold() { ++holds_; }
  void release();
  bool held() const { return holds_ > 0; }

  // Commits the open batch now unless held; returns whether a batch with
  // writes was committed. Throws StoreError (the batch rolled back, its
  // hooks told) when the commit fails.
  bool commit();

  struct Due {
    bool committed = false;           // a batch with writes was committed
    std::optional<Millis> commit_at;  // the batch left open is due then
  };
  // Commits the open batch if it is due at `now` (monotonic): someone waits
  // on it, or it is kMaxBatchAge old. Otherwise says when it will be. Does
  // nothing while held. Throws as commit() does.
  Due commit_if_due(Millis now);

 private:
  Store& store_;
  int holds_ = 0;
  std::uint64_t seen_batch_ = 0;  // the batch serial opened_at_ belongs to
  Millis opened_at_ = 0;          // when commit_if_due first saw that batch
};

}  // namespace jobtrack
