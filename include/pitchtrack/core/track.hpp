// Track: one tracked object in one frame, returned by value by the tracker.
//
// track_id >= 1 is given once a track is confirmed and never reused; tentative tracks have 0.
// Units: box in pixels (xyxy), pitch position in metres (DESIGN.md pitch frame: origin at the
// centre spot, x along the length, y along the width), velocity in metres per second.
// Optional fields are empty when not measured: never a guess.
#pragma once

#include <cstdint>
#include <optional>

#include "pitchtrack/core/detection.hpp"

namespace pitchtrack {

enum class TrackState { kTentative, kConfirmed, kLost, kRemoved };
std::string_view to_string(TrackState s);

struct PitchPoint {
  double x_m = 0.0;
  double y_m = 0.0;
  friend bool operator==(const PitchPoint&, const PitchPoint&) = default;
};

struct Track {
  int64_t track_id = 0;  // >= 1 once confirmed; 0 while tentative
  BoxXyxy box_px;
  float score = 0.0f;
  ObjectClass role = ObjectClass::kPlayer;  // per-track vote over detections
  TrackState state = TrackState::kTentative;
  int det_index = -1;                      // index of the matched detection this frame; -1 if predicted
  std::optional<int> team;                 // 0 or 1; empty when unknown or a referee
  std::optional<float> team_confidence;    // [0, 1]
  std::optional<PitchPoint> pitch_m;       // foot point on the pitch, metres
  std::optional<PitchPoint> velocity_mps;  // metres per second on the pitch
};

}  // namespace pitchtrack
