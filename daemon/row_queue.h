// RowQueue carries a streamed result set from the thread that parses it to
// the loop thread that stores it: batches of rows, then the poll's reading
// (the PollResult) once the whole body is read. It is bounded, so a parser
// that runs ahead of the inserts waits instead of filling memory: memory is
// at most max_batches batches, however large the body.
//
// The loop learns of work through fd(), an eventfd that is readable while a
// batch or the result waits; it stays readable until pop() finds the queue
// empty, so a loop that stores only part of the queue in one iteration is
// woken again for the rest.
//
// Threads: one producer (push, close) and one consumer (fd, pop, take_result,
// cancel); cancel() makes the producer's current and later push() return
// false so it can stop early. Owned by the Ingest that runs both.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "daemon/job.h"
#include "daemon/poll_result.h"
#include "daemon/thread_annotations.h"

namespace jobtrack {

class RowQueue {
 public:
  // Throws std::system_error when no eventfd can be made.
  explicit RowQueue(std::size_t max_batches);
  ~RowQueue();
  RowQueue(const RowQueue&) = delete;
  RowQueue& operator=(const RowQueue&) = delete;

  int fd() const { return fd_; }

  // Producer. Waits while the queue is full; false (batch dropped) once cancelled.
  bool push(std::vector<RowResult>&& batch) EXCLUDES(mutex_);
  // Producer: the body is read; no push() follows.
  void close(PollResult result) EXCLUDES(mutex_);

  // Consumer. The next batch, or nullopt when none waits (never blocks).
  std::optional<std::vector<RowResult>> pop() EXCLUDES(mutex_);
  // Consumer: the result, once closed and every batch popped.
  std::optional<PollResult> take_result() EXCLUDES(mutex_);
  void cancel() EXCLUDES(mutex_);

 private:
  void signal() REQUIRES(mutex_);
  void unsignal() REQUIRES(mutex_);

  const int fd_;
  const std::size_t max_batches_;
  Mutex mutex_;
  std::condition_variable_any not_full_;
  std::deque<std::vector<RowResult>> batches_ GUARDED_BY(mutex_);
  std::optional<PollResult> result_ GUARDED_BY(mutex_);
  bool cancelled_ GUARDED_BY(mutex_) = false;
  bool signalled_ GUARDED_BY(mutex_) = false;
};

}  // namespace jobtrack
