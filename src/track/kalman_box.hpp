// Constant-velocity Kalman filter on a box (cx, cy, w, h) with velocities (internal).
// Noise scales with the box height (a far player moves fewer pixels than a near one).
#pragma once

#include <Eigen/Core>
#include <array>

#include "pitchtrack/core/detection.hpp"

namespace pitchtrack::track {

struct KalmanNoise {
  double std_position;
  double std_velocity;
  double std_measurement;
};

class KalmanBox {
 public:
  using State = Eigen::Matrix<double, 8, 1>;
  using Cov = Eigen::Matrix<double, 8, 8>;

  KalmanBox() = default;
  KalmanBox(const BoxXyxy& box, const KalmanNoise& noise);

  void predict();
  // extra_std: further measurement noise, fraction of box height (added in quadrature).
  void update(const BoxXyxy& box, double extra_std = 0.0);
  // Applies an image affine [a b tx; c d ty] to position, size and velocity (camera motion).
  void warp(const std::array<double, 6>& affine);
  void zero_velocity();
  // Moves the centre by (dx, dy) px (covariance unchanged).
  void shift(double dx, double dy);
  // Sets the centre velocity (px per frame), e.g. a new track starting with the camera's motion.
  void set_velocity(double vx, double vy);

  BoxXyxy box() const;
  const State& mean() const { return x_; }

 private:
  double scale() const { return std::max(x_(3), 1.0); }
  State x_ = State::Zero();
  Cov P_ = Cov::Identity();
  KalmanNoise noise_{1.0 / 20, 1.0 / 160, 1.0 / 20};
};

}  // namespace pitchtrack::track
