#include "pitchtrack/eval/scene_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "pitchtrack/eval/box_matching.hpp"

namespace pitchtrack::eval {
namespace {

using Vec3 = std::array<double, 3>;

Vec3 apply(const Homography& h, double x, double y) {
  return {h[0] * x + h[1] * y + h[2], h[3] * x + h[4] * y + h[5], h[6] * x + h[7] * y + h[8]};
}

std::optional<Homography> invert(const Homography& h) {
  const double a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7], l = h[8];
  const double c00 = e * l - f * k, c01 = c * k - b * l, c02 = b * f - c * e;
  const double c10 = f * g - d * l, c11 = a * l - c * g, c12 = c * d - a * f;
  const double c20 = d * k - e * g, c21 = b * g - a * k, c22 = a * e - b * d;
  const double det = a * c00 + b * c10 + c * c20;
  if (!std::isfinite(det) || det == 0.0) return std::nullopt;
  Homography inv = {c00 / det, c01 / det, c02 / det, c10 / det, c11 / det,
                    c12 / det, c20 / det, c21 / det, c22 / det};
  for (double x : inv) {
    if (!std::isfinite(x)) return std::nullopt;
  }
  return inv;
}

// Grid coordinates along one axis: every step from 0 inside (-half, half), plus both lines.
std::vector<double> axis_points(double half, double step) {
  std::vector<double> v = {-half, half};
  for (int k = 0; k * step < half - 1e-9; ++k) {
    v.push_back(k * step);
    if (k > 0) v.push_back(-k * step);
  }
  std::sort(v.begin(), v.end());
  return v;
}

double percentile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

double distance(double x0, double y0, double x1, double y1) { return std::hypot(x1 - x0, y1 - y0); }

}  // namespace

DistanceStats distance_stats(std::vector<double> values) {
  DistanceStats s;
  s.n = static_cast<int64_t>(values.size());
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  double sum = 0.0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  s.median = percentile(values, 0.5);
  s.p95 = percentile(values, 0.95);
  return s;
}

std::vector<PitchPoint> calibration_grid(const SceneOptions& options) {
  std::vector<PitchPoint> grid;
  const auto xs = axis_points(0.5 * options.pitch_length_m, options.grid_step_m);
  const auto ys = axis_points(0.5 * options.pitch_width_m, options.grid_step_m);
  for (double x : xs) {
    for (double y : ys) grid.push_back({x, y});
  }
  return grid;
}

