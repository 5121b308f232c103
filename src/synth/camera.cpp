#include "synth/camera.hpp"

#include <cmath>

namespace pitchtrack::synth {

Camera::Camera(const Vec3& position, double pan_rad, double tilt_rad, double hfov_rad, int width, int height)
    : position_(position), pan_(pan_rad), tilt_(tilt_rad), hfov_(hfov_rad), width_(width), height_(height) {
  f_px_ = 0.5 * width_ / std::tan(0.5 * hfov_);
  const double sp = std::sin(pan_), cp = std::cos(pan_), st = std::sin(tilt_), ct = std::cos(tilt_);
  const Vec3 forward(sp * ct, -cp * ct, -st);
  const Vec3 right(cp, sp, 0.0);            // horizontal: no roll
  const Vec3 down(-sp * st, cp * st, -ct);  // right x forward
  rot_.row(0) = right.transpose();
  rot_.row(1) = down.transpose();
  rot_.row(2) = forward.transpose();
}

Camera Camera::look_at(const Vec3& position, const Vec3& target, double hfov_rad, int width, int height) {
  const Vec3 d = target - position;
  const double pan = std::atan2(d.x(), -d.y());
  const double tilt = std::atan2(-d.z(), std::hypot(d.x(), d.y()));
  return Camera(position, pan, tilt, hfov_rad, width, height);
}

std::optional<Eigen::Vector2d> Camera::project(const Vec3& p, double min_depth) const {
  const Vec3 c = rot_ * (p - position_);
  if (c.z() < min_depth) return std::nullopt;
  return Eigen::Vector2d(0.5 * width_ + f_px_ * c.x() / c.z(), 0.5 * height_ + f_px_ * c.y() / c.z());
}

Eigen::Matrix<double, 3, 4> Camera::projection() const {
  Mat3 k;
  k << f_px_, 0.0, 0.5 * width_, 0.0, f_px_, 0.5 * height_, 0.0, 0.0, 1.0;
  Eigen::Matrix<double, 3, 4> rt;
  rt.leftCols<3>() = rot_;
  rt.col(3) = -rot_ * position_;
  return k * rt;
}

Mat3 Camera::pitch_to_image() const {
  const Eigen::Matrix<double, 3, 4> p = projection();
  Mat3 h;
  h.col(0) = p.col(0);
  h.col(1) = p.col(1);
  h.col(2) = p.col(3);
  return h / h(2, 2);
}

Mat3 Camera::image_to_pitch() const {
  Mat3 h = pitch_to_image().inverse();
  return h / h(2, 2);
}

double Camera::horizon_v() const {
  // Rays with zero vertical component: down.z + forward.z * (v - cy) / f = 0 ... solved for v.
  const double dz = rot_(1, 2), fz = rot_(2, 2);
  if (std::abs(dz) < 1e-12) return fz < 0 ? -1e9 : 1e9;
  return 0.5 * height_ - f_px_ * fz / dz;
}

}  // namespace pitchtrack::synth
