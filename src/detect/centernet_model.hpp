// The shipped CenterNet-style detector's contract, shared by every backend that runs it (onnx
// through OpenCV DNN, torch through libtorch) so they read the same sidecar, check the same
// output shape and decode the same way (internal; no OpenCV or libtorch header here).
// Contract (models/MODEL_CARD.md): input [N,3,H,W] BGR/255 letterboxed to the top-left with pad
// `pad_value`; output [N, 4+2+2, H/stride, W/stride] = class heatmaps (sigmoid), box w,h in input
// px, centre offset in cells. The JSON sidecar (<model>.json) gives the input size, stride, class
// order and recommended thresholds, and optionally `operating_points`: other input sizes with the
// thresholds recommended at that size (scores shift with the input scale).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/detect/detector.hpp"

namespace pitchtrack::detect {

inline constexpr int kCenterNetChannels = kNumObjectClasses + 4;  // heatmaps, w, h, dx, dy

// Another input size the model was evaluated at, with its own recommended thresholds.
struct CenterNetOperatingPoint {
  int input_width = 0;
  int input_height = 0;
  std::array<float, kNumObjectClasses> thresholds = {0.3f, 0.3f, 0.3f, 0.3f};
};

struct CenterNetMeta {
  int input_width = 0;                                                         // px
  int input_height = 0;                                                        // px
  int stride = 4;                                                              // input px per output cell
  int pad_value = 114;                                                         // letterbox fill, grey level
  std::array<float, kNumObjectClasses> thresholds = {0.3f, 0.3f, 0.3f, 0.3f};  // recommended, per class
  std::string output_name = "output";
  std::vector<CenterNetOperatingPoint> operating_points;  // from the sidecar; may be empty
};

// Reads <model_path minus extension>.json. Errors name the sidecar and the model.
Result<CenterNetMeta> read_centernet_sidecar(const std::string& model_path);

// The sidecar with the config's input-size overrides applied and checked (multiples of 32). An
// overridden size that matches one of the sidecar's operating points takes its thresholds.
Result<CenterNetMeta> load_centernet_meta(const DetectorConfig& config);

// Per-class score thresholds: the config's where >= 0, else the model's recommendation.
std::array<float, kNumObjectClasses> effective_thresholds(const CenterNetMeta& meta,
                                                          const DetectorConfig& config);

// OK when `shape` is [batch, 8, input_height/stride, input_width/stride].
Status check_centernet_output(std::span<const int64_t> shape, int64_t batch, const CenterNetMeta& meta);

// The letterbox geometry (LetterboxGeometry, letterbox_geometry) is public: detect/detector.hpp.

// Letterboxes `frame` into `dst` (input_height rows of input_width*3 bytes, `dst_stride` bytes
// apart) with OpenCV's bilinear resize, as the onnx backend does (cv_frame.cpp). Returns the scale.
float letterbox_into(const Frame& frame, int input_width, int input_height, int pad, uint8_t* dst,
                     size_t dst_stride);

// Decodes a batch output ([frames.size(), 8, H, W] contiguous float) into one detection list per
// frame (peaks, thresholds, class-aware NMS, max_detections), appended to `results`.
// `scales[i]` is frame i's letterbox scale.
void decode_centernet_batch(const float* output, int64_t out_height, int64_t out_width,
                            const CenterNetMeta& meta, const DetectorConfig& config,
                            std::span<const Frame> frames, std::span<const float> scales,
                            std::vector<std::vector<Detection>>& results);

// Checks every frame of a batch is non-empty (error names the frame index).
Status check_frames(std::span<const Frame> frames);

}  // namespace pitchtrack::detect
