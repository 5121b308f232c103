#include "pitchtrack/core/bounded_queue.hpp"

namespace pitchtrack {

std::string_view to_string(OverflowPolicy policy) {
  switch (policy) {
    case OverflowPolicy::kBlock: return "block";
    case OverflowPolicy::kDropOldest: return "drop_oldest";
    case OverflowPolicy::kDropNewest: return "drop_newest";
  }
  return "unknown";
}

}  // namespace pitchtrack
