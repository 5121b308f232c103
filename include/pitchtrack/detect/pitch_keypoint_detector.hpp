// PitchKeypointDetector: finds the 32 pitch keypoints (pitch/pitch_model.hpp) in a frame with the
// shipped keypoint network (models/pitch_keypoints.onnx + .json sidecar), on the CPU through
// OpenCV DNN, or (backend torch) its TorchScript copy models/pitch_keypoints.pt through libtorch,
// on CUDA when asked (train/keypoints_torchscript.py; same contract and sidecar).
//
// Contract: create() loads the model and its sidecar and runs one forward pass, so a missing,
// empty or corrupt model, a sidecar that does not match it, or an output of the wrong shape fails
// there with the file named. detect(frame) resizes the whole frame to the network input (no
// letterbox: any aspect ratio is stretched the way the model was trained on 16:9 frames) and
// returns at most one keypoint per id, those with confidence >= threshold, sorted by id, in the
// pixels of the original frame (continuous coordinates).
// Threading: one detector per thread (it owns the network and its buffers).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/pitch/keypoints.hpp"

namespace pitchtrack {

struct PitchKeypointConfig {
  std::string model_path;        // .onnx with a .json sidecar beside it; empty: <models>/pitch_keypoints.onnx
  float threshold = -1.0f;       // keypoint confidence in [0, 1]; < 0: the sidecar's recommended_threshold
  int threads = 0;               // OpenCV CPU threads; 0: OpenCV's default
  std::string backend = "onnx";  // onnx (OpenCV DNN, CPU) | torch (models/pitch_keypoints.pt, libtorch)
  std::string device = "auto";   // torch: auto | cpu | cuda
  std::string precision = "fp32";  // torch on cuda: fp32 | fp16
};

class PitchKeypointDetector {
 public:
  static Result<std::unique_ptr<PitchKeypointDetector>> create(const PitchKeypointConfig& config);

  virtual ~PitchKeypointDetector() = default;
  virtual Result<std::vector<PitchKeypoint>> detect(const Frame& frame) = 0;
  // Network input size, px.
  virtual ImageSize input_size() const = 0;
  // Wall time of the last detect(): resize + blob, forward, decode (ms).
  virtual double last_inference_ms() const = 0;
};

}  // namespace pitchtrack
