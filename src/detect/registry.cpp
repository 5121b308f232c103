#include "pitchtrack/detect/registry.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "detect/classical/classical_detector.hpp"
#include "detect/darknet/darknet_detector.hpp"
#include "detect/onnx/onnx_detector.hpp"
#ifdef PITCHTRACK_HAVE_TORCH
#include "detect/torch/torch_detector.hpp"
#endif

namespace pitchtrack {
namespace {

constexpr const char* kShippedOnnx = "football_det.onnx";
constexpr const char* kShippedTorch = "football_det.pt";

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
  if (c.device != "auto" && c.device != "cpu" && c.device != "cuda")
    return invalid_argument("detector.device must be auto, cpu or cuda, got '" + c.device + "'");
  if (c.precision != "fp32" && c.precision != "fp16") {
    return invalid_argument("detector.precision must be fp32 or fp16, got '" + c.precision + "'");
  }
  if (c.warmup_runs < 0) return invalid_argument("detector.warmup_runs must be >= 0");
  return Status::ok();
}

DetectorConfig with_default_model(DetectorConfig c, const char* file) {
  if (c.model_path.empty()) c.model_path = (std::filesystem::path(default_models_dir()) / file).string();
  return c;
}

Result<std::shared_ptr<const DetectorModel>> load_torch(const DetectorConfig& config) {
#ifdef PITCHTRACK_HAVE_TORCH
  return detect::load_torch_model(with_default_model(config, kShippedTorch));
#else
  (void)config;
  return unsupported(
      "torch backend not built in this binary: pitchtrack was configured without libtorch "
      "(CMake option PITCHTRACK_WITH_TORCH; Debian package libtorch-dev); use detector.backend onnx");
#endif
}

bool torch_on_cuda_available() {
#ifdef PITCHTRACK_HAVE_TORCH
  return detect::torch_cuda_available();
#else
  return false;
#endif
}

// auto: torch on a CUDA GPU when this binary has libtorch and the process sees a GPU (on the CPU,
// OpenCV DNN runs this model faster than libtorch: docs/PERFORMANCE.md), then onnx, then
// classical. A .pt model path means torch; an .onnx path skips it.
Result<std::shared_ptr<const DetectorModel>> load_auto(const DetectorConfig& config) {
  const std::string ext = std::filesystem::path(config.model_path).extension().string();
  const bool torch_model = ext == ".pt";
  if (torch_model || (config.model_path.empty() && config.device != "cpu" && torch_on_cuda_available())) {
    auto torch = load_torch(config);
    if (torch.is_ok()) return torch;
    spdlog::warn("detector auto: torch backend unavailable ({}); trying the next backend",
                 torch.status().to_string());
  }
  if (!torch_model) {
    auto onnx = detect::load_onnx_model(with_default_model(config, kShippedOnnx));
    if (onnx.is_ok()) return onnx;
    spdlog::warn("detector auto: ONNX model unavailable ({}); using the classical detector",
                 onnx.status().to_string());
  }
  return detect::make_classical_model(config);
}

}  // namespace

DeviceFrameConverterFactory frame_converter_factory(const std::string& device) {
#ifdef PITCHTRACK_HAVE_TORCH
  return detect::torch_frame_converter_factory(device);
#else
  (void)device;
  return {};
#endif
}

std::vector<std::string> available_detector_backends() {
#ifdef PITCHTRACK_HAVE_TORCH
  return {"onnx", "torch", "classical", "darknet"};
#else
  return {"onnx", "classical", "darknet"};
#endif
}

std::string default_models_dir() { return PITCHTRACK_MODELS_DIR; }

Result<std::shared_ptr<const DetectorModel>> load_detector_model(const DetectorConfig& config) {
  PT_RETURN_IF_ERROR(validate(config));
  const std::string& b = config.backend;
  Result<std::shared_ptr<const DetectorModel>> model =
      invalid_argument("detector.backend '" + b + "' is not one of auto, onnx, torch, classical, darknet");
  if (b == "onnx") model = detect::load_onnx_model(with_default_model(config, kShippedOnnx));
  if (b == "classical") model = detect::make_classical_model(config);
  if (b == "darknet") model = detect::load_darknet_model(config);
  if (b == "torch") model = load_torch(config);
  if (b == "tensorrt") {
    model = unsupported(
        "tensorrt backend not in this binary: no TensorRT backend is built (TensorRT is not installed on the "
        "project's machines, and none is written yet); use detector.backend torch with precision fp16");
  }
  if (b == "auto") model = load_auto(config);
  if (model.is_ok() && (*model)->caps().precision != config.precision && config.precision != "fp32") {
    spdlog::warn("detector: precision {} is not available on {} ({}); running {}", config.precision,
                 (*model)->caps().backend, (*model)->caps().device, (*model)->caps().precision);
  }
  return model;
}

Result<std::unique_ptr<Detector>> create_detector(const DetectorConfig& config) {
  PT_ASSIGN_OR_RETURN(auto model, load_detector_model(config));
  return model->create_session();
}

}  // namespace pitchtrack
