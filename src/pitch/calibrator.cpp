#include "pitchtrack/pitch/calibrator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace pitchtrack {
namespace {

// Image anchors as fractions of the frame: the lower part of a broadcast frame shows pitch; the
// second set (lower still) is used when the first maps above the horizon or too far away.
constexpr std::array<std::array<double, 8>, 2> kAnchorSets = {{
    {0.25, 0.55, 0.75, 0.55, 0.25, 0.9, 0.75, 0.9},
    {0.3, 0.75, 0.7, 0.75, 0.3, 0.97, 0.7, 0.97},
}};

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

std::array<ImagePoint, 4> anchors(int set, ImageSize image) {
  const auto& a = kAnchorSets[static_cast<size_t>(set)];
  std::array<ImagePoint, 4> out{};
  for (size_t i = 0; i < 4; ++i) out[i] = {a[2 * i] * image.width_px, a[2 * i + 1] * image.height_px};
  return out;
}

// Pitch positions of the anchors under h; nullopt when one is behind the camera or absurdly far.
std::optional<std::array<double, 8>> anchor_positions(const Homography& h, int set, ImageSize image,
                                                      const PitchModel& pitch) {
  std::array<double, 8> out{};
  const auto a = anchors(set, image);
  const double limit = 2.0 * pitch.length_m();
  for (size_t i = 0; i < 4; ++i) {
    const auto p = image_to_pitch(h, a[i].x_px, a[i].y_px);
    if (!p || std::hypot(p->x_m, p->y_m) > limit) return std::nullopt;
    out[2 * i] = p->x_m;
    out[2 * i + 1] = p->y_m;
  }
  return out;
}

std::optional<Homography> from_anchor_positions(const std::array<double, 8>& pos, int set, ImageSize image) {
  const auto a = anchors(set, image);
  std::array<PointPair, 4> pairs{};
  for (size_t i = 0; i < 4; ++i) pairs[i] = {a[i].x_px, a[i].y_px, {pos[2 * i], pos[2 * i + 1]}};
  auto h = estimate_homography(pairs);
  if (!h.is_ok()) return std::nullopt;
  return *h;
}

}  // namespace

