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

}  // namespace jobtrack
