#include "pitchtrack/pitch/homography.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>

namespace pitchtrack {
namespace {

using Mat3 = Eigen::Matrix3d;
using Vec3 = Eigen::Vector3d;

Mat3 to_eigen(const Homography& h) {
  Mat3 m;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m(r, c) = h[static_cast<size_t>(3 * r + c)];
  return m;
}

Homography from_eigen(const Mat3& m) {
  Homography h{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) h[static_cast<size_t>(3 * r + c)] = m(r, c);
  return h;
}

bool all_finite(const Mat3& m) { return m.allFinite(); }

// Similarity that moves the points' centroid to the origin and their mean distance to sqrt(2)
// (Hartley normalisation). Returns identity-like scale 1 for a single repeated point.
Mat3 normalizing_transform(std::span<const Eigen::Vector2d> pts) {
  Eigen::Vector2d c = Eigen::Vector2d::Zero();
  for (const auto& p : pts) c += p;
  c /= static_cast<double>(pts.size());
  double d = 0;
  for (const auto& p : pts) d += (p - c).norm();
  d /= static_cast<double>(pts.size());
  const double s = d > 1e-12 ? std::sqrt(2.0) / d : 1.0;
  Mat3 t;
  t << s, 0, -s * c.x(), 0, s, -s * c.y(), 0, 0, 1;
  return t;
}

// True when the points are (nearly) on one line: smallest / largest eigenvalue of the scatter.
bool collinear(std::span<const Eigen::Vector2d> pts) {
  Eigen::Vector2d c = Eigen::Vector2d::Zero();
  for (const auto& p : pts) c += p;
  c /= static_cast<double>(pts.size());
  Eigen::Matrix2d s = Eigen::Matrix2d::Zero();
  for (const auto& p : pts) s += (p - c) * (p - c).transpose();
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(s);
  const double lmax = es.eigenvalues()(1), lmin = es.eigenvalues()(0);
  return !(lmax > 0) || lmin / lmax < 1e-8;
}

// Any three of four points (nearly) collinear: the triangle area relative to its longest side.
bool has_collinear_triple(const std::array<Eigen::Vector2d, 4>& p) {
  static constexpr int kTriples[4][3] = {{0, 1, 2}, {0, 1, 3}, {0, 2, 3}, {1, 2, 3}};
  for (const auto& t : kTriples) {
    const Eigen::Vector2d a = p[static_cast<size_t>(t[1])] - p[static_cast<size_t>(t[0])];
    const Eigen::Vector2d b = p[static_cast<size_t>(t[2])] - p[static_cast<size_t>(t[0])];
    const double area2 = std::abs(a.x() * b.y() - a.y() * b.x());
    const double l2 = std::max({a.squaredNorm(), b.squaredNorm(), (a - b).squaredNorm()});
    if (!(l2 > 0) || area2 / l2 < 1e-3) return true;
  }
  return false;
}

// Normalised DLT of the pitch -> image map over the given pairs. nullopt when degenerate.
std::optional<Mat3> dlt_pitch_to_image(std::span<const PointPair> pairs, std::span<const int> idx) {
  const size_t n = idx.size();
  if (n < 4) return std::nullopt;
  std::vector<Eigen::Vector2d> src(n), dst(n);
  for (size_t i = 0; i < n; ++i) {
    const PointPair& p = pairs[static_cast<size_t>(idx[i])];
    src[i] = {p.pitch_m.x_m, p.pitch_m.y_m};
    dst[i] = {p.x_px, p.y_px};
  }
  if (collinear(src) || collinear(dst)) return std::nullopt;
  const Mat3 ts = normalizing_transform(src), td = normalizing_transform(dst);
  Eigen::Matrix<double, Eigen::Dynamic, 9> a(2 * n, 9);
  for (size_t i = 0; i < n; ++i) {
    const Vec3 s = ts * Vec3(src[i].x(), src[i].y(), 1.0);
    const Vec3 d = td * Vec3(dst[i].x(), dst[i].y(), 1.0);
    const auto r = static_cast<Eigen::Index>(2 * i);
    a.row(r) << 0, 0, 0, -d.z() * s.transpose(), d.y() * s.transpose();
    a.row(r + 1) << d.z() * s.transpose(), 0, 0, 0, -d.x() * s.transpose();
  }
  Eigen::JacobiSVD<Eigen::Matrix<double, Eigen::Dynamic, 9>> svd(a, Eigen::ComputeFullV);
  const auto& sv = svd.singularValues();
  // A rank below 8 leaves a family of solutions: degenerate configuration.
  if (sv.size() >= 8 && !(sv(7) > 1e-10 * sv(0))) return std::nullopt;
  const Eigen::Matrix<double, 9, 1> h = svd.matrixV().col(8);
  Mat3 gn;
  gn << h(0), h(1), h(2), h(3), h(4), h(5), h(6), h(7), h(8);
  const Mat3 g = td.inverse() * gn * ts;
  if (!all_finite(g) || std::abs(g.determinant()) < 1e-300) return std::nullopt;
  return g / g.norm();
}

Mat3 canonicalize(Mat3 h) {
  const double n = h.norm();
  if (!(n > 0) || !all_finite(h)) return h;
  h /= n;
  const Mat3 g = h.inverse();
  // The centre spot (0, 0) is in front of the camera: its image has positive homogeneous scale.
  if (all_finite(g) && g(2, 2) < 0) h = -h;
  return h;
}

// Image distance of pitch point `p` projected by pitch -> image map `g` (sign: positive scale
// means in front) to (x, y); +inf behind the camera.
double image_error(const Mat3& g, const PointPair& p) {
  const Vec3 q = g * Vec3(p.pitch_m.x_m, p.pitch_m.y_m, 1.0);
  if (!(q.z() > 0)) return std::numeric_limits<double>::infinity();
  return std::hypot(q.x() / q.z() - p.x_px, q.y() / q.z() - p.y_px);
}

// The pitch -> image map with the sign that gives pitch points in front positive scale.
Mat3 signed_inverse(const Mat3& canonical_h) { return canonical_h.inverse(); }

bool finite_pairs(std::span<const PointPair> pairs) {
  return std::all_of(pairs.begin(), pairs.end(), [](const PointPair& p) {
    return std::isfinite(p.x_px) && std::isfinite(p.y_px) && std::isfinite(p.pitch_m.x_m) &&
           std::isfinite(p.pitch_m.y_m);
  });
}

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

}  // namespace

Homography normalize_homography(const Homography& h) { return from_eigen(canonicalize(to_eigen(h))); }

Result<Homography> estimate_homography(std::span<const PointPair> pairs) {
  if (pairs.size() < 4) {
    return invalid_argument("homography needs at least 4 point pairs, got " + std::to_string(pairs.size()));
  }
  if (!finite_pairs(pairs)) return invalid_argument("homography: a point pair is not finite");
  std::vector<int> idx(pairs.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
  const auto g = dlt_pitch_to_image(pairs, idx);
  if (!g)
    return invalid_argument("homography: degenerate point configuration (collinear or repeated points)");
  const Mat3 h = canonicalize(g->inverse());
  if (!all_finite(h)) return invalid_argument("homography: estimate is not finite");
  return from_eigen(h);
}

Result<RansacResult> estimate_homography_ransac(std::span<const PointPair> pairs,
                                                const RansacConfig& config) {
  const int n = static_cast<int>(pairs.size());
  if (n < 4)
    return invalid_argument("homography RANSAC needs at least 4 point pairs, got " + std::to_string(n));
  if (!finite_pairs(pairs)) return invalid_argument("homography RANSAC: a point pair is not finite");
  if (!(config.inlier_threshold_px > 0)) return invalid_argument("ransac.inlier_threshold_px must be > 0");
  if (config.max_iterations < 1) return invalid_argument("ransac.max_iterations must be >= 1");
  if (!(config.confidence > 0 && config.confidence < 1))
    return invalid_argument("ransac.confidence must be in (0, 1)");

  const double thr = config.inlier_threshold_px, thr2 = thr * thr;
  // MSAC cost (Torr & Zisserman): truncated squared error, lower is better.
  auto score = [&](const Mat3& g, std::vector<int>* inl) {
    double cost = 0;
    if (inl) inl->clear();
    for (int i = 0; i < n; ++i) {
      const double e = image_error(g, pairs[static_cast<size_t>(i)]);
      if (e < thr) {
        cost += e * e;
        if (inl) inl->push_back(i);
      } else {
        cost += thr2;
      }
    }
    return cost;
  };

  std::mt19937_64 rng(config.seed);
  std::uniform_int_distribution<int> pick(0, n - 1);
  std::optional<Mat3> best_g;
  double best_cost = std::numeric_limits<double>::infinity();
  int best_count = 0;
  int needed = config.max_iterations, it = 0;
  std::vector<int> inl;
  for (; it < needed && it < config.max_iterations; ++it) {
    std::array<int, 4> s{};
    for (int k = 0; k < 4; ++k) {
      int v;
      do {
        v = pick(rng);
      } while (std::find(s.begin(), s.begin() + k, v) != s.begin() + k);
      s[static_cast<size_t>(k)] = v;
    }
    std::array<Eigen::Vector2d, 4> ip, pp;
    for (size_t k = 0; k < 4; ++k) {
      const PointPair& p = pairs[static_cast<size_t>(s[k])];
      ip[k] = {p.x_px, p.y_px};
      pp[k] = {p.pitch_m.x_m, p.pitch_m.y_m};
    }
    if (has_collinear_triple(ip) || has_collinear_triple(pp)) continue;
    auto g = dlt_pitch_to_image(pairs, s);
    if (!g) continue;
    // Sign so the sample is in front; a sample split across the horizon or a mirrored map
    // (det < 0 in that sign) cannot come from a camera above the pitch.
    int pos = 0;
    for (const int i : s) {
      const PointPair& p = pairs[static_cast<size_t>(i)];
      pos += (*g * Vec3(p.pitch_m.x_m, p.pitch_m.y_m, 1.0)).z() > 0 ? 1 : -1;
    }
    if (std::abs(pos) != 4) continue;
    if (pos < 0) *g = -*g;
    if (!(g->determinant() > 0)) continue;
    const double cost = score(*g, &inl);
    const int count = static_cast<int>(inl.size());
    if (count > best_count || (count == best_count && cost < best_cost)) {
      best_g = *g;
      best_cost = cost;
      best_count = count;
      const double w = static_cast<double>(count) / n;
      const double p_good = std::pow(w, 4);
      if (p_good >= 1.0 - 1e-12) {
        needed = it + 1;
      } else if (p_good > 0) {
        needed = static_cast<int>(std::ceil(std::log(1 - config.confidence) / std::log(1 - p_good)));
      }
    }
  }
  if (!best_g || best_count < std::max(4, config.min_inliers)) {
    return invalid_argument("homography RANSAC: only " + std::to_string(best_count) + " inliers of " +
                            std::to_string(n) + " pairs within " + fmt(thr) + " px (need " +
                            std::to_string(std::max(4, config.min_inliers)) + ")");
  }
  // Refit on the inliers (twice: the inlier set can grow with a better model).
  Mat3 g = *best_g;
  score(g, &inl);
  for (int round = 0; round < 2; ++round) {
    auto refit = dlt_pitch_to_image(pairs, inl);
    if (!refit) break;
    Mat3 r = *refit;
    int pos = 0;
    for (const int i : inl) {
      const PointPair& p = pairs[static_cast<size_t>(i)];
      pos += (r * Vec3(p.pitch_m.x_m, p.pitch_m.y_m, 1.0)).z() > 0 ? 1 : -1;
    }
    if (pos < 0) r = -r;
    std::vector<int> r_inl;
    const double cost = score(r, &r_inl);
    if (r_inl.size() < inl.size() || (r_inl.size() == inl.size() && cost >= best_cost)) break;
    g = r;
    best_cost = cost;
    inl = std::move(r_inl);
  }
  RansacResult out;
  out.image_to_pitch = from_eigen(canonicalize(g.inverse()));
  out.inliers.assign(static_cast<size_t>(n), false);
  double se = 0;
  for (const int i : inl) {
    out.inliers[static_cast<size_t>(i)] = true;
    const double e = image_error(g, pairs[static_cast<size_t>(i)]);
    se += e * e;
  }
  out.num_inliers = static_cast<int>(inl.size());
  out.rms_error_px = inl.empty() ? 0.0 : std::sqrt(se / static_cast<double>(inl.size()));
  out.iterations = it;
  return out;
}

Result<Homography> invert_homography(const Homography& h) {
  const Mat3 m = to_eigen(h);
  if (!all_finite(m)) return invalid_argument("homography is not finite");
  Eigen::JacobiSVD<Mat3> svd(m);
  const auto& sv = svd.singularValues();
  if (!(sv(2) > 1e-12 * sv(0))) return invalid_argument("homography is singular");
  return from_eigen(m.inverse());
}

std::optional<PitchPoint> image_to_pitch(const Homography& image_to_pitch, double x_px, double y_px) {
  const Mat3 h = to_eigen(image_to_pitch);
  const Vec3 p = h * Vec3(x_px, y_px, 1.0);
  const double scale = h.row(2).norm() * (std::abs(x_px) + std::abs(y_px) + 1.0);
  if (!(p.z() > 1e-12 * scale)) return std::nullopt;
  const PitchPoint out{p.x() / p.z(), p.y() / p.z()};
  if (!std::isfinite(out.x_m) || !std::isfinite(out.y_m)) return std::nullopt;
  return out;
}

std::optional<ImagePoint> pitch_to_image(const Homography& image_to_pitch, PitchPoint p) {
  const Mat3 g = signed_inverse(to_eigen(image_to_pitch));
  if (!all_finite(g)) return std::nullopt;
  const Vec3 q = g * Vec3(p.x_m, p.y_m, 1.0);
  if (!(q.z() > 0)) return std::nullopt;
  const ImagePoint out{q.x() / q.z(), q.y() / q.z()};
  if (!std::isfinite(out.x_px) || !std::isfinite(out.y_px)) return std::nullopt;
  return out;
}

double reprojection_error_px(const Homography& image_to_pitch, const PointPair& pair) {
  const Mat3 g = signed_inverse(to_eigen(image_to_pitch));
  if (!all_finite(g)) return std::numeric_limits<double>::infinity();
  return image_error(g, pair);
}

double rms_reprojection_error_px(const Homography& image_to_pitch, std::span<const PointPair> pairs) {
  if (pairs.empty()) return 0.0;
  const Mat3 g = signed_inverse(to_eigen(image_to_pitch));
  if (!all_finite(g)) return std::numeric_limits<double>::infinity();
  double se = 0;
  for (const auto& p : pairs) {
    const double e = image_error(g, p);
    se += e * e;
  }
  return std::sqrt(se / static_cast<double>(pairs.size()));
}

double normalized_condition_number(const Homography& image_to_pitch, const PitchModel& pitch,
                                   ImageSize image) {
  const double w = image.width_px > 0 ? image.width_px : 1920.0;
  const double hgt = image.height_px > 0 ? image.height_px : 1080.0;
  Mat3 ti;  // image: centre to the origin, half width to 1
  ti << 2.0 / w, 0, -1.0, 0, 2.0 / w, -hgt / w, 0, 0, 1;
  Mat3 tp = Mat3::Identity();
  tp(0, 0) = tp(1, 1) = 2.0 / pitch.length_m();
  const Mat3 hn = tp * to_eigen(image_to_pitch) * ti.inverse();
  if (!all_finite(hn)) return std::numeric_limits<double>::infinity();
  Eigen::JacobiSVD<Mat3> svd(hn);
  const auto& sv = svd.singularValues();
  return sv(2) > 0 ? sv(0) / sv(2) : std::numeric_limits<double>::infinity();
}

Status validate_homography(const Homography& image_to_pitch, const PitchModel& pitch,
                           const HomographyChecks& checks, std::string_view field,
                           std::span<const ImagePoint> observed) {
  const std::string f(field);
  const Mat3 raw = to_eigen(image_to_pitch);
  if (!all_finite(raw)) return invalid_argument(f + ": homography has a non-finite entry");
  if (!(raw.norm() > 0)) return invalid_argument(f + ": homography is all zeros");
  const double cond = normalized_condition_number(image_to_pitch, pitch, checks.image);
  if (!std::isfinite(cond)) return invalid_argument(f + ": homography is singular");
  const Mat3 h = canonicalize(raw);
  if (!(h.determinant() > 0)) {
    return invalid_argument(
        f +
        ": homography mirrors the pitch (det < 0 with the centre spot in front): image and "
        "pitch points are mismatched, e.g. left and right swapped");
  }
  if (cond > checks.max_condition) {
    return invalid_argument(f + ": homography is ill-conditioned (condition number " + fmt(cond) + " > " +
                            fmt(checks.max_condition) + ")");
  }
  const Mat3 g = h.inverse();
  int in_front = 0;
  for (const auto& c : pitch.corners()) in_front += (g * Vec3(c.x_m, c.y_m, 1.0)).z() > 0 ? 1 : 0;
  if (in_front < checks.min_corners_in_front) {
    return invalid_argument(f + ": only " + std::to_string(in_front) +
                            " of the 4 pitch corners are in front of " + "the camera (need " +
                            std::to_string(checks.min_corners_in_front) + ")");
  }
  for (const auto& p : observed) {
    const Vec3 q = h * Vec3(p.x_px, p.y_px, 1.0);
    if (!(q.z() > 0)) {
      return invalid_argument(f + ": image point (" + fmt(p.x_px) + ", " + fmt(p.y_px) +
                              ") lies above the horizon of the homography");
    }
  }
  return Status::ok();
}

}  // namespace pitchtrack
