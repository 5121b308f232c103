// Camera: an ideal pinhole camera (square pixels, principal point at the image centre, no roll,
// no lens distortion) standing in the DESIGN.md pitch frame (metres; z up).
//
// Pixel convention (everywhere in the synthesizer and its ground truth): continuous image
// coordinates with the origin at the top-left corner of the top-left pixel, so pixel (i, j)
// covers [i, i+1) x [j, j+1) and its centre is (i + 0.5, j + 0.5).
// Orientation: pan 0 looks along -y (from the main camera's side across the pitch), positive
// pan turns towards +x; tilt is positive downwards.
#pragma once

#include <Eigen/Core>
#include <Eigen/Dense>
#include <optional>

namespace pitchtrack::synth {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;

class Camera {
 public:
  Camera() = default;
  Camera(const Vec3& position, double pan_rad, double tilt_rad, double hfov_rad, int width, int height);
  // Aims the camera at `target`.
  static Camera look_at(const Vec3& position, const Vec3& target, double hfov_rad, int width, int height);

  const Vec3& position() const { return position_; }
  double pan_rad() const { return pan_; }
  double tilt_rad() const { return tilt_; }
  double hfov_rad() const { return hfov_; }
  double focal_px() const { return f_px_; }
  int width() const { return width_; }
  int height() const { return height_; }
  // Rows: image right, image down, viewing direction (world axes).
  const Mat3& rotation() const { return rot_; }

  // Distance along the viewing direction (metres); <= 0 behind the camera.
  double depth(const Vec3& p) const { return rot_.row(2).dot(p - position_); }
  // Image point of `p`; empty when `p` is less than `min_depth` in front of the camera.
  std::optional<Eigen::Vector2d> project(const Vec3& p, double min_depth = 0.05) const;
  // Pixels per metre of a small object facing the camera at depth `d`.
  double px_per_m(double d) const { return f_px_ / d; }
  // K * R * [I | -C]: world (homogeneous) to image (homogeneous).
  Eigen::Matrix<double, 3, 4> projection() const;
  // Ground plane z = 0: pitch metres -> image pixels, and its inverse normalised to h22 = 1.
  Mat3 pitch_to_image() const;
  Mat3 image_to_pitch() const;
  // Image row of the horizon (rows below it see the ground in front of the camera).
  double horizon_v() const;

 private:
  Vec3 position_ = Vec3::Zero();
  double pan_ = 0.0, tilt_ = 0.0, hfov_ = 0.5;
  int width_ = 0, height_ = 0;
  double f_px_ = 1.0;
  Mat3 rot_ = Mat3::Identity();
};

}  // namespace pitchtrack::synth
