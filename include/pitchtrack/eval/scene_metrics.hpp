// Football-specific evaluation beyond boxes and ids: team assignment, pitch positions, the ball
// and the camera calibration. Pure functions; no I/O.
//
// Matching: in every frame GT and predicted persons are paired with match_boxes at
// SceneOptions::match_iou (most pairs, then largest total IoU); the person metrics use those pairs.
// - Team accuracy: over matched pairs whose GT role is "player" with a GT team (0/1), the
//   fraction whose predicted team equals the GT team under the better of the two label mappings
//   (identity or swapped) for the whole sequence; a missing predicted team counts as wrong.
// - Pitch error: Euclidean distance in metres between GT and predicted pitch positions, over
//   matched pairs that have both; mean, median and p95 (linear interpolation, as numpy). With
//   pitch_from_gt_homography, the predicted position is instead the predicted box's foot point
//   projected by the frame's GT homography (pairs in frames without one are skipped): the error
//   of boxes and foot points alone, calibration taken out.
// - Ball: a GT ball is visible in a frame when ball.csv gives it a box. It is detected when the
//   predicted ball's box centre lies within ball_max_distance_px of the GT box centre. Detection
//   rate = detected / visible frames; precision = detected / frames with a predicted ball;
//   error_px = mean centre distance over detected frames; error_m = mean distance between the
//   predicted (ground-projected) and GT pitch positions over detected frames where the GT ball
//   is at most ball_max_height_m above the ground (higher up the ground projection is not the
//   ball's position).
// - Calibration: for each frame with a GT and a predicted homography, a grid of pitch points
//   (every grid_step_m from the centre spot, plus the touch and goal lines) is mapped into the
//   image by the inverse GT homography; points in front of the camera and inside the image are
//   mapped back to the pitch by the predicted homography and compared with the grid point.
//   Per-point error is capped at calibration_error_cap_m (a prediction that maps a point beyond
//   its horizon would otherwise be infinite). error_m_mean = mean over frames of the per-frame
//   mean; coverage = frames with a predicted homography / all frames.
// Sections are empty when the ground truth lacks what they need (has_teams, has_pitch, ...).
// The GT's image size and pitch size (when it gives them) override the defaults in SceneOptions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pitchtrack/core/result.hpp"
#include "pitchtrack/eval/sequence.hpp"

namespace pitchtrack::eval {

struct SceneOptions {
  double match_iou = 0.5;                 // person box matching threshold
  double ball_max_distance_px = 10.0;     // ball detected when the centres are this close, px
  double ball_max_height_m = 0.5;         // ball error_m only where the GT ball is this low, m
  bool pitch_from_gt_homography = false;  // pitch error of boxes projected by the GT homography
  double grid_step_m = 5.0;               // calibration grid spacing, m
  double pitch_length_m = 105.0;
  double pitch_width_m = 68.0;
  double calibration_error_cap_m = 100.0;  // per grid point, m
  int default_image_width = 1280;          // px; used when the GT does not give the image size
  int default_image_height = 720;
};

struct TeamMetrics {
  int64_t matched = 0;             // matched GT players with a GT team
  int64_t assigned = 0;            // of those, with a predicted team
  std::optional<double> accuracy;  // [0, 1]; empty when matched == 0
  bool swapped = false;            // the better mapping swaps the predicted labels
};

struct DistanceStats {
  int64_t n = 0;
  std::optional<double> mean, median, p95;  // empty when n == 0
};

struct PitchErrorMetrics {
  DistanceStats error_m;
  int64_t matched_with_gt = 0;  // matched pairs whose GT has a pitch position
};

struct BallMetrics {
  int64_t visible_frames = 0;
  int64_t predicted_frames = 0;
  int64_t detected_frames = 0;
  std::optional<double> detection_rate;  // [0, 1]
  std::optional<double> precision;       // [0, 1]
  DistanceStats error_px;
  DistanceStats error_m;
};

struct CalibrationMetrics {
  int64_t frames = 0;            // frames with both homographies and visible grid points
  int64_t predicted_frames = 0;  // frames with a predicted homography
  int64_t total_frames = 0;
  DistanceStats error_m;  // over frames (each frame's mean grid error)
  double coverage = 0.0;  // predicted_frames / total_frames, [0, 1]
};

struct SceneMetrics {
  std::optional<TeamMetrics> team;
  std::optional<PitchErrorMetrics> pitch;
  std::optional<BallMetrics> ball;
  std::optional<CalibrationMetrics> calibration;
};

SceneMetrics evaluate_scene(const EvalSequence& gt, const EvalSequence& pred,
                            const SceneOptions& options = {});

// The pitch grid of the calibration error, metres.
std::vector<PitchPoint> calibration_grid(const SceneOptions& options = {});

// Mean grid-point error (metres) of `pred` against `gt` for an image of width x height px;
// empty when the GT homography is singular or no grid point is visible.
std::optional<double> calibration_error_m(const Homography& gt, const Homography& pred, int width, int height,
                                          const SceneOptions& options = {});

// Summary of a sample (mean, median, p95 with linear interpolation).
DistanceStats distance_stats(std::vector<double> values);

}  // namespace pitchtrack::eval
