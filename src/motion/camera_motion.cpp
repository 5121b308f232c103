#include "pitchtrack/motion/camera_motion.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>
#include <string>
#include <vector>

namespace pitchtrack {
namespace {

class CameraMotionImpl final : public CameraMotionEstimator {
 public:
  explicit CameraMotionImpl(const CameraMotionConfig& c) : cfg_(c) {}

  Result<CameraMotion> estimate(const Frame& frame, std::span<const BoxXyxy> mask_boxes) override {
    if (frame.empty() || frame.width() <= 0 || frame.height() <= 0) {
      return invalid_argument("camera motion: empty frame");
    }
    try {
      return estimate_impl(frame, mask_boxes);
    } catch (const cv::Exception& e) {
      reset();
      return internal_error("camera motion: OpenCV failed at frame " + std::to_string(frame.index) + ": " +
                            e.what());
    }
  }

  void reset() override {
    has_prev_ = false;
    prev_pts_.clear();
    full_ = cv::Size();
  }

 private:
  Result<CameraMotion> estimate_impl(const Frame& frame, std::span<const BoxXyxy> boxes) {
    const cv::Size full(frame.width(), frame.height());
    if (full != full_) {
      reset();
      full_ = full;
      work_ = full;
      if (full.width > cfg_.work_width) {
        work_ = cv::Size(cfg_.work_width,
                         std::max(1, static_cast<int>(std::lround(static_cast<double>(full.height) *
                                                                  cfg_.work_width / full.width))));
      }
      sx_ = static_cast<double>(work_.width) / full.width;
      sy_ = static_cast<double>(work_.height) / full.height;
    }
    const cv::Mat bgr(full, CV_8UC3, const_cast<uint8_t*>(frame.data()),
                      static_cast<size_t>(frame.stride_bytes()));
    cv::cvtColor(bgr, grey_full_, cv::COLOR_BGR2GRAY);
    // Halvings (2x2 means), then bilinear for the remaining factor < 2. OpenCV's INTER_AREA is
    // fast only for an exact 2x (0.06 ms from 720p); by a non-integer factor it costs 2.5 ms
    // (848x478 -> 640x361), by 3 still 1.2 ms (1080p), and for an odd size it takes the slow
    // path too; there bilinear at half size (the mean of the 2x2 around each sample) serves.
    const cv::Mat* src = &grey_full_;
    while (src->cols / 2 >= work_.width) {
      cv::Mat& dst = src == &halving_[0] ? halving_[1] : halving_[0];
      halve(*src, dst);
      src = &dst;
    }
    if (src->size() != work_) {
      cv::resize(*src, grey_, work_, 0, 0, cv::INTER_LINEAR);
    } else {
      src->copyTo(grey_);
    }
    const cv::Size win(cfg_.lk_window_px, cfg_.lk_window_px);
    // Two pyramids, swapped each frame: rebuilding in place reuses their buffers (allocating ~2 MB
    // per frame cost a quarter of the time in page faults).
    std::vector<cv::Mat>& pyr = pyr_[static_cast<size_t>(cur_)];
    const std::vector<cv::Mat>& prev_pyr = pyr_[static_cast<size_t>(1 - cur_)];
    cv::buildOpticalFlowPyramid(grey_, pyr, win, cfg_.lk_levels, true, cv::BORDER_REFLECT_101,
                                cv::BORDER_CONSTANT, false);

    // Background mask of this frame (work resolution): people boxes grown by mask_margin.
    mask_.create(work_, CV_8U);
    mask_.setTo(255);
    for (const BoxXyxy& b : boxes) {
      const double mx = cfg_.mask_margin * b.width(), my = cfg_.mask_margin * b.height();
      const int x1 = std::clamp(static_cast<int>(std::floor((b.x1 - mx) * sx_)), 0, work_.width);
      const int y1 = std::clamp(static_cast<int>(std::floor((b.y1 - my) * sy_)), 0, work_.height);
      const int x2 = std::clamp(static_cast<int>(std::ceil((b.x2 + mx) * sx_)), 0, work_.width);
      const int y2 = std::clamp(static_cast<int>(std::ceil((b.y2 + my) * sy_)), 0, work_.height);
      if (x2 > x1 && y2 > y1) mask_(cv::Rect(x1, y1, x2 - x1, y2 - y1)).setTo(0);
    }

    CameraMotion out;
    // Point lists are members (cleared, refilled): their buffers are reused frame to frame.
    std::vector<cv::Point2f>& kept = kept_;  // this frame's background points, tracked inliers
    kept.clear();
    if (has_prev_ && !prev_pts_.empty()) {
      std::vector<cv::Point2f>& next = next_;
      std::vector<uchar>& status = status_;
      cv::calcOpticalFlowPyrLK(prev_pyr, pyr, prev_pts_, next, status, err_, win, cfg_.lk_levels,
                               cv::TermCriteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 10, 0.03));
      std::vector<cv::Point2f>& p0 = p0_;
      std::vector<cv::Point2f>& p1 = p1_;
      p0.clear();
      p1.clear();
      for (size_t i = 0; i < next.size(); ++i) {
        if (!status[i]) continue;
        p0.push_back(prev_pts_[i]);
        p1.push_back(next[i]);
      }
      if (static_cast<int>(p0.size()) >= cfg_.min_inliers) {
        std::vector<uchar>& inl = inliers_;
        const cv::Mat m =
            cv::estimateAffinePartial2D(p0, p1, inl, cv::RANSAC, cfg_.ransac_threshold_px, 500, 0.995, 10);
        const int n_in = m.empty() ? 0 : cv::countNonZero(inl);
        if (n_in >= cfg_.min_inliers && plausible(m)) {
          out.affine = to_full(m);
          out.inliers = n_in;
          double flow = 0;
          for (size_t i = 0; i < p0.size(); ++i) {
            if (!inl[i]) continue;
            flow += std::hypot((p1[i].x - p0[i].x) / sx_, (p1[i].y - p0[i].y) / sy_);
            kept.push_back(p1[i]);
          }
          out.mean_flow_px = flow / n_in;
        }
      }
    }

