#include "pitchtrack/motion/frame_motion.hpp"

namespace pitchtrack {

Result<FrameMotion> update_frame_motion(const Frame& frame, std::span<const BoxXyxy> people,
                                        CutDetector* cuts, CameraMotionEstimator* motion) {
  FrameMotion out;
  if (cuts != nullptr) {
    PT_ASSIGN_OR_RETURN(out.cut, cuts->update(frame));
  }
  if (motion != nullptr) {
    if (out.cut) motion->reset();
    PT_ASSIGN_OR_RETURN(CameraMotion cm, motion->estimate(frame, people));
    if (!out.cut) out.affine = cm.affine;
  }
  return out;
}

}  // namespace pitchtrack
