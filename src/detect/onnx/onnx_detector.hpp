// OnnxDetector (internal): the project's CenterNet-style model through OpenCV DNN on the CPU.
// Model contract (models/MODEL_CARD.md): input "images" [N,3,H,W] BGR/255 letterboxed to the
// top-left with pad 114; output "output" [N, 4+2+2, H/4, W/4] = class heatmaps (sigmoid),
// box w,h in input px, centre offset in cells. A JSON sidecar (<model>.json) gives the input
// size, stride, class order and recommended thresholds.
#pragma once

#include <memory>
#include <string>

#include "pitchtrack/detect/detector.hpp"

namespace pitchtrack::detect {

Result<std::shared_ptr<const DetectorModel>> load_onnx_model(const DetectorConfig& config);

}  // namespace pitchtrack::detect
