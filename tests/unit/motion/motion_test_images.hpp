// Synthetic images for the motion tests: textured "worlds" seen through a camera affine.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "pitchtrack/core/frame.hpp"

namespace pitchtrack::testing {

inline Frame to_frame(const cv::Mat& bgr) {
  return Frame::copy_from(bgr.data, bgr.cols, bgr.rows, static_cast<int>(bgr.step[0]));
}

// Random rectangles, circles and lines on a noisy base, lightly blurred (corners for LK).
inline cv::Mat textured_world(cv::Size size, uint64_t seed, cv::Scalar base = {90, 110, 100}) {
  cv::RNG rng(seed);
  cv::Mat img(size, CV_8UC3, base);
  for (int i = 0; i < size.area() / 4000; ++i) {
    const cv::Point p(rng.uniform(0, size.width), rng.uniform(0, size.height));
    const cv::Scalar c(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256));
    switch (rng.uniform(0, 3)) {
      case 0:
        cv::rectangle(img, p, p + cv::Point(rng.uniform(4, 40), rng.uniform(4, 40)), c, cv::FILLED);
        break;
      case 1: cv::circle(img, p, rng.uniform(3, 20), c, cv::FILLED); break;
      default: cv::line(img, p, p + cv::Point(rng.uniform(-60, 60), rng.uniform(-60, 60)), c, 2); break;
    }
  }
  cv::Mat noise(size, CV_8UC3);
  rng.fill(noise, cv::RNG::NORMAL, 0, 4);
  cv::add(img, noise, img);
  cv::GaussianBlur(img, img, cv::Size(3, 3), 0.8);
  return img;
}

// The camera's view: frame pixel p shows world point M^-1 p, with M = [a b tx; c d ty].
inline cv::Mat view(const cv::Mat& world, const cv::Matx23d& world_to_frame, cv::Size frame_size) {
  cv::Mat out;
  cv::warpAffine(world, out, cv::Mat(world_to_frame), frame_size, cv::INTER_LINEAR, cv::BORDER_REFLECT);
  return out;
}

// Composition: first `a`, then `b`.
inline cv::Matx23d then(const cv::Matx23d& a, const cv::Matx23d& b) {
  const cv::Matx33d A(a(0, 0), a(0, 1), a(0, 2), a(1, 0), a(1, 1), a(1, 2), 0, 0, 1);
  const cv::Matx33d B(b(0, 0), b(0, 1), b(0, 2), b(1, 0), b(1, 1), b(1, 2), 0, 0, 1);
  const cv::Matx33d C = B * A;
  return {C(0, 0), C(0, 1), C(0, 2), C(1, 0), C(1, 1), C(1, 2)};
}

inline cv::Matx23d shift(double tx, double ty) { return {1, 0, tx, 0, 1, ty}; }
inline cv::Matx23d zoom_about(double s, double cx, double cy) {
  return {s, 0, cx - s * cx, 0, s, cy - s * cy};
}

}  // namespace pitchtrack::testing