Result<std::unique_ptr<PitchCalibrator>> PitchCalibrator::create(const CalibratorConfig& config) {
  auto pitch = PitchModel::create(config.pitch);
  if (!pitch.is_ok()) return pitch.status().with_context("calibrator");
  const CalibratorConfig& c = config;
  if (c.mode != "auto" && c.mode != "static") {
    return invalid_argument("calibrator.mode must be 'auto' or 'static', got '" + c.mode + "'");
  }
  if (c.image.width_px < 0 || c.image.height_px < 0) {
    return invalid_argument("calibrator.image: width_px and height_px must be >= 0");
  }
  if (!(c.projection_margin_m >= 0)) return invalid_argument("calibrator.projection_margin_m must be >= 0");
  if (!(c.checks.max_condition > 1)) return invalid_argument("calibrator.checks.max_condition must be > 1");
  if (c.checks.min_corners_in_front < 0 || c.checks.min_corners_in_front > 4) {
    return invalid_argument("calibrator.checks.min_corners_in_front must be in [0, 4]");
  }
  auto cal = std::unique_ptr<PitchCalibrator>(new PitchCalibrator(config, std::move(pitch).value()));
  HomographyChecks checks = c.checks;
  if (c.image.width_px > 0 && c.image.height_px > 0) checks.image = c.image;

  if (c.mode == "static") {
    if (c.static_homography.has_value() == !c.static_points.empty()) {
      return invalid_argument(
          "calibrator: static mode needs exactly one of calibrator.static_homography and "
          "calibrator.static_points");
    }
    CalibrationResult r;
    r.quality = 1.0;
    if (c.static_homography) {
      PT_RETURN_IF_ERROR(
          validate_homography(*c.static_homography, cal->pitch_, checks, "calibrator.static_homography"));
      r.image_to_pitch = normalize_homography(*c.static_homography);
    } else {
      if (c.static_points.size() < 4) {
        return invalid_argument("calibrator.static_points: need at least 4 image <-> pitch pairs, got " +
                                std::to_string(c.static_points.size()));
      }
      auto h = estimate_homography(c.static_points);
      if (!h.is_ok()) return h.status().with_context("calibrator.static_points");
      std::vector<ImagePoint> observed;
      for (const auto& p : c.static_points) observed.push_back({p.x_px, p.y_px});
      PT_RETURN_IF_ERROR(validate_homography(*h, cal->pitch_, checks, "calibrator.static_points", observed));
      const double rms = rms_reprojection_error_px(*h, c.static_points);
      if (!(rms <= c.max_static_error_px)) {
        return invalid_argument(
            "calibrator.static_points: the pairs do not fit one homography (RMS reprojection "
            "error " +
            std::to_string(rms) + " px > max_static_error_px " + std::to_string(c.max_static_error_px) +
            "); check for a swapped or mistyped pair");
      }
      r.image_to_pitch = *h;
      r.inliers = static_cast<int>(c.static_points.size());
      r.reprojection_error_px = rms;
    }
    cal->static_result_ = r;
    return cal;
  }

  // auto mode
  if (!(c.min_keypoint_confidence >= 0 && c.min_keypoint_confidence <= 1)) {
    return invalid_argument("calibrator.min_keypoint_confidence must be in [0, 1]");
  }
  if (!(c.inlier_threshold_px > 0)) return invalid_argument("calibrator.inlier_threshold_px must be > 0");
  if (c.ransac_iterations < 1) return invalid_argument("calibrator.ransac_iterations must be >= 1");
  if (c.min_inliers < 4) return invalid_argument("calibrator.min_inliers must be >= 4");
  if (c.good_inliers <= 3 || c.good_inliers < c.min_inliers) {
    return invalid_argument("calibrator.good_inliers must be > 3 and >= min_inliers");
  }
  if (!(c.max_reprojection_error_px > 0))
    return invalid_argument("calibrator.max_reprojection_error_px must be > 0");
  if (!(c.min_quality >= 0 && c.min_quality <= 1))
    return invalid_argument("calibrator.min_quality must be in [0, 1]");
  if (!(c.smoothing_alpha > 0 && c.smoothing_alpha <= 1)) {
    return invalid_argument("calibrator.smoothing_alpha must be in (0, 1]");
  }
  if (!(c.smoothing_beta >= 0 && c.smoothing_beta < 1)) {
    return invalid_argument("calibrator.smoothing_beta must be in [0, 1)");
  }
  if (!(c.gate_m > 0)) return invalid_argument("calibrator.gate_m must be > 0");
  if (c.reacquire_frames < 1) return invalid_argument("calibrator.reacquire_frames must be >= 1");
  if (c.max_gap_frames < 1) return invalid_argument("calibrator.max_gap_frames must be >= 1");
  return cal;
}

PitchCalibrator::PitchCalibrator(CalibratorConfig config, PitchModel pitch)
    : config_(std::move(config)), pitch_(std::move(pitch)) {}

void PitchCalibrator::reset() {
  has_state_ = false;
  rejections_ = 0;
}

std::optional<PitchCalibrator::Measurement> PitchCalibrator::measure(std::span<const PitchKeypoint> keypoints,
                                                                     ImageSize image) const {
  const double px_scale = image.height_px / 720.0;
  std::vector<PointPair> pairs;
  pairs.reserve(keypoints.size());
  for (const auto& k : keypoints) {
    if (k.id < 0 || k.id >= PitchModel::kNumKeypoints || !(k.confidence >= config_.min_keypoint_confidence))
      continue;
    if (!std::isfinite(k.x_px) || !std::isfinite(k.y_px)) continue;
    pairs.push_back({k.x_px, k.y_px, pitch_.keypoint(k.id)});
  }
  if (static_cast<int>(pairs.size()) < config_.min_inliers) return std::nullopt;
  RansacConfig rc;
  rc.inlier_threshold_px = config_.inlier_threshold_px * px_scale;
  rc.max_iterations = config_.ransac_iterations;
  rc.seed = config_.seed;
  rc.min_inliers = config_.min_inliers;
  auto fit = estimate_homography_ransac(pairs, rc);
  if (!fit.is_ok()) return std::nullopt;
  std::vector<ImagePoint> observed;
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (!fit->inliers[i]) continue;
    observed.push_back({pairs[i].x_px, pairs[i].y_px});
    x0 = std::min(x0, pairs[i].x_px);
    x1 = std::max(x1, pairs[i].x_px);
    y0 = std::min(y0, pairs[i].y_px);
    y1 = std::max(y1, pairs[i].y_px);
  }
  HomographyChecks checks = config_.checks;
  checks.image = image;
  if (!validate_homography(fit->image_to_pitch, pitch_, checks, "calibration", observed).is_ok()) {
    return std::nullopt;
  }
  const double f = clamp01((fit->num_inliers - 3.0) / (config_.good_inliers - 3.0));
  const double g = clamp01(1.0 - fit->rms_error_px / (config_.max_reprojection_error_px * px_scale));
  const double area = std::max(0.0, x1 - x0) * std::max(0.0, y1 - y0) /
                      (static_cast<double>(image.width_px) * static_cast<double>(image.height_px));
  const double h = 0.5 + 0.5 * clamp01(std::sqrt(area) / 0.5);
  Measurement m{fit->image_to_pitch, f * g * h, fit->num_inliers, fit->rms_error_px};
  if (!(m.quality >= config_.min_quality) || m.quality <= 0) return std::nullopt;
  return m;
}

