// OpenCV views of pitchtrack frames and the letterbox used by the learned detectors (internal).
#pragma once

#include <opencv2/core.hpp>

#include "pitchtrack/core/frame.hpp"

namespace pitchtrack::detect {

// A read-only cv::Mat header over the frame's pixels (no copy). Do not write through it.
inline cv::Mat as_mat(const Frame& f) {
  return cv::Mat(f.height(), f.width(), CV_8UC3, const_cast<uint8_t*>(f.data()),
                 static_cast<size_t>(f.stride_bytes()));
}

// Resizes `src` keeping its aspect ratio to fit (width x height), places it at the top-left of
// `dst` (allocated once, reused) and fills the rest with `pad`. Returns the scale (dst px per
// src px).
float letterbox_top_left(const cv::Mat& src, int width, int height, int pad, cv::Mat& dst);

}  // namespace pitchtrack::detect
