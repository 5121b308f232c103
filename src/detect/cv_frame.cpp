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

void blob_from_images(std::span<const cv::Mat> images, float scale, cv::Mat& blob) {
  if (images.empty()) {
    blob.release();
    return;
  }
  const int n = static_cast<int>(images.size()), h = images[0].rows, w = images[0].cols;
  for (const cv::Mat& m : images) CV_Assert(m.type() == CV_8UC3 && m.rows == h && m.cols == w);
  const int shape[4] = {n, 3, h, w};
  blob.create(4, shape, CV_32F);
  const size_t plane = static_cast<size_t>(h) * static_cast<size_t>(w);
  float* out = blob.ptr<float>();
  // Stripes of rows over all images; each row is read once and written to its three planes.
  cv::parallel_for_(cv::Range(0, n * h), [&](const cv::Range& r) {
    for (int k = r.start; k < r.end; ++k) {
      const int i = k / h, y = k % h;
      const uint8_t* src = images[static_cast<size_t>(i)].ptr<uint8_t>(y);
      float* c0 =
          out + (static_cast<size_t>(i) * 3) * plane + static_cast<size_t>(y) * static_cast<size_t>(w);
      float* c1 = c0 + plane;
      float* c2 = c1 + plane;
      for (int x = 0; x < w; ++x) {
        c0[x] = static_cast<float>(src[3 * x]) * scale;
        c1[x] = static_cast<float>(src[3 * x + 1]) * scale;
        c2[x] = static_cast<float>(src[3 * x + 2]) * scale;
      }
    }
  });
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
