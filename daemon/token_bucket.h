// A token bucket for an endpoint's rate_limit: `rate` requests per `per`
// milliseconds, bursting up to `rate`. Time is the scheduler's monotonic
// milliseconds. Loop thread only.
#pragma once

#include <algorithm>

#include "daemon/job.h"

namespace jobtrack {

class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(double rate, Millis per)
      : rate_(rate), per_(std::max<Millis>(per, 1)), tokens_(rate) {}

  bool limited() const { return rate_ > 0; }

  bool take(Millis now) {
    if (!limited()) return true;
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // When the next token will be there (now if one is).
  Millis next_token_at(Millis now) {
    if (!limited()) return now;
    refill(now);
    if (tokens_ >= 1.0) return now;
    double missing = 1.0 - tokens_;
    return now + static_cast<Millis>(missing * static_cast<double>(per_) / rate_) + 1;
  }

 private:
  void refill(Millis now) {
    if (last_ == 0) last_ = now;
    if (now <= last_) return;
    tokens_ = std::min(
        rate_, tokens_ + static_cast<double>(now - last_) * rate_ / static_cast<double>(per_));
    last_ = now;
  }

  double rate_ = 0;
  Millis per_ = 1000;
  double tokens_ = 0;
  Millis last_ = 0;
};

}  // namespace jobtrack
