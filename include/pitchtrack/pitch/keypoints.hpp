// Pitch keypoints detected in an image: the currency between a keypoint detector (detect module,
// OpenCV) and the calibrator (pitch module, no backend).
//
// Contract: `id` is the index of the keypoint in PitchModel's keypoint list (0..31, the order of
// the pitch-keypoints-v1 data set, pitch_model.hpp); `x_px`, `y_px` are in the pixels of the
// original frame (continuous coordinates: pixel i covers [i, i+1)); `confidence` in [0, 1].
// Threading: plain values.
#pragma once

namespace pitchtrack {

struct PitchKeypoint {
  int id = -1;              // PitchModel keypoint index
  float x_px = 0.0f;        // frame pixels
  float y_px = 0.0f;        // frame pixels
  float confidence = 0.0f;  // [0, 1]
};

struct ImageSize {
  int width_px = 0;
  int height_px = 0;
};

}  // namespace pitchtrack
