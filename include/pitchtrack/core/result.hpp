// FrameResult: everything pitchtrack knows about one processed frame; what sinks write
// (tracks.jsonl, docs/FORMATS.md) and what the evaluation reads back.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pitchtrack/core/track.hpp"

namespace pitchtrack {

struct BallState {
  BoxXyxy box_px;
  float score = 0.0f;
  std::optional<PitchPoint> pitch_m;  // projected as if on the ground (see ground_projected)
  bool ground_projected = true;       // the ball may be in the air: its pitch position assumes z=0
  bool interpolated = false;          // filled over a short detection gap
};

// Row-major 3x3 homography mapping image pixels (x, y, 1) to pitch metres.
using Homography = std::array<double, 9>;

struct FrameResult {
  int64_t frame_index = 0;  // source frame index
  int64_t pts_us = 0;
  int64_t arrival_us = 0;
  std::vector<Track> tracks;  // people (players, goalkeepers, referees)
  std::optional<BallState> ball;
  std::optional<Homography> homography;      // empty when the calibration is not trustworthy
  double calibration_quality = 0.0;          // [0, 1]
  bool camera_cut = false;                   // a shot change was detected at this frame
  std::map<std::string, double> timings_ms;  // per-stage time for this frame, ms
};

}  // namespace pitchtrack
