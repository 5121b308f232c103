// PitchCalibrator: per-frame image -> pitch homography with a quality score, and projection of
// image points (foot points) to pitch metres.
//
// Modes
//   static: one homography for the whole stream, from `static_homography` (row-major 3x3, image
//           pixels -> pitch metres) or from >= 4 `static_points` (image <-> pitch pairs, least
//           squares). Validated in create(); update() returns it for every frame, quality 1.
//   auto:   update() takes the pitch keypoints detected in the frame (keypoints.hpp), fits a
//           homography by RANSAC (homography.hpp), validates it, scores it, and smooths it over
//           time. Smoothing runs in a well-conditioned parametrisation: the pitch positions of 4
//           fixed image anchors (fractions of the frame, in the lower part where the pitch is),
//           filtered by a constant-velocity alpha-beta filter (frame time) so a panning camera is
//           followed without lag. A measurement far from the prediction (gate_m) is rejected;
//           `reacquire_frames` rejections in a row restart the filter on the new view. A camera
//           cut, a gap of more than `max_gap_frames` frames or a change of anchors restarts it too
//           (`reset` = true in that frame's result).
//
// Never a guess: a frame whose keypoints give no homography that passes the checks, the quality
// threshold and the gate gets `image_to_pitch` = nullopt (quality 0).
//
// Quality in [0, 1] = f(inliers) * g(RMS reprojection error) * h(image coverage of the inliers):
//   f = clamp((inliers - 3) / (good_inliers - 3)), g = clamp(1 - rms / max_reprojection_error_px),
//   h = 0.5 + 0.5 * clamp(sqrt(inlier bounding box area / frame area) / 0.5).
//
// Pixel thresholds (`*_px`) are for a frame 720 rows high and scale with the frame height.
// Threading: one calibrator per stream, used by one thread; create() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/core/track.hpp"
#include "pitchtrack/pitch/homography.hpp"
#include "pitchtrack/pitch/keypoints.hpp"
#include "pitchtrack/pitch/pitch_model.hpp"

namespace pitchtrack {

struct CalibratorConfig {
  std::string mode = "auto";  // auto | static
  PitchDimensions pitch;      // pitch size, m

  // ---- static mode: exactly one of the two ----
  std::optional<Homography> static_homography;  // image px -> pitch m, row-major
  std::vector<PointPair> static_points;         // >= 4 image <-> pitch pairs
  ImageSize image;                              // frame size, px; used by the checks (0: 1920x1080)
  double max_static_error_px = 5.0;             // RMS reprojection error allowed for static_points, px

  // ---- auto mode ----
  float min_keypoint_confidence = 0.3f;     // keypoints below are ignored
  double inlier_threshold_px = 10.0;        // RANSAC inlier distance, px at 720 rows
  int ransac_iterations = 500;              // upper bound on RANSAC samples
  uint64_t seed = 0x5eed1234;               // RANSAC sampling seed (deterministic)
  int min_inliers = 5;                      // fewer: no homography
  int good_inliers = 8;                     // inliers for full quality
  double max_reprojection_error_px = 12.0;  // RMS over inliers at which quality reaches 0, px at 720 rows
  double min_quality = 0.25;                // below: no homography
  double smoothing_alpha = 0.6;  // position gain of the alpha-beta filter, (0, 1]; 1 = no smoothing
  double smoothing_beta = 0.2;   // velocity gain, [0, 1)
  double gate_m = 4.0;  // reject a measurement whose anchors move more than this (RMS, m) from the prediction
  int reacquire_frames = 3;  // rejections in a row that restart the filter on the new view
  int max_gap_frames = 5;    // a larger frame-index gap restarts the filter
  HomographyChecks checks;   // validation of every homography (image size is set per frame)

  // ---- projection ----
  double projection_margin_m = 10.0;  // project() accepts points up to this far outside the pitch, m
};

struct CalibrationResult {
  std::optional<Homography> image_to_pitch;  // empty when not trustworthy
  double quality = 0.0;                      // [0, 1]
  int inliers = 0;                           // keypoints consistent with the homography
  double reprojection_error_px = 0.0;        // RMS over the inliers, frame px
  bool reset = false;                        // the temporal filter (re)started at this frame
};

class PitchCalibrator {
 public:
  // Validates the configuration; errors name the field (e.g. "calibrator.static_points").
  static Result<std::unique_ptr<PitchCalibrator>> create(const CalibratorConfig& config);

  // One frame. `keypoints` in frame pixels (any order, ids 0..31; unknown ids are ignored),
  // `image` the frame size, `frame_index` monotonic within the stream, `camera_cut` true on the
  // first frame of a new shot.
  CalibrationResult update(std::span<const PitchKeypoint> keypoints, ImageSize image, int64_t frame_index,
                           bool camera_cut);

  // Image point (e.g. a foot point) -> pitch metres; nullopt when the point is above the horizon
  // (behind the camera) or lands farther than projection_margin_m outside the pitch.
  std::optional<PitchPoint> project(const Homography& image_to_pitch, double x_px, double y_px) const;

  // Forgets the temporal state (the next update starts afresh).
  void reset();

  const PitchModel& pitch() const { return pitch_; }
  const CalibratorConfig& config() const { return config_; }

 private:
  PitchCalibrator(CalibratorConfig config, PitchModel pitch);

  struct Measurement {
    Homography h{};
    double quality = 0;
    int inliers = 0;
    double rms_px = 0;
  };
  std::optional<Measurement> measure(std::span<const PitchKeypoint> keypoints, ImageSize image) const;

  CalibratorConfig config_;
  PitchModel pitch_;
  // static mode
  std::optional<CalibrationResult> static_result_;
  // auto mode: alpha-beta filter over the pitch positions of the anchors (x0, y0, ..., x3, y3)
  bool has_state_ = false;
  int anchor_set_ = 0;
  ImageSize state_image_{};
  int64_t last_frame_ = 0;
  int rejections_ = 0;
  std::array<double, 8> pos_{};
  std::array<double, 8> vel_{};
};

}  // namespace pitchtrack
