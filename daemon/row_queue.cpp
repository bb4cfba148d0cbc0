#include "daemon/row_queue.h"

#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace jobtrack {
namespace {

int make_eventfd() {
  const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

}  // namespace

RowQueue::RowQueue(std::size_t max_batches)
    : fd_(make_eventfd()), max_batches_(max_batches > 0 ? max_batches : 1) {}

RowQueue::~RowQueue() {
  ::close(fd_);
}

bool RowQueue::push(std::vector<RowResult>&& batch) {
  MutexLock lock(mutex_);
  not_full_.wait(
      mutex_, [this]() REQUIRES(mutex_) { return cancelled_ || batches_.size() < max_batches_; });
  if (cancelled_) return false;
  batches_.push_back(std::move(batch));
  signal();
  return true;
}

void RowQueue::close(PollResult result) {
  MutexLock lock(mutex_);
  result_ = std::move(result);
  signal();
}

std::optional<std::vector<RowResult>> RowQueue::pop() {
  MutexLock lock(mutex_);
  if (batches_.empty()) {
    if (!result_) unsignal();
    return std::nullopt;
  }
  std::vector<RowResult> batch = std::move(batches_.front());
  batches_.pop_front();
  not_full_.notify_one();
  return batch;
}

std::optional<PollResult> RowQueue::take_result() {
  MutexLock lock(mutex_);
  if (!batches_.empty() || !result_) return std::nullopt;
  std::optional<PollResult> out = std::move(result_);
  result_.reset();
  unsignal();
  return out;
}

void RowQueue::cancel() {
  MutexLock lock(mutex_);
  cancelled_ = true;
  batches_.clear();
  not_full_.notify_all();
}

// The eventfd's counter is kept at 0 or 1, so one read clears it.
void RowQueue::signal() {
  if (signalled_) return;
  const std::uint64_t one = 1;
  // Cannot fail short of a bug: the counter is far from overflowing.
  [[maybe_unused]] const auto written = ::write(fd_, &one, sizeof one);
  signalled_ = true;
}

void RowQueue::unsignal() {
  if (!signalled_) return;
  std::uint64_t value = 0;
  [[maybe_unused]] const auto read = ::read(fd_, &value, sizeof value);
  signalled_ = false;
}

}  // namespace jobtrack
