#include "cli/signals.h"

#include <poll.h>

#include <atomic>
#include <cerrno>
#include <ctime>

namespace jobtrack::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;

void on_interrupt(int) {
  g_interrupted = 1;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = 0;
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &previous_mask_);
  poll_mask_ = previous_mask_;
  sigdelset(&poll_mask_, SIGINT);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: ppoll must return EINTR
  sigaction(SIGINT, &action, &previous_action_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_action_, nullptr);
  sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
}

bool InterruptGuard::interrupted() const {
  return g_interrupted != 0;
}

InterruptGuard::Wake InterruptGuard::wait_readable(const std::vector<int>& fds,
                                                   std::optional<std::chrono::milliseconds> timeout,
                                                   std::vector<bool>& readable) const {
  readable.assign(fds.size(), false);
  if (interrupted()) return Wake::interrupted;
  std::vector<pollfd> entries;
  for (int fd : fds) entries.push_back({fd, POLLIN, 0});
  timespec limit{};
  if (timeout) {
    auto ms = std::max<std::int64_t>(timeout->count(), 0);
    limit.tv_sec = static_cast<time_t>(ms / 1000);
    limit.tv_nsec = static_cast<long>(ms % 1000 * 1'000'000);
  }
  int ready = ::ppoll(entries.data(), entries.size(), timeout ? &limit : nullptr, &poll_mask_);
  if (ready < 0)
    return errno == EINTR && interrupted() ? Wake::interrupted
           : errno == EINTR                ? Wake::timeout
                                           : Wake::failed;
  if (interrupted()) return Wake::interrupted;
  if (ready == 0) return Wake::timeout;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    readable[i] = (entries[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
  }
  return Wake::readable;
}

}  // namespace jobtrack::cli
