// The CommitGate decides when the store's open batch is committed and tells
// those waiting for that commit. Normally every loop iteration commits what
// it wrote (the daemon's post handler calls commit()), and a handler that
// must answer only once its write is durable (Track, Forget, PollNow) gets
// its commit at once from after_commit().
//
// A streamed result set too large for one iteration holds the gate: its rows
// go into the batch a slice per iteration, and the batch must not be
// committed until the last row is in, or an outside reader (or a restart
// after a crash) would see half of them. While held, commit() does nothing
// and after_commit() queues its callback until the batch is committed (or
// learns that it was rolled back). Reads are answered meanwhile as usual.
//
// Loop thread only. Callbacks run from commit() or after_commit(), never
// from inside hold() or release().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace jobtrack {

class Store;

class CommitGate {
 public:
  // nullptr when the batch holding the caller's writes was committed;
  // otherwise why it was not (the writes are gone).
  using Committed = std::function<void(const std::string* error)>;

  explicit CommitGate(Store& store) : store_(store) {}
  CommitGate(const CommitGate&) = delete;
  CommitGate& operator=(const CommitGate&) = delete;

  void hold() { ++holds_; }
  void release();
  bool held() const { return holds_ > 0; }

  // Commits now when not held, else once the held batch is committed.
  void after_commit(Committed callback);
  // Commits the open batch unless held; returns whether a batch with writes
  // was committed. Throws StoreError (after rolling back and telling the
  // waiting callbacks) when the commit fails.
  bool commit();

 private:
  struct Waiting {
    std::uint64_t batch;  // Store::batch_serial() when the callback was queued
    Committed callback;
  };
  void settle(std::optional<std::uint64_t> committed, const std::string* error);

  Store& store_;
  int holds_ = 0;
  std::vector<Waiting> waiting_;
};

}  // namespace jobtrack
