// A pinhole camera above the pitch for the pitch tests: world = pitch frame (x to the right-hand
// goal, y to the near touchline) with z pointing down, so the frame is right-handed and the camera
// at negative z looks down onto the grass.
#pragma once

#include <Eigen/Dense>

#include <cmath>
#include <optional>

#include "pitchtrack/pitch/homography.hpp"

namespace pitchtrack::testing {

struct SyntheticCamera {
  Eigen::Vector3d position{0.0, 34.0 + 30.0, -22.0};  // m; behind the near touchline, 22 m up
  Eigen::Vector3d target{0.0, 0.0, 0.0};              // looked-at pitch point, m
  double focal_px = 1400.0;
  int width = 1280;
  int height = 720;

  // pitch (x, y, 1) -> image (u, v, w), positive w in front of the camera.
  Eigen::Matrix3d pitch_to_image() const {
    const Eigen::Vector3d f = (target - position).normalized();
    const Eigen::Vector3d right = Eigen::Vector3d(0, 0, 1).cross(f).normalized();
    const Eigen::Vector3d down = f.cross(right);
    Eigen::Matrix3d r;
    r.row(0) = right.transpose();
    r.row(1) = down.transpose();
    r.row(2) = f.transpose();
    Eigen::Matrix3d k;
    k << focal_px, 0, width / 2.0, 0, focal_px, height / 2.0, 0, 0, 1;
    Eigen::Matrix3d m;
    m.col(0) = r.col(0);
    m.col(1) = r.col(1);
    m.col(2) = -r * position;
    return k * m;
  }

  Homography image_to_pitch() const {
    const Eigen::Matrix3d h = pitch_to_image().inverse();
    Homography out{};
    for (int i = 0; i < 9; ++i) out[static_cast<size_t>(i)] = h(i / 3, i % 3);
    return normalize_homography(out);
  }

  // Image of a pitch point; nullopt behind the camera.
  std::optional<Eigen::Vector2d> project(double x, double y) const {
    const Eigen::Vector3d q = pitch_to_image() * Eigen::Vector3d(x, y, 1.0);
    if (!(q.z() > 0)) return std::nullopt;
    return Eigen::Vector2d(q.x() / q.z(), q.y() / q.z());
  }

  bool in_image(const Eigen::Vector2d& p) const {
    return p.x() >= 0 && p.y() >= 0 && p.x() < width && p.y() < height;
  }
};

inline double max_abs_diff(const Homography& a, const Homography& b) {
  double d = 0;
  for (size_t i = 0; i < 9; ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

}  // namespace pitchtrack::testing
