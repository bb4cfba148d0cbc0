// Ctrl-C for the commands that wait (wait, watch): SIGINT is blocked while
// an InterruptGuard lives and let through only inside wait_readable's
// ppoll(), so a Ctrl-C can never slip in between "check the flag" and
// "sleep". The commands then exit 130 and leave their jobs tracked.
//
// One guard at a time, main thread only; the destructor restores the
// previous signal mask and handler.
#pragma once

#include <signal.h>

#include <chrono>
#include <optional>
#include <vector>

namespace jobtrack::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  bool interrupted() const;

  enum class Wake { readable, timeout, interrupted, failed };
  // Waits until one of `fds` is readable (or hung up), `timeout` passes
  // (nullopt: no limit) or SIGINT arrives. `readable[i]` says which.
  Wake wait_readable(const std::vector<int>& fds, std::optional<std::chrono::milliseconds> timeout,
                     std::vector<bool>& readable) const;

 private:
  sigset_t previous_mask_{};
  sigset_t poll_mask_{};  // the mask during ppoll: the previous one, SIGINT let through
  struct sigaction previous_action_ {};
};

}  // namespace jobtrack::cli
