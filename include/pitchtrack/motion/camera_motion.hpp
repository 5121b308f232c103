// CameraMotionEstimator: the global image motion of the camera between consecutive frames.
//
// Contract:
// - estimate(frame, mask_boxes) returns the affine taking the previous frame's pixels to this
//   frame's pixels (row-major [a b tx; c d ty], the format of FrameContext::camera_motion),
//   restricted to rotation + uniform scale + translation (a pan, tilt or zoom of a broadcast
//   camera seen over a short interval). mask_boxes are this frame's moving objects (people):
//   features on them, grown by mask_margin of their size on every side, are never used.
// - Algorithm: the frame is reduced to grey at work_width (halvings by area averaging, then
//   bilinear; no upscaling). Corners are detected on the previous frame outside its masked
//   boxes, one per cell of a grid of about max_features cells (the strongest Shi-Tomasi
//   response at half the work resolution, above feature_quality times the frame's strongest),
//   tracked into this frame by pyramidal Lucas-Kanade (the previous frame's pyramid is kept, so
//   each frame's pyramid is built once), and the similarity is fitted by RANSAC
//   (ransac_threshold_px at work resolution) with a least-squares refit on the inliers; the
//   result is scaled back to full resolution. Tracked inliers that still lie on the background
//   are reused as the next frame's features; new corners are detected only when fewer than
//   redetect_fraction * max_features remain.
// - The affine is empty on the first frame, after reset(), when the frame size changed, when
//   fewer than min_inliers points agree, or when the fit is implausible (scale outside
//   [1 / max_scale_change, max_scale_change] or rotation above max_rotation_deg per frame).
//   Call reset() at a camera cut (CutDetector): the motion across a cut is meaningless.
// - inliers: RANSAC inliers (0 when empty); mean_flow_px: mean displacement of the inliers in
//   full-resolution pixels (0 when empty).
// - Static overlays (scoreboard, channel logo) do not move with the camera: pass their boxes in
//   mask_boxes if they are large; RANSAC outvotes small ones.
// - Errors: an empty frame is kInvalidArgument; OpenCV failures become kInternal naming the frame.
// Speed: ~2-3 ms per 1280x720 frame on the 2-core dev machine (docs/PERFORMANCE.md).
// Threading: not thread-safe; one instance per stream.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

struct CameraMotion {
  std::optional<std::array<double, 6>> affine;  // previous -> this frame, full-resolution pixels
  int inliers = 0;
  double mean_flow_px = 0.0;  // px at full resolution
};

struct CameraMotionConfig {
  int work_width = 640;              // px; frames wider than this are reduced to it
  int max_features = 250;            // corners tracked per frame
  double feature_quality = 0.01;     // Shi-Tomasi quality level (fraction of the best corner)
  float redetect_fraction = 0.6f;    // [0, 1]; re-detect when fewer tracked points remain
  float mask_margin = 0.1f;          // boxes grow by this fraction of their size on each side
  int lk_window_px = 11;             // px at work resolution; Lucas-Kanade window side
  int lk_levels = 3;                 // pyramid levels above the base
  double ransac_threshold_px = 1.0;  // px at work resolution
  int min_inliers = 15;              // fewer agreeing points: no estimate
  double max_scale_change = 1.25;    // > 1; per-frame zoom factor bound
  double max_rotation_deg = 5.0;     // degrees per frame
};

class CameraMotionEstimator {
 public:
  static Result<std::unique_ptr<CameraMotionEstimator>> create(const CameraMotionConfig& config);
  virtual ~CameraMotionEstimator() = default;
  virtual Result<CameraMotion> estimate(const Frame& frame, std::span<const BoxXyxy> mask_boxes) = 0;
  virtual void reset() = 0;
};

Status validate(const CameraMotionConfig& config);

}  // namespace pitchtrack