    // Next frame's features: tracked inliers still on the background, topped up with new corners.
    const float border = 2.0f;
    std::erase_if(kept, [&](const cv::Point2f& p) {
      const int x = static_cast<int>(p.x), y = static_cast<int>(p.y);
      return p.x < border || p.y < border || p.x >= static_cast<float>(work_.width) - border ||
             p.y >= static_cast<float>(work_.height) - border || mask_.at<uchar>(y, x) == 0;
    });
    if (static_cast<double>(kept.size()) < cfg_.redetect_fraction * cfg_.max_features) detect(kept);
    prev_pts_.swap(kept);  // both keep their capacity
    has_prev_ = true;
    cur_ = 1 - cur_;
    return out;
  }

  // New corners on a grid: one per cell (cells sized so that max_features of them cover the
  // image), the strongest Shi-Tomasi response (minimum eigenvalue of the structure tensor) at half
  // the work resolution, above feature_quality times the frame's strongest; cells on masked
  // boxes or already holding a tracked point are skipped. A grid spreads the points over the
  // whole background (a better-conditioned fit than OpenCV's strongest-first goodFeaturesToTrack,
  // which also costs ~5x more: the response at full work resolution is 2.4 ms per frame here).
  void detect(std::vector<cv::Point2f>& pts) {
    halve(grey_, half_);
    min_eigen_response(half_);
    double max_eig = 0;
    cv::minMaxLoc(eig_, nullptr, &max_eig);
    if (!(max_eig > 0)) return;
    const float thr = static_cast<float>(cfg_.feature_quality * max_eig);
    const double fx = static_cast<double>(work_.width) / half_.cols,
                 fy = static_cast<double>(work_.height) / half_.rows;
    const int cell = std::max(
        2, static_cast<int>(std::sqrt(static_cast<double>(half_.cols) * half_.rows / cfg_.max_features)));
    const int gx = (half_.cols + cell - 1) / cell, gy = (half_.rows + cell - 1) / cell;
    occupied_.assign(static_cast<size_t>(gx) * gy, 0);
    for (const cv::Point2f& p : pts) {
      const int cx = std::clamp(static_cast<int>(p.x / fx) / cell, 0, gx - 1);
      const int cy = std::clamp(static_cast<int>(p.y / fy) / cell, 0, gy - 1);
      occupied_[static_cast<size_t>(cy) * gx + cx] = 1;
    }
    const int margin = 2;  // the response is unreliable at the border
    for (int cy = 0; cy < gy && static_cast<int>(pts.size()) < cfg_.max_features; ++cy) {
      for (int cx = 0; cx < gx && static_cast<int>(pts.size()) < cfg_.max_features; ++cx) {
        if (occupied_[static_cast<size_t>(cy) * gx + cx]) continue;
        float best = thr;
        int bx = -1, by = -1;
        const int y_end = std::min(half_.rows - margin, (cy + 1) * cell);
        const int x_end = std::min(half_.cols - margin, (cx + 1) * cell);
        for (int y = std::max(margin, cy * cell); y < y_end; ++y) {
          const float* e = eig_.ptr<float>(y);
          const uchar* m = mask_.ptr<uchar>(std::min(work_.height - 1, static_cast<int>(y * fy)));
          for (int x = std::max(margin, cx * cell); x < x_end; ++x) {
            if (e[x] > best && m[std::min(work_.width - 1, static_cast<int>(x * fx))]) {
              best = e[x];
              bx = x;
              by = y;
            }
          }
        }
        if (bx >= 0) {
          pts.emplace_back(static_cast<float>((bx + 0.5) * fx - 0.5),
                           static_cast<float>((by + 0.5) * fy - 0.5));
        }
      }
    }
  }

