// Clock: the injectable time source. Latency, arrival times and age-based drops read it, so
// tests of backpressure run on a ManualClock and are deterministic.
//
// Contract: now_us() is monotonic microseconds from an arbitrary epoch. steady_clock() is the
// process-wide real clock (thread-safe). ManualClock only moves when told (thread-safe).
#pragma once

#include <atomic>
#include <cstdint>

namespace pitchtrack {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_us() const = 0;
};

// The real monotonic clock (std::chrono::steady_clock). Never destroyed.
const Clock& steady_clock();

// A clock for tests and simulations: starts at `start_us`, moves by set/advance only.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_us = 0) : now_(start_us) {}
  int64_t now_us() const override { return now_.load(std::memory_order_acquire); }
  void set_us(int64_t t) { now_.store(t, std::memory_order_release); }
  void advance_us(int64_t dt) { now_.fetch_add(dt, std::memory_order_acq_rel); }
  void advance_ms(int64_t dt) { advance_us(dt * 1000); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace pitchtrack
