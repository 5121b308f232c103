#include "detect/classical/classical_detector.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "detect/cv_frame.hpp"
#include "detect/postprocess.hpp"

namespace pitchtrack::detect {
namespace {

using SteadyTime = std::chrono::steady_clock;

constexpr int kWorkWidth = 640;           // px: processing resolution
constexpr int kMinSaturation = 40;        // HSV S for "coloured" pixels
constexpr int kHueHalfWidth = 14;         // OpenCV hue units (0..180) around the grass peak
constexpr float kPersonAspectMin = 1.1f;  // h / w of a single standing person
constexpr float kPersonAspectMax = 4.5f;

struct Blob {
  cv::Rect r;
  int area;
};

class ClassicalSession final : public Detector {
 public:
  explicit ClassicalSession(DetectorConfig config) : config_(std::move(config)) {
    for (size_t c = 0; c < thr_.size(); ++c) {
      if (config_.thresholds[c] >= 0) thr_[c] = config_.thresholds[c];
    }
  }
  DetectorCaps caps() const override { return {"classical", "cpu", "fp32", 64, 0, 0, false}; }
  DetectorTimings last_timings() const override { return timings_; }

  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    timings_ = {};
    std::vector<std::vector<Detection>> out;
    out.reserve(frames.size());
    for (const Frame& f : frames) {
      if (f.empty()) return invalid_argument("detect: frame " + std::to_string(f.index) + " is empty");
      const auto t0 = SteadyTime::now();
      out.push_back(detect_one(f));
      timings_.inference_ms += std::chrono::duration<double, std::milli>(SteadyTime::now() - t0).count();
    }
    return out;
  }

 private:
  std::vector<Detection> detect_one(const Frame& frame) {
    const cv::Mat src = as_mat(frame);
    const float s = std::min(1.0f, static_cast<float>(kWorkWidth) / static_cast<float>(src.cols));
    if (s < 1.0f) {
      cv::resize(src, small_, cv::Size(), s, s, cv::INTER_AREA);
    } else {
      src.copyTo(small_);
    }
    cv::cvtColor(small_, hsv_, cv::COLOR_BGR2HSV);

    // (1) Dominant green hue among saturated pixels.
    const int grass_hue = dominant_green_hue();
    if (grass_hue < 0) return {};  // no grass: not a pitch view (close-up, crowd)
    const cv::Scalar lo(std::max(0, grass_hue - kHueHalfWidth), kMinSaturation - 10, 35);
    const cv::Scalar hi(std::min(180, grass_hue + kHueHalfWidth), 255, 255);
    cv::inRange(hsv_, lo, hi, grass_);

    // (2) Pitch region: largest grass component after closing, as its convex hull.
    cv::morphologyEx(grass_, closed_, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, {15, 15}));
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(closed_, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    if (contours.empty()) return {};
    const auto biggest = std::max_element(contours.begin(), contours.end(), [](const auto& a, const auto& b) {
      return cv::contourArea(a) < cv::contourArea(b);
    });
    if (cv::contourArea(*biggest) < 0.1 * small_.total()) return {};
    // The filled outline (not its convex hull, which would bridge over advertising boards),
    // closed with a person-sized kernel so players standing on the edge stay inside.
    pitch_.create(small_.size(), CV_8U);
    pitch_.setTo(0);
    cv::drawContours(pitch_, contours, static_cast<int>(biggest - contours.begin()), cv::Scalar(255),
                     cv::FILLED);
    cv::morphologyEx(pitch_, pitch_, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {5, 15}));

    // (3) Foreground on the pitch; opening removes thin lines and speckle.
    cv::bitwise_not(grass_, fg_);
    cv::bitwise_and(fg_, pitch_, fg_);
    cv::morphologyEx(fg_, fg_, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {2, 3}));

    const int n = cv::connectedComponentsWithStats(fg_, labels_, stats_, centroids_, 8, CV_32S);
    std::vector<Blob> blobs;
    blobs.reserve(static_cast<size_t>(n));
    for (int i = 1; i < n; ++i) {
      const int* st = stats_.ptr<int>(i);
      blobs.push_back(
          {cv::Rect(st[cv::CC_STAT_LEFT], st[cv::CC_STAT_TOP], st[cv::CC_STAT_WIDTH], st[cv::CC_STAT_HEIGHT]),
           st[cv::CC_STAT_AREA]});
    }

