#include "pitchtrack/core/track.hpp"

namespace pitchtrack {

std::string_view to_string(TrackState s) {
  switch (s) {
    case TrackState::kTentative: return "tentative";
    case TrackState::kConfirmed: return "confirmed";
    case TrackState::kLost: return "lost";
    case TrackState::kRemoved: return "removed";
  }
  return "unknown";
}

}  // namespace pitchtrack
