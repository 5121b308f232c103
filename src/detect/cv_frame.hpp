// OpenCV views of pitchtrack frames and the letterbox used by the learned detectors (internal).
#pragma once

#include <opencv2/core.hpp>

#include <span>

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

// The network input blob [N, 3, H, W] float of N equally sized 8-bit 3-channel images, channel
// order kept, each value times `scale` in float: the same numbers as cv::dnn::blobFromImages
// (scalefactor `scale`, no mean, no swap, no crop), but written into `blob` (reallocated only
// when the shape changes) by OpenCV's worker threads, rows in parallel. Images of another type or
// size than the first throw cv::Exception (callers letterbox to one size first).
void blob_from_images(std::span<const cv::Mat> images, float scale, cv::Mat& blob);

}  // namespace pitchtrack::detect
