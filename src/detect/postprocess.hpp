// Detector post-processing shared by the backends (internal): CenterNet-style heatmap decoding
// and class-aware non-maximum suppression.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "pitchtrack/core/detection.hpp"

namespace pitchtrack::detect {

// Greedy NMS within each class: keeps the highest-scoring box, drops same-class boxes with
// IoU > iou_threshold, returns at most max_detections sorted by descending score.
std::vector<Detection> nms_per_class(std::vector<Detection> dets, float iou_threshold, int max_detections);

struct CenterNetOutput {
  const float* data = nullptr;  // [channels, height, width] for one image, channel-major
  int channels = 8;             // num_classes heatmaps, then w, h, then dx, dy
  int height = 0;               // output cells
  int width = 0;
  int stride = 4;  // input px per output cell
};

// Peaks of each class heatmap (3x3 local maxima at or above the class threshold) become boxes:
// centre ((col + dx) * stride, (row + dy) * stride), size (w, h), in network-input pixels,
// then divided by `input_scale` (network px per original px) and clipped to the original frame.
std::vector<Detection> decode_centernet(const CenterNetOutput& out,
                                        std::span<const float, kNumObjectClasses> thresholds,
                                        float input_scale, int frame_width, int frame_height);

}  // namespace pitchtrack::detect