    // (4) Perspective prior: expected person height h(y) = a + b*y from single-person-like blobs.
    double a = 0, b = 0;
    fit_height_prior(blobs, a, b);
    std::vector<Detection> dets;
    const float inv = 1.0f / s;
    for (const Blob& bl : blobs) {
      const float yb = static_cast<float>(bl.r.y + bl.r.height);
      const float exp_h = static_cast<float>(std::max(4.0, a + b * yb));
      const float exp_w = exp_h / 2.4f;
      const float h = static_cast<float>(bl.r.height);
      const float w = static_cast<float>(bl.r.width);
      const float fill = static_cast<float>(bl.area) / std::max(1.0f, w * h);
      if (is_ball_candidate(bl, exp_h)) {
        const float score = ball_score(bl);
        if (score >= thr_[0]) {
          dets.push_back({scale_box(bl.r, inv, frame), score, ObjectClass::kBall});
        }
        continue;
      }
      if (h < 0.45f * exp_h || h > 2.2f * exp_h || fill < 0.2f) continue;
      // Merged neighbours: split wide blobs into k equal slices.
      const int k = std::clamp(static_cast<int>(std::lround(w / (exp_w * 1.15f))), 1, 6);
      const float aspect_fit = std::clamp(1.0f - std::abs(h / exp_h - 1.0f), 0.0f, 1.0f);
      const float score = std::clamp(0.35f + 0.35f * aspect_fit + 0.3f * fill, 0.0f, 1.0f);
      if (score < thr_[2]) continue;
      for (int j = 0; j < k; ++j) {
        cv::Rect part(bl.r.x + bl.r.width * j / k, bl.r.y, bl.r.width / k, bl.r.height);
        dets.push_back({scale_box(part, inv, frame), score, ObjectClass::kPlayer});
      }
    }
    return nms_per_class(std::move(dets), config_.nms_iou, config_.max_detections);
  }

  int dominant_green_hue() {
    const int channels[] = {0};
    const int hist_size[] = {180};
    const float range[] = {0, 180};
    const float* ranges[] = {range};
    cv::inRange(hsv_, cv::Scalar(0, kMinSaturation, 35), cv::Scalar(180, 255, 255), sat_mask_);
    cv::calcHist(&hsv_, 1, channels, sat_mask_, hist_, 1, hist_size, ranges);
    int best = -1;
    float best_v = 0;
    for (int h = 25; h <= 95; ++h) {
      const float v = hist_.at<float>(h);
      if (v > best_v) {
        best_v = v;
        best = h;
      }
    }
    return best_v > 0.15f * static_cast<float>(small_.total()) ? best : -1;
  }

  static void fit_height_prior(const std::vector<Blob>& blobs, double& a, double& b) {
    // Least squares on blobs with a single-person aspect, then a robust refit within 35%.
    std::vector<std::pair<double, double>> pts;
    for (const Blob& bl : blobs) {
      const double h = bl.r.height, w = bl.r.width;
      if (h >= 6 && h / w >= kPersonAspectMin && h / w <= kPersonAspectMax) pts.emplace_back(bl.r.y + h, h);
    }
    auto fit = [&](const std::vector<std::pair<double, double>>& p) {
      if (p.size() < 3) {
        a = p.empty() ? 20.0 : p[0].second;  // flat prior
        b = 0.0;
        if (!p.empty()) {
          double sum = 0;
          for (const auto& q : p) sum += q.second;
          a = sum / static_cast<double>(p.size());
        }
        return;
      }
      double sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (const auto& [x, y] : p) {
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
      }
      const double nn = static_cast<double>(p.size());
      const double den = nn * sxx - sx * sx;
      b = std::abs(den) > 1e-9 ? (nn * sxy - sx * sy) / den : 0.0;
      b = std::clamp(b, 0.0, 0.2);  // height never shrinks towards the camera
      a = (sy - b * sx) / nn;
    };
    fit(pts);
    std::vector<std::pair<double, double>> inliers;
    for (const auto& q : pts) {
      const double e = a + b * q.first;
      if (std::abs(q.second - e) < 0.35 * e) inliers.push_back(q);
    }
    if (inliers.size() >= 3) fit(inliers);
  }

  bool is_ball_candidate(const Blob& bl, float exp_h) const {
    const float w = static_cast<float>(bl.r.width), h = static_cast<float>(bl.r.height);
    const float max_d = std::max(2.0f, 0.28f * exp_h);
    if (w > max_d || h > max_d || bl.area < 1) return false;
    const float aspect = w / std::max(1.0f, h);
    return aspect > 0.5f && aspect < 2.0f;
  }

  float ball_score(const Blob& bl) const {
    // Bright and unsaturated (a white ball), compact.
    const cv::Mat roi = hsv_(bl.r);
    const cv::Scalar m = cv::mean(roi, fg_(bl.r));
    const float bright = static_cast<float>(m[2]) / 255.0f;
    const float unsat = 1.0f - static_cast<float>(m[1]) / 255.0f;
    const float fill = static_cast<float>(bl.area) / static_cast<float>(std::max(1, bl.r.area()));
    return std::clamp(0.5f * bright * unsat + 0.5f * fill * bright, 0.0f, 1.0f);
  }

  static BoxXyxy scale_box(const cv::Rect& r, float inv, const Frame& f) {
    BoxXyxy b{r.x * inv, r.y * inv, (r.x + r.width) * inv, (r.y + r.height) * inv};
    b.x2 = std::min(b.x2, static_cast<float>(f.width()));
    b.y2 = std::min(b.y2, static_cast<float>(f.height()));
    return b;
  }

  DetectorConfig config_;
  std::array<float, kNumObjectClasses> thr_ = {0.35f, 0.5f, 0.5f, 0.5f};
  DetectorTimings timings_;
  cv::Mat small_, hsv_, grass_, closed_, pitch_, fg_, labels_, stats_, centroids_, sat_mask_, hist_;
};

class ClassicalModel final : public DetectorModel {
 public:
  explicit ClassicalModel(DetectorConfig config) : config_(std::move(config)) {}
  DetectorCaps caps() const override { return {"classical", "cpu", "fp32", 64, 0, 0, false}; }
  Result<std::unique_ptr<Detector>> create_session() const override {
    return std::unique_ptr<Detector>(std::make_unique<ClassicalSession>(config_));
  }

 private:
  DetectorConfig config_;
};

}  // namespace

std::shared_ptr<const DetectorModel> make_classical_model(const DetectorConfig& config) {
  return std::make_shared<ClassicalModel>(config);
}

}  // namespace pitchtrack::detect
