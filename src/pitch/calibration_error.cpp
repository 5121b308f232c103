#include "pitchtrack/pitch/calibration_error.hpp"

#include <algorithm>
#include <cmath>

#include "pitchtrack/pitch/homography.hpp"

namespace pitchtrack {

std::optional<GridError> pitch_grid_error(const Homography& estimate, const Homography& reference,
                                          const PitchModel& pitch, ImageSize image, double step_m,
                                          double cap_m, int min_points) {
  if (!(step_m > 0) || image.width_px <= 0 || image.height_px <= 0) return std::nullopt;
  const Homography est = normalize_homography(estimate);
  const Homography ref = normalize_homography(reference);
  const double hl = pitch.length_m() / 2, hw = pitch.width_m() / 2;
  GridError e;
  double sum = 0;
  for (double y = -hw; y <= hw + 1e-9; y += step_m) {
    for (double x = -hl; x <= hl + 1e-9; x += step_m) {
      const auto q = pitch_to_image(ref, {x, y});
      if (!q || q->x_px < 0 || q->y_px < 0 || q->x_px >= image.width_px || q->y_px >= image.height_px)
        continue;
      const auto p = image_to_pitch(est, q->x_px, q->y_px);
      const double d = p ? std::min(cap_m, std::hypot(p->x_m - x, p->y_m - y)) : cap_m;
      sum += d;
      e.max_m = std::max(e.max_m, d);
      ++e.points;
    }
  }
  if (e.points < min_points) return std::nullopt;
  e.mean_m = sum / e.points;
  return e;
}

}  // namespace pitchtrack