  // cv::cornerMinEigenVal(src, eig_, 3, 3) with every buffer a member: OpenCV's own allocates
  // three image-sized temporaries per call (Dx, Dy, the 3-channel tensor; ~1.1 MB at 320x180).
  // Same steps and arithmetic: Sobel 3x3 scaled by 1 / (4 * 3 * 255), products, unnormalised
  // 3x3 box sum, smaller eigenvalue (a + c) - sqrt((a - c)^2 + b^2) with a, c halved.
  void min_eigen_response(const cv::Mat& src) {
    const double scale = 1.0 / (4.0 * 3.0 * 255.0);
    cv::Sobel(src, dx_, CV_32F, 1, 0, 3, scale, 0, cv::BORDER_DEFAULT);
    cv::Sobel(src, dy_, CV_32F, 0, 1, 3, scale, 0, cv::BORDER_DEFAULT);
    tensor_.create(src.size(), CV_32FC3);
    for (int y = 0; y < src.rows; ++y) {
      const float* gx = dx_.ptr<float>(y);
      const float* gy = dy_.ptr<float>(y);
      float* t = tensor_.ptr<float>(y);
      for (int x = 0; x < src.cols; ++x) {
        t[3 * x] = gx[x] * gx[x];
        t[3 * x + 1] = gx[x] * gy[x];
        t[3 * x + 2] = gy[x] * gy[x];
      }
    }
    cv::boxFilter(tensor_, tensor_sum_, tensor_.depth(), cv::Size(3, 3), cv::Point(-1, -1), false,
                  cv::BORDER_DEFAULT);
    eig_.create(src.size(), CV_32F);
    for (int y = 0; y < src.rows; ++y) {
      const float* t = tensor_sum_.ptr<float>(y);
      float* e = eig_.ptr<float>(y);
      for (int x = 0; x < src.cols; ++x) {
        const float a = t[3 * x] * 0.5f, b = t[3 * x + 1], c = t[3 * x + 2] * 0.5f;
        e[x] = (a + c) - std::sqrt((a - c) * (a - c) + b * b);
      }
    }
  }

  static void halve(const cv::Mat& src, cv::Mat& dst) {
    const bool even = src.cols % 2 == 0 && src.rows % 2 == 0;
    cv::resize(src, dst, cv::Size(std::max(1, src.cols / 2), std::max(1, src.rows / 2)), 0, 0,
               even ? cv::INTER_AREA : cv::INTER_LINEAR);
  }

