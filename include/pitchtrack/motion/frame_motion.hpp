// One frame's camera state for the tracker, the sequencing the pipeline and `pitchtrack track
// --video` share: the cut detector first (when given); on a cut the motion estimator is reset and
// the frame has no motion (the previous frame is another shot); otherwise the estimator's affine
// from the previous frame (empty when it could not be estimated). Either pointer may be null.
#pragma once

#include <array>
#include <optional>
#include <span>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/motion/camera_motion.hpp"
#include "pitchtrack/motion/cut_detector.hpp"

namespace pitchtrack {

struct FrameMotion {
  bool cut = false;
  std::optional<std::array<double, 6>> affine;  // previous -> this frame; empty on a cut or unknown
};

Result<FrameMotion> update_frame_motion(const Frame& frame, std::span<const BoxXyxy> people,
                                        CutDetector* cuts, CameraMotionEstimator* motion);

}  // namespace pitchtrack
