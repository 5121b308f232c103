#include "detect/cv_frame.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace pitchtrack::detect {

float letterbox_top_left(const cv::Mat& src, int width, int height, int pad, cv::Mat& dst) {
  const float scale = std::min(static_cast<float>(width) / static_cast<float>(src.cols),
                               static_cast<float>(height) / static_cast<float>(src.rows));
  const int rw = std::max(1, std::min(width, static_cast<int>(std::lround(src.cols * scale))));
  const int rh = std::max(1, std::min(height, static_cast<int>(std::lround(src.rows * scale))));
  dst.create(height, width, CV_8UC3);
  cv::Mat roi = dst(cv::Rect(0, 0, rw, rh));
  if (rw == src.cols && rh == src.rows) {
    src.copyTo(roi);
  } else {
    cv::resize(src, roi, roi.size(), 0, 0, cv::INTER_LINEAR);  // as in training
  }
  if (rw < width) dst(cv::Rect(rw, 0, width - rw, height)).setTo(cv::Scalar::all(pad));
  if (rh < height) dst(cv::Rect(0, rh, rw, height - rh)).setTo(cv::Scalar::all(pad));
  return scale;
}

}  // namespace pitchtrack::detect
