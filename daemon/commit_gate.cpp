#include "daemon/commit_gate.h"

#include <optional>

#include "daemon/store.h"

namespace jobtrack {

void CommitGate::release() {
  if (holds_ > 0) --holds_;
}

// Without an open batch the caller's writes committed on their own.
void CommitGate::after_commit(Committed callback) {
  if (!store_.in_batch()) {
    callback(nullptr);
    return;
  }
  waiting_.push_back({store_.batch_serial(), std::move(callback)});
  if (!held()) commit();
}

bool CommitGate::commit() {
  if (held()) return false;
  const bool wrote = store_.in_batch();
  const std::optional<std::uint64_t> batch =
      wrote ? std::optional<std::uint64_t>(store_.batch_serial()) : std::nullopt;
  try {
    store_.commit_batch();
  } catch (const StoreError& error) {
    const std::string message = error.what();
    settle(std::nullopt, &message);
    throw;
  }
  settle(batch, nullptr);
  return wrote;
}

// Called right after a commit of `committed` (nullopt: none was open) or a
// failed one (error). A callback waiting for another batch lost its writes
// to a rollback.
void CommitGate::settle(std::optional<std::uint64_t> committed, const std::string* error) {
  if (waiting_.empty()) return;
  static const std::string kRolledBack = "the batch holding the write was rolled back";
  std::vector<Waiting> waiting;
  waiting.swap(waiting_);
  for (auto& entry : waiting) {
    if (error) {
      entry.callback(error);
    } else if (committed && entry.batch == *committed) {
      entry.callback(nullptr);
    } else {
      entry.callback(&kRolledBack);
    }
  }
}

}  // namespace jobtrack
