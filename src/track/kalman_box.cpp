#include "track/kalman_box.hpp"

#include <Eigen/Dense>
#include <cmath>

namespace pitchtrack::track {

KalmanBox::KalmanBox(const BoxXyxy& b, const KalmanNoise& noise) : noise_(noise) {
  x_ << b.cx(), b.cy(), b.width(), b.height(), 0, 0, 0, 0;
  const double h = scale();
  Eigen::Matrix<double, 8, 1> std;
  std << 2 * noise_.std_position * h, 2 * noise_.std_position * h, 2 * noise_.std_position * h,
      2 * noise_.std_position * h, 10 * noise_.std_velocity * h, 10 * noise_.std_velocity * h,
      10 * noise_.std_velocity * h, 10 * noise_.std_velocity * h;
  P_ = std.cwiseProduct(std).asDiagonal();
}

void KalmanBox::predict() {
  // x' = F x with F = [I I; 0 I]; P' = F P F^T + Q, written out to skip 8x8 products by zeros.
  x_.head<4>() += x_.tail<4>();
  Cov FP = P_;
  FP.topRows<4>() += P_.bottomRows<4>();
  Cov FPFt = FP;
  FPFt.leftCols<4>() += FP.rightCols<4>();
  const double h = scale();
  const double sp = noise_.std_position * h, sv = noise_.std_velocity * h;
  Eigen::Matrix<double, 8, 1> q;
  q << sp * sp, sp * sp, sp * sp, sp * sp, sv * sv, sv * sv, sv * sv, sv * sv;
  P_ = FPFt;
  P_.diagonal() += q;
}

void KalmanBox::update(const BoxXyxy& b, double extra_std) {
  Eigen::Vector4d z(b.cx(), b.cy(), b.width(), b.height());
  const double sm = std::sqrt(noise_.std_measurement * noise_.std_measurement + extra_std * extra_std) *
                    std::max<double>(b.height(), 1.0);
  const Eigen::Matrix4d S = P_.topLeftCorner<4, 4>() + Eigen::Matrix4d::Identity() * (sm * sm);
  // K = P H^T S^-1, with H = [I 0]: P H^T is the left 8x4 block of P.
  const Eigen::Matrix<double, 8, 4> K = P_.leftCols<4>() * S.inverse();
  x_ += K * (z - x_.head<4>());
  P_ -= K * P_.topRows<4>();
  P_ = 0.5 * (P_ + P_.transpose());
}

void KalmanBox::warp(const std::array<double, 6>& m) {
  Eigen::Matrix2d A;
  A << m[0], m[1], m[3], m[4];
  const Eigen::Vector2d t(m[2], m[5]);
  const double s = std::sqrt(std::abs(A.determinant()));  // isotropic zoom factor
  const Eigen::Vector2d c = A * x_.head<2>() + t;
  x_(0) = c(0);
  x_(1) = c(1);
  x_.segment<2>(2) *= s;
  x_.segment<2>(4) = A * x_.segment<2>(4).eval();
  x_.segment<2>(6) *= s;
  Eigen::Matrix<double, 8, 8> T = Eigen::Matrix<double, 8, 8>::Identity();
  T.block<2, 2>(0, 0) = A;
  T(2, 2) = T(3, 3) = s;
  T.block<2, 2>(4, 4) = A;
  T(6, 6) = T(7, 7) = s;
  P_ = T * P_ * T.transpose();
}

void KalmanBox::zero_velocity() {
  x_.tail<4>().setZero();
  const double h = scale();
  P_.bottomRightCorner<4, 4>() = Eigen::Matrix4d::Identity() * std::pow(10 * noise_.std_velocity * h, 2);
  P_.topRightCorner<4, 4>().setZero();
  P_.bottomLeftCorner<4, 4>().setZero();
}

void KalmanBox::shift(double dx, double dy) {
  x_(0) += dx;
  x_(1) += dy;
}

void KalmanBox::set_velocity(double vx, double vy) {
  x_(4) = vx;
  x_(5) = vy;
}

BoxXyxy KalmanBox::box() const {
  const double w = std::max(x_(2), 1.0), h = std::max(x_(3), 1.0);
  return BoxXyxy::from_cxcywh(static_cast<float>(x_(0)), static_cast<float>(x_(1)), static_cast<float>(w),
                              static_cast<float>(h));
}

}  // namespace pitchtrack::track
