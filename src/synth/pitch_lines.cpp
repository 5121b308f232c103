#include "synth/pitch_lines.hpp"

#include <cmath>
#include <numbers>

namespace pitchtrack::synth {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kCircleRadius = 9.15;  // centre circle and penalty arcs, to the outer edge
constexpr double kPenaltyDepth = 16.5;  // penalty area depth from the goal line
constexpr double kPenaltyHalfWidth = 20.16;
constexpr double kGoalAreaDepth = 5.5;
constexpr double kGoalAreaHalfWidth = 9.16;
constexpr double kPenaltySpotDistance = 11.0;
constexpr double kCornerRadius = 1.0;

std::vector<Vec2> arc(Vec2 c, double r, double a0, double a1, double max_step_m = 0.35) {
  const int n = std::max(4, static_cast<int>(std::ceil(std::abs(a1 - a0) * r / max_step_m)));
  std::vector<Vec2> pts;
  pts.reserve(n + 1);
  for (int i = 0; i <= n; ++i) {
    const double a = a0 + (a1 - a0) * i / n;
    pts.emplace_back(c.x() + r * std::cos(a), c.y() + r * std::sin(a));
  }
  return pts;
}

// Offsets a polyline by `d` to its left (miter joins).
std::vector<Vec2> offset(const std::vector<Vec2>& p, bool closed, double d) {
  const size_t n = p.size();
  std::vector<Vec2> out(n);
  auto normal = [](Vec2 a, Vec2 b) {
    Vec2 t = (b - a).normalized();
    return Vec2(-t.y(), t.x());
  };
  for (size_t i = 0; i < n; ++i) {
    const bool has_prev = closed || i > 0;
    const bool has_next = closed || i + 1 < n;
    const Vec2 prev = p[(i + n - 1) % n], next = p[(i + 1) % n];
    Vec2 nrm;
    if (has_prev && has_next) {
      const Vec2 n1 = normal(prev, p[i]), n2 = normal(p[i], next);
      Vec2 m = (n1 + n2);
      if (m.norm() < 1e-9) m = n1;
      m.normalize();
      nrm = m / std::max(0.2, m.dot(n1));  // miter length
    } else if (has_next) {
      nrm = normal(p[i], next);
    } else {
      nrm = normal(prev, p[i]);
    }
    out[i] = p[i] + d * nrm;
  }
  return out;
}

}  // namespace

std::vector<Contour> PitchLines::polygons(const PitchMarking& m) const {
  const double h = 0.5 * line_width_m;
  if (m.spot) return {arc(m.points[0], spot_radius_m, 0.0, 2.0 * kPi, 0.03)};
  if (m.closed) {
    Contour a = offset(m.points, true, h), b = offset(m.points, true, -h);
    return {a, b};
  }
  Contour left = offset(m.points, false, h), right = offset(m.points, false, -h);
  Contour c(left.begin(), left.end());
  c.insert(c.end(), right.rbegin(), right.rend());
  return {c};
}

PitchLines make_pitch_lines(double length_m, double width_m) {
  PitchLines p;
  p.length_m = length_m;
  p.width_m = width_m;
  const double h = 0.5 * p.line_width_m;
  const double xl = 0.5 * length_m, yl = 0.5 * width_m;
  auto add = [&](std::string name, std::vector<Vec2> pts, bool closed = false, bool spot = false) {
    p.markings.push_back({std::move(name), std::move(pts), closed, spot});
  };
  // Boundary: centre of the lines half a line width inside the boundary.
  add("touch_and_goal_lines", {{-xl + h, -yl + h}, {xl - h, -yl + h}, {xl - h, yl - h}, {-xl + h, yl - h}},
      true);
  add("halfway_line", {{0.0, -yl + h}, {0.0, yl - h}});
  add("centre_circle", arc({0, 0}, kCircleRadius - h, 0.0, 2.0 * kPi), true);
  p.markings.back().points.pop_back();  // the closing point repeats the first
  add("centre_spot", {{0.0, 0.0}}, false, true);
  for (int side : {-1, 1}) {
    const std::string tag = side < 0 ? "left" : "right";
    const double gx = side * xl;  // goal line (outer edge)
    // Penalty and goal areas: open rectangles on the goal line; their lines lie inside them.
    const double pa = gx - side * (kPenaltyDepth - h), pw = kPenaltyHalfWidth - h;
    add("penalty_area_" + tag, {{gx - side * h, -pw}, {pa, -pw}, {pa, pw}, {gx - side * h, pw}});
    const double ga = gx - side * (kGoalAreaDepth - h), gw = kGoalAreaHalfWidth - h;
    add("goal_area_" + tag, {{gx - side * h, -gw}, {ga, -gw}, {ga, gw}, {gx - side * h, gw}});
    const Vec2 spot(gx - side * kPenaltySpotDistance, 0.0);
    add("penalty_spot_" + tag, {spot}, false, true);
    // Penalty arc: the part of the 9.15 m circle around the spot outside the penalty area.
    const double r = kCircleRadius - h;
    const double edge = kPenaltyDepth - kPenaltySpotDistance;  // spot to the area's outer edge
    const double half_angle = std::acos(std::min(1.0, edge / r));
    const double base = side < 0 ? 0.0 : kPi;
    add("penalty_arc_" + tag, arc(spot, r, base - half_angle, base + half_angle));
    // Corner arcs (r = 1 m to the outer edge) inside the field.
    for (int ys : {-1, 1}) {
      const Vec2 corner(gx, ys * yl);
      // Sweep the quarter between the two directions into the field: along the touchline
      // (-side, 0) and along the goal line (0, -ys).
      double a0 = std::atan2(0.0, -side);
      double a1 = std::atan2(-ys, 0.0);
      if (a1 - a0 > kPi) a1 -= 2 * kPi;
      if (a0 - a1 > kPi) a1 += 2 * kPi;
      // Start and end on the centre of the touch and goal lines, not on the boundary.
      const double trim = std::asin(h / (kCornerRadius - h)) * (a1 > a0 ? 1.0 : -1.0);
      a0 += trim;
      a1 -= trim;
      add("corner_arc_" + tag + (ys < 0 ? "_far" : "_near"), arc(corner, kCornerRadius - h, a0, a1, 0.1));
    }
  }
  return p;
}

}  // namespace pitchtrack::synth
