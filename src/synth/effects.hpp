// Per-frame camera effects on BGR8 images, written as single SIMD passes (SSE2 where available,
// scalar otherwise) because they touch every pixel of every frame.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

namespace pitchtrack::synth {

// Adds a signed noise image (CV_8SC3, at least frame-sized) to `frame` with saturation; the
// noise is read from `noise` starting at (`ox`, `oy`).
void add_noise(cv::Mat& frame, const cv::Mat& noise, int ox, int oy);

// Horizontal motion blur of about `length_px` pixels: the mean of four taps spread over the
// length (centred). `row` is scratch memory kept between calls.
void motion_blur_horizontal(cv::Mat& frame, int length_px, std::vector<uint8_t>& row);

}  // namespace pitchtrack::synth
