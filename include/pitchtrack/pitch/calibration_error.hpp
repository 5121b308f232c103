// Calibration error on the pitch grid: how far apart two image -> pitch homographies put the
// pitch, measured where the reference homography sees the pitch.
//
// Grid points every `step_m` metres over the pitch are mapped into the image with `reference`;
// those in front of the camera and inside the frame are mapped back with `estimate` and compared
// with the grid point. A point that `estimate` puts behind the camera counts as `cap_m`, and
// every error is capped at `cap_m` so one wild frame cannot hide the rest. nullopt when fewer
// than `min_points` grid points are visible. Threading: pure function.
#pragma once

#include <optional>

#include "pitchtrack/core/result.hpp"
#include "pitchtrack/pitch/keypoints.hpp"
#include "pitchtrack/pitch/pitch_model.hpp"

namespace pitchtrack {

struct GridError {
  double mean_m = 0.0;
  double max_m = 0.0;
  int points = 0;  // visible grid points compared
};

std::optional<GridError> pitch_grid_error(const Homography& estimate, const Homography& reference,
                                          const PitchModel& pitch, ImageSize image, double step_m = 1.0,
                                          double cap_m = 50.0, int min_points = 10);

}  // namespace pitchtrack
