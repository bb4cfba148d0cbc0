// The daemon's sense of time, a seam so tests can move time at will.
//
// wall(): milliseconds since the epoch, for what is stored and shown.
// monotonic(): milliseconds on CLOCK_MONOTONIC, for everything scheduled, so
// a wall-clock jump neither stalls nor floods polling. Single-threaded use.
#pragma once

#include "daemon/job.h"

namespace jobtrack {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis wall() const = 0;
  virtual Millis monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis wall() const override;
  Millis monotonic() const override;
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis wall_start = 1'700'000'000'000, Millis mono_start = 1'000'000)
      : wall_(wall_start), mono_(mono_start) {}
  Millis wall() const override { return wall_; }
  Millis monotonic() const override { return mono_; }
  void advance(Millis by) {
    wall_ += by;
    mono_ += by;
  }
  void jump_wall(Millis by) { wall_ += by; }

 private:
  Millis wall_;
  Millis mono_;
};

}  // namespace jobtrack
