#include "pitchtrack/detect/registry.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "detect/classical/classical_detector.hpp"
#include "detect/darknet/darknet_detector.hpp"
#include "detect/onnx/onnx_detector.hpp"

namespace pitchtrack {
namespace {

constexpr const char* kShippedOnnx = "football_det.onnx";

Status validate(const DetectorConfig& c) {
  if (c.max_batch < 1)
    return invalid_argument("detector.max_batch must be >= 1, got " + std::to_string(c.max_batch));
  if (c.nms_iou <= 0.0f || c.nms_iou > 1.0f) return invalid_argument("detector.nms_iou must be in (0, 1]");
  if (c.max_detections < 1) return invalid_argument("detector.max_detections must be >= 1");
  for (float t : c.thresholds) {
    if (t > 1.0f) return invalid_argument("detector.thresholds must be <= 1");
  }
  if (c.input_width < 0 || c.input_height < 0)
    return invalid_argument("detector.input_width/height must be >= 0");
  if (c.device != "cpu" && c.device != "cuda")
    return invalid_argument("detector.device must be cpu or cuda, got '" + c.device + "'");
  if (c.precision != "fp32" && c.precision != "fp16") {
    return invalid_argument("detector.precision must be fp32 or fp16, got '" + c.precision + "'");
  }
  return Status::ok();
}

DetectorConfig with_default_model(DetectorConfig c, const char* file) {
  if (c.model_path.empty()) c.model_path = (std::filesystem::path(default_models_dir()) / file).string();
  return c;
}

}  // namespace

std::vector<std::string> available_detector_backends() { return {"onnx", "classical", "darknet"}; }

std::string default_models_dir() { return PITCHTRACK_MODELS_DIR; }

Result<std::shared_ptr<const DetectorModel>> load_detector_model(const DetectorConfig& config) {
  PT_RETURN_IF_ERROR(validate(config));
  const std::string& b = config.backend;
  if (b == "onnx") return detect::load_onnx_model(with_default_model(config, kShippedOnnx));
  if (b == "classical") return detect::make_classical_model(config);
  if (b == "darknet") return detect::load_darknet_model(config);
  if (b == "torch") return unsupported("detector.backend 'torch': this build has no libtorch backend");
  if (b == "auto") {
    auto onnx = detect::load_onnx_model(with_default_model(config, kShippedOnnx));
    if (onnx.is_ok()) return onnx;
    spdlog::warn("detector auto: ONNX model unavailable ({}); using the classical detector",
                 onnx.status().to_string());
    return detect::make_classical_model(config);
  }
  return invalid_argument("detector.backend '" + b + "' is not one of auto, onnx, torch, classical, darknet");
}

Result<std::unique_ptr<Detector>> create_detector(const DetectorConfig& config) {
  PT_ASSIGN_OR_RETURN(auto model, load_detector_model(config));
  return model->create_session();
}

}  // namespace pitchtrack
