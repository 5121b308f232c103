#include "pitchtrack/core/clock.hpp"

#include <chrono>

namespace pitchtrack {
namespace {
class SteadyClock final : public Clock {
 public:
  int64_t now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

const Clock& steady_clock() {
  static const SteadyClock* clock = new SteadyClock();  // intentionally leaked: usable at exit
  return *clock;
}

}  // namespace pitchtrack
