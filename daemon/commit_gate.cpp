#include "daemon/commit_gate.h"

#include "daemon/store.h"

namespace jobtrack {

void CommitGate::release() {
  if (holds_ > 0) --holds_;
}

bool CommitGate::commit() {
  if (held()) return false;
  const bool wrote = store_.in_batch();
  store_.commit_batch();
  return wrote;
}

// A batch is first seen by the post handler of the iteration that opened
// it, so that iteration's time is its age's start.
CommitGate::Due CommitGate::commit_if_due(Millis now) {
  if (held() || !store_.in_batch()) return {};
  if (store_.batch_serial() != seen_batch_) {
    seen_batch_ = store_.batch_serial();
    opened_at_ = now;
  }
  const Millis due_at = opened_at_ + kMaxBatchAge;
  if (store_.commit_awaited() || now >= due_at) return {commit(), std::nullopt};
  return {false, due_at};
}

}  // namespace jobtrack
