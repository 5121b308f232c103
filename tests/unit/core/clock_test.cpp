#include "pitchtrack/core/clock.hpp"

#include <gtest/gtest.h>

namespace pitchtrack {
namespace {

TEST(Clock, SteadyClockIsMonotonic) {
  const int64_t a = steady_clock().now_us();
  const int64_t b = steady_clock().now_us();
  EXPECT_LE(a, b);
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c(100);
  EXPECT_EQ(c.now_us(), 100);
  c.advance_ms(2);
  EXPECT_EQ(c.now_us(), 2100);
  c.set_us(5);
  EXPECT_EQ(c.now_us(), 5);
}

}  // namespace
}  // namespace pitchtrack
