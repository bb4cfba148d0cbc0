#include "daemon/clock.h"

#include <time.h>

namespace jobtrack {
namespace {

Millis read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<Millis>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

Millis SystemClock::wall() const {
  return read_clock(CLOCK_REALTIME);
}
Millis SystemClock::monotonic() const {
  return read_clock(CLOCK_MONOTONIC);
}

}  // namespace jobtrack