  // A similarity [s cos, -s sin, tx; s sin, s cos, ty] within the configured bounds.
  bool plausible(const cv::Mat& m) const {
    const double a = m.at<double>(0, 0), b = m.at<double>(1, 0);
    const double s = std::hypot(a, b);
    const double rot_deg = std::abs(std::atan2(b, a)) * 180.0 / std::numbers::pi;
    return std::isfinite(s) && s <= cfg_.max_scale_change && s >= 1.0 / cfg_.max_scale_change &&
           rot_deg <= cfg_.max_rotation_deg;
  }

  // Work-resolution affine -> full resolution. Resizing aligns pixel centres: p_w = S p + c with
  // S = diag(sx, sy), c = (sx / 2 - 1/2, sy / 2 - 1/2); so A = S^-1 A_w S and
  // t = S^-1 (t_w + (A_w - I) c).
  std::array<double, 6> to_full(const cv::Mat& m) const {
    const double a = m.at<double>(0, 0), b = m.at<double>(0, 1), c = m.at<double>(1, 0),
                 d = m.at<double>(1, 1);
    const double cx = 0.5 * sx_ - 0.5, cy = 0.5 * sy_ - 0.5;
    const double tx = m.at<double>(0, 2) + (a - 1) * cx + b * cy;
    const double ty = m.at<double>(1, 2) + c * cx + (d - 1) * cy;
    return {a, b * sy_ / sx_, tx / sx_, c * sx_ / sy_, d, ty / sy_};
  }

  CameraMotionConfig cfg_;
  cv::Size full_, work_;
  double sx_ = 1.0, sy_ = 1.0;
  cv::Mat grey_full_, grey_, mask_, half_, eig_, dx_, dy_, tensor_, tensor_sum_;
  std::array<cv::Mat, 2> halving_;
  std::vector<uchar> occupied_;
  std::array<std::vector<cv::Mat>, 2> pyr_;
  int cur_ = 0;
  bool has_prev_ = false;
  std::vector<cv::Point2f> prev_pts_;
  std::vector<cv::Point2f> kept_, next_, p0_, p1_;  // per-frame scratch
  std::vector<uchar> status_, inliers_;
  std::vector<float> err_;
};

}  // namespace

Status validate(const CameraMotionConfig& c) {
  if (c.work_width < 64) return invalid_argument("camera_motion.work_width must be >= 64");
  if (c.max_features < 4) return invalid_argument("camera_motion.max_features must be >= 4");
  if (!(c.feature_quality > 0 && c.feature_quality < 1)) {
    return invalid_argument("camera_motion.feature_quality must be in (0, 1)");
  }
  if (!(c.redetect_fraction >= 0 && c.redetect_fraction <= 1)) {
    return invalid_argument("camera_motion.redetect_fraction must be in [0, 1]");
  }
  if (!(c.mask_margin >= 0 && c.mask_margin <= 2)) {
    return invalid_argument("camera_motion.mask_margin must be in [0, 2]");
  }
  if (c.lk_window_px < 5 || c.lk_window_px > 51) {
    return invalid_argument("camera_motion.lk_window_px must be in [5, 51]");
  }
  if (c.lk_levels < 0 || c.lk_levels > 6) {
    return invalid_argument("camera_motion.lk_levels must be in [0, 6]");
  }
  if (!(c.ransac_threshold_px > 0)) return invalid_argument("camera_motion.ransac_threshold_px must be > 0");
  if (c.min_inliers < 3) return invalid_argument("camera_motion.min_inliers must be >= 3");
  if (c.min_inliers > c.max_features) {
    return invalid_argument("camera_motion.min_inliers must be <= max_features");
  }
  if (!(c.max_scale_change > 1)) return invalid_argument("camera_motion.max_scale_change must be > 1");
  if (!(c.max_rotation_deg > 0)) return invalid_argument("camera_motion.max_rotation_deg must be > 0");
  return Status::ok();
}

Result<std::unique_ptr<CameraMotionEstimator>> CameraMotionEstimator::create(
    const CameraMotionConfig& config) {
  PT_RETURN_IF_ERROR(validate(config));
  return std::unique_ptr<CameraMotionEstimator>(std::make_unique<CameraMotionImpl>(config));
}

}  // namespace pitchtrack
