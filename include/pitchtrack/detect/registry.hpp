// Detector registry: builds a DetectorModel or a Detector from a DetectorConfig.
//
// backend "auto" picks the best available: torch on CUDA when built with libtorch and a GPU is
// present, else onnx (OpenCV DNN) with the shipped model, else classical — each fallback logged
// once with the reason; a .pt model path means torch, an .onnx one skips it. A named backend
// that cannot load is an error naming the file and the problem. Backends compiled out of this
// build are missing from available_detector_backends().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pitchtrack/core/device_frame.hpp"
#include "pitchtrack/detect/detector.hpp"

namespace pitchtrack {

std::vector<std::string> available_detector_backends();

// The shipped model directory (models/ of the source tree or the install prefix).
std::string default_models_dir();

Result<std::shared_ptr<const DetectorModel>> load_detector_model(const DetectorConfig& config);
Result<std::unique_ptr<Detector>> create_detector(const DetectorConfig& config);

// Converters of NVDEC pictures (NV12 in GPU memory) to BGR frames, converting on the GPU through
// libtorch (core/device_frame.hpp): set as SourceConfig::device_converter for source.hwaccel cuda.
// Empty when this binary has no libtorch or libtorch sees no CUDA device. device "cpu" gives
// converters that read host pointers with the same arithmetic (tests); empty without libtorch.
DeviceFrameConverterFactory frame_converter_factory(const std::string& device = "cuda");

}  // namespace pitchtrack