std::optional<double> calibration_error_m(const Homography& gt, const Homography& pred, int width, int height,
                                          const SceneOptions& options) {
  const auto inv = invert(gt);
  if (!inv) return std::nullopt;
  // The image line where (H x)[2] = 0 is the horizon; pitch points in front of the camera map to
  // the side of it that contains the bottom of the image (a camera looking down at the pitch).
  const double ref = apply(gt, 0.5 * width, static_cast<double>(height))[2];
  if (ref == 0.0 || !std::isfinite(ref)) return std::nullopt;
  double sum = 0.0;
  int n = 0;
  for (const PitchPoint& p : calibration_grid(options)) {
    const Vec3 q = apply(*inv, p.x_m, p.y_m);
    if (!(q[2] * ref > 0.0)) continue;  // behind the camera
    const double u = q[0] / q[2], v = q[1] / q[2];
    if (!(u >= 0.0 && u < width && v >= 0.0 && v < height)) continue;
    const Vec3 r = apply(pred, u, v);
    double err = options.calibration_error_cap_m;
    if (std::isfinite(r[2]) && std::abs(r[2]) > 1e-12) {
      const double e = distance(p.x_m, p.y_m, r[0] / r[2], r[1] / r[2]);
      if (std::isfinite(e)) err = std::min(e, options.calibration_error_cap_m);
    }
    sum += err;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

SceneMetrics evaluate_scene(const EvalSequence& gt, const EvalSequence& pred,
                            const SceneOptions& scene_options) {
  SceneOptions options = scene_options;
  if (gt.pitch_length_m && gt.pitch_width_m) {
    options.pitch_length_m = *gt.pitch_length_m;
    options.pitch_width_m = *gt.pitch_width_m;
  }
  SceneMetrics out;
  const size_t num_frames = gt.frames.size();
  static const EvalFrame kEmpty;
  auto pred_frame = [&](size_t t) -> const EvalFrame& {
    return t < pred.frames.size() ? pred.frames[t] : kEmpty;
  };

  // Persons: team and pitch position over matched pairs.
  int64_t team_matched = 0, team_assigned = 0, team_same = 0, team_swapped = 0, pitch_with_gt = 0;
  std::vector<double> pitch_errors;
  std::vector<BoxXyxy> gb, pb;
  for (size_t t = 0; t < num_frames && (gt.has_teams || gt.has_pitch); ++t) {
    const EvalFrame& g = gt.frames[t];
    const EvalFrame& p = pred_frame(t);
    gb.clear();
    pb.clear();
    for (const EvalObject& o : g.objects) gb.push_back(o.box_px);
    for (const EvalObject& o : p.objects) pb.push_back(o.box_px);
    for (const auto& [i, j] : match_boxes(gb, pb, options.match_iou)) {
      const EvalObject& go = g.objects[i];
      const EvalObject& po = p.objects[j];
      const bool is_player = !go.role || *go.role == ObjectClass::kPlayer;
      if (gt.has_teams && is_player && go.team) {
        ++team_matched;
        if (po.team) {
          ++team_assigned;
          if (*po.team == *go.team) {
            ++team_same;
          } else {
            ++team_swapped;
          }
        }
      }
      if (gt.has_pitch && go.pitch_m && options.pitch_from_gt_homography) {
        if (!g.homography) continue;
        ++pitch_with_gt;
        const Vec3 q = apply(*g.homography, 0.5 * (po.box_px.x1 + po.box_px.x2), po.box_px.y2);
        if (std::abs(q[2]) > 1e-12) {
          pitch_errors.push_back(distance(go.pitch_m->x_m, go.pitch_m->y_m, q[0] / q[2], q[1] / q[2]));
        }
      } else if (gt.has_pitch && go.pitch_m) {
        ++pitch_with_gt;
        if (po.pitch_m) {
          pitch_errors.push_back(
              distance(go.pitch_m->x_m, go.pitch_m->y_m, po.pitch_m->x_m, po.pitch_m->y_m));
        }
      }
    }
  }
  if (gt.has_teams) {
    TeamMetrics team;
    team.matched = team_matched;
    team.assigned = team_assigned;
    team.swapped = team_swapped > team_same;
    if (team_matched > 0) {
      team.accuracy =
          static_cast<double>(std::max(team_same, team_swapped)) / static_cast<double>(team_matched);
    }
    out.team = team;
  }
  if (gt.has_pitch) {
    PitchErrorMetrics pitch;
    pitch.matched_with_gt = pitch_with_gt;
    pitch.error_m = distance_stats(std::move(pitch_errors));
    out.pitch = pitch;
  }

  if (gt.has_ball) {
    BallMetrics ball;
    std::vector<double> err_px, err_m;
    for (size_t t = 0; t < num_frames; ++t) {
      const std::optional<EvalBall>& gball = gt.frames[t].ball;
      const std::optional<EvalBall>& pball = pred_frame(t).ball;
      const bool visible = gball && gball->box_px;
      const bool predicted = pball && pball->box_px;
      ball.visible_frames += visible;
      ball.predicted_frames += predicted;
      if (!visible || !predicted) continue;
      const double d =
          distance(gball->box_px->cx(), gball->box_px->cy(), pball->box_px->cx(), pball->box_px->cy());
      if (d > options.ball_max_distance_px) continue;
      ++ball.detected_frames;
      err_px.push_back(d);
      const bool low = !gball->z_m || *gball->z_m <= options.ball_max_height_m;
      if (low && gball->pitch_m && pball->pitch_m) {
        err_m.push_back(
            distance(gball->pitch_m->x_m, gball->pitch_m->y_m, pball->pitch_m->x_m, pball->pitch_m->y_m));
      }
    }
    if (ball.visible_frames > 0) {
      ball.detection_rate =
          static_cast<double>(ball.detected_frames) / static_cast<double>(ball.visible_frames);
    }
    if (ball.predicted_frames > 0) {
      ball.precision = static_cast<double>(ball.detected_frames) / static_cast<double>(ball.predicted_frames);
    }
    ball.error_px = distance_stats(std::move(err_px));
    ball.error_m = distance_stats(std::move(err_m));
    out.ball = ball;
  }

  if (gt.has_camera) {
    CalibrationMetrics cal;
    const int w = gt.image_width > 0 ? gt.image_width : options.default_image_width;
    const int h = gt.image_height > 0 ? gt.image_height : options.default_image_height;
    std::vector<double> errors;
    for (size_t t = 0; t < num_frames; ++t) {
      const auto& ph = pred_frame(t).homography;
      if (!ph) continue;
      ++cal.predicted_frames;
      const auto& gh = gt.frames[t].homography;
      if (!gh) continue;
      if (const auto e = calibration_error_m(*gh, *ph, w, h, options)) errors.push_back(*e);
    }
    cal.total_frames = static_cast<int64_t>(num_frames);
    cal.frames = static_cast<int64_t>(errors.size());
    cal.error_m = distance_stats(std::move(errors));
    cal.coverage =
        num_frames > 0 ? static_cast<double>(cal.predicted_frames) / static_cast<double>(num_frames) : 0.0;
    out.calibration = cal;
  }
  return out;
}

}  // namespace pitchtrack::eval