CalibrationResult PitchCalibrator::update(std::span<const PitchKeypoint> keypoints, ImageSize image,
                                          int64_t frame_index, bool camera_cut) {
  if (static_result_) return *static_result_;
  CalibrationResult out;
  if (image.width_px <= 0 || image.height_px <= 0) return out;

  bool restart = camera_cut || !has_state_ || image.width_px != state_image_.width_px ||
                 image.height_px != state_image_.height_px || frame_index <= last_frame_ ||
                 frame_index - last_frame_ > config_.max_gap_frames;
  if (restart && has_state_) {
    has_state_ = false;
    out.reset = true;
  }
  const auto m = measure(keypoints, image);
  if (!m) {
    if (camera_cut) out.reset = true;
    return out;  // no trustworthy measurement: no homography (the filter keeps its state)
  }
  out.inliers = m->inliers;
  out.reprojection_error_px = m->rms_px;

  auto start = [&]() -> CalibrationResult {
    for (int set = 0; set < static_cast<int>(kAnchorSets.size()); ++set) {
      const auto z = anchor_positions(m->h, set, image, pitch_);
      if (!z) continue;
      has_state_ = true;
      anchor_set_ = set;
      state_image_ = image;
      last_frame_ = frame_index;
      rejections_ = 0;
      pos_ = *z;
      vel_.fill(0.0);
      out.reset = true;
      out.image_to_pitch = m->h;
      out.quality = m->quality;
      return out;
    }
    // No anchor set is usable (camera looking almost at the horizon): unsmoothed measurement.
    has_state_ = false;
    out.reset = true;
    out.image_to_pitch = m->h;
    out.quality = m->quality;
    return out;
  };
  if (!has_state_) return start();

  const auto z = anchor_positions(m->h, anchor_set_, image, pitch_);
  if (!z) return start();  // the anchors left the pitch side of the horizon: new parametrisation
  const double dt = static_cast<double>(frame_index - last_frame_);
  std::array<double, 8> pred{}, innov{};
  double se = 0;
  for (size_t i = 0; i < 8; ++i) {
    pred[i] = pos_[i] + vel_[i] * dt;
    innov[i] = (*z)[i] - pred[i];
    se += innov[i] * innov[i];
  }
  const double rms_m = std::sqrt(se / 4.0);  // per anchor
  if (rms_m > config_.gate_m) {
    if (++rejections_ >= config_.reacquire_frames) return start();
    spdlog::debug("calibrator: frame {} rejected (anchors {:.2f} m from prediction)", frame_index, rms_m);
    out.inliers = 0;
    out.reprojection_error_px = 0;
    return out;
  }
  rejections_ = 0;
  for (size_t i = 0; i < 8; ++i) {
    pos_[i] = pred[i] + config_.smoothing_alpha * innov[i];
    vel_[i] = vel_[i] + config_.smoothing_beta * innov[i] / dt;
  }
  last_frame_ = frame_index;
  auto h = from_anchor_positions(pos_, anchor_set_, image);
  HomographyChecks checks = config_.checks;
  checks.image = image;
  if (!h || !validate_homography(*h, pitch_, checks, "calibration").is_ok()) {
    return start();
  }
  out.image_to_pitch = *h;
  out.quality = m->quality;
  return out;
}

std::optional<PitchPoint> PitchCalibrator::project(const Homography& h, double x_px, double y_px) const {
  // Any scale or sign of `h` is accepted: the canonical form decides what "behind" means.
  const auto p = image_to_pitch(normalize_homography(h), x_px, y_px);
  if (!p || !pitch_.contains(*p, config_.projection_margin_m)) return std::nullopt;
  return p;
}

}  // namespace pitchtrack
