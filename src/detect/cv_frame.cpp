#include "detect/cv_frame.hpp"

#include <opencv2/imgproc.hpp>

#include "detect/centernet_model.hpp"

namespace pitchtrack::detect {

float letterbox_top_left(const cv::Mat& src, int width, int height, int pad, cv::Mat& dst) {
  const LetterboxGeometry g = letterbox_geometry(src.cols, src.rows, width, height);
  const int rw = g.width, rh = g.height;
  dst.create(height, width, CV_8UC3);
  cv::Mat roi = dst(cv::Rect(0, 0, rw, rh));
  if (rw == src.cols && rh == src.rows) {
    src.copyTo(roi);
  } else {
    cv::resize(src, roi, roi.size(), 0, 0, cv::INTER_LINEAR);  // as in training
  }
  if (rw < width) dst(cv::Rect(rw, 0, width - rw, height)).setTo(cv::Scalar::all(pad));
  if (rh < height) dst(cv::Rect(0, rh, rw, height - rh)).setTo(cv::Scalar::all(pad));
  return g.scale;
}

float letterbox_into(const Frame& frame, int input_width, int input_height, int pad, uint8_t* dst,
                     size_t dst_stride) {
  cv::Mat out(input_height, input_width, CV_8UC3, dst, dst_stride);  // create() below keeps this buffer
  return letterbox_top_left(as_mat(frame), input_width, input_height, pad, out);
}

}  // namespace pitchtrack::detect

namespace pitchtrack {

void resize_like_letterbox(const Frame& frame, MutableFrame& out) {
  cv::Mat dst(out.height(), out.width(), CV_8UC3, out.data(), static_cast<size_t>(out.stride_bytes()));
  cv::resize(detect::as_mat(frame), dst, dst.size(), 0, 0, cv::INTER_LINEAR);  // letterbox_top_left's resize
}

}  // namespace pitchtrack
