// Preloaded ahead of libfaketime by tests/integration/clock_jump.sh.
// libfaketime 0.9.10 shifts absolute timerfd deadlines by its wall-clock
// offset even on CLOCK_MONOTONIC with FAKETIME_DONT_FAKE_MONOTONIC=1, so a
// faked jump would stall (or fire) sd-event's monotonic timers, which a real
// jump never does. This passes timerfd_settime straight to the kernel, so
// the test jumps only the wall clock, as the real world does.
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

extern "C" int timerfd_settime(int fd, int flags, const itimerspec* value, itimerspec* old) {
  return static_cast<int>(syscall(SYS_timerfd_settime, fd, flags, value, old));
}
