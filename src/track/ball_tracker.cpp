#include "pitchtrack/track/ball_tracker.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <vector>

namespace pitchtrack {
namespace {

// Constant-velocity point filter (x, y, vx, vy), one step per frame, with the discrete white
// acceleration model: per axis Q = sa^2 G G^T with G = (1/2, 1) (position, velocity).
class PointFilter {
 public:
  using Vec4 = Eigen::Vector4d;
  using Mat4 = Eigen::Matrix4d;

  PointFilter(double x, double y, double std_pos, double std_vel) {
    x_ << x, y, 0, 0;
    P_.setZero();
    P_(0, 0) = P_(1, 1) = std_pos * std_pos;
    P_(2, 2) = P_(3, 3) = std_vel * std_vel;
  }

  void predict(double sa) {
    Mat4 F = Mat4::Identity();
    F(0, 2) = F(1, 3) = 1.0;
    x_ = F * x_;
    const double q = sa * sa;
    Mat4 Q = Mat4::Zero();
    for (int a = 0; a < 2; ++a) {
      Q(a, a) = 0.25 * q;
      Q(a, a + 2) = Q(a + 2, a) = 0.5 * q;
      Q(a + 2, a + 2) = q;
    }
    P_ = F * P_ * F.transpose() + Q;
  }

  void update(double zx, double zy, double sm) {
    const Eigen::Matrix2d S = innovation(sm);
    const Eigen::Matrix<double, 4, 2> K = P_.leftCols<2>() * S.inverse();
    const Eigen::Vector2d r(zx - x_(0), zy - x_(1));
    x_ += K * r;
    P_ -= K * P_.topRows<2>();
    P_ = 0.5 * (P_ + P_.transpose());
  }

  Eigen::Matrix2d innovation(double sm) const {
    return P_.topLeftCorner<2, 2>() + Eigen::Matrix2d::Identity() * (sm * sm);
  }

  // p' = A p + t, v' = A v (camera motion between frames).
  void warp(const std::array<double, 6>& m) {
    Eigen::Matrix2d A;
    A << m[0], m[1], m[3], m[4];
    const Eigen::Vector2d p = A * x_.head<2>() + Eigen::Vector2d(m[2], m[5]);
    const Eigen::Vector2d v = A * x_.tail<2>();
    x_ << p, v;
    Mat4 T = Mat4::Zero();
    T.topLeftCorner<2, 2>() = A;
    T.bottomRightCorner<2, 2>() = A;
    P_ = T * P_ * T.transpose();
  }

  void zero_velocity(double std_vel) {
    x_.tail<2>().setZero();
    P_.topRightCorner<2, 2>().setZero();
    P_.bottomLeftCorner<2, 2>().setZero();
    P_.bottomRightCorner<2, 2>() = Eigen::Matrix2d::Identity() * (std_vel * std_vel);
  }

  double x() const { return x_(0); }
  double y() const { return x_(1); }

 private:
  Vec4 x_ = Vec4::Zero();
  Mat4 P_ = Mat4::Identity();
};

class BallTrackerImpl final : public BallTracker {
 public:
  explicit BallTrackerImpl(const BallTrackerConfig& c) : cfg_(c) {
    spots_.reserve(static_cast<size_t>(std::max(c.max_static_spots, 1)));
  }

  std::optional<BallState> update(std::span<const Detection> dets, const FrameContext& ctx) override {
    ++frame_;
    if (ctx.camera_cut) reset();  // a new shot: new spots too
    cand_.clear();
    for (const Detection& d : dets) {
      if (d.class_id == ObjectClass::kBall && d.score >= cfg_.min_score && d.box_px.width() > 0 &&
          d.box_px.height() > 0) {
        cand_.push_back(&d);
      }
    }
    drop_fixed_objects(ctx);

    if (!kf_) return acquire();

    if (ctx.camera_motion) {
      kf_->warp(*ctx.camera_motion);
      const auto& m = *ctx.camera_motion;
      const float s = static_cast<float>(std::sqrt(std::abs(m[0] * m[4] - m[1] * m[3])));
      w_ *= s;
      h_ *= s;
    }
    kf_->predict(cfg_.std_acceleration_px);
    const int missed = since_match_;  // frames already missed before this one
    ++since_match_;

    // Gate around the prediction; the best gated candidate by score and distance.
    const Eigen::Matrix2d S = kf_->innovation(cfg_.std_measurement_px);
    const double sigma = std::sqrt(0.5 * S.trace());
    const double r = std::min<double>(
        cfg_.max_gate_px, cfg_.gate_px + cfg_.gate_growth_px_per_frame * missed + cfg_.gate_sigmas * sigma);
    const Detection* best = nullptr;
    double best_value = -1e18;
    for (const Detection* d : cand_) {
      const double dist = std::hypot(d->box_px.cx() - kf_->x(), d->box_px.cy() - kf_->y());
      if (dist > r) continue;
      const double value = d->score - cfg_.distance_weight * dist / r;
      if (value > best_value) {
        best_value = value;
        best = d;
      }
    }
    if (best) {
      kf_->update(best->box_px.cx(), best->box_px.cy(), cfg_.std_measurement_px);
      return matched(*best);
    }
    // Nothing near the prediction: after long enough, a confident candidate anywhere restarts it.
    if (missed >= cfg_.reacquire_frames) {
      if (auto s = acquire()) return s;
    }
    if (since_match_ > cfg_.max_lost_frames) {
      drop_track();
      return std::nullopt;
    }
    if (since_match_ == cfg_.max_gap_frames + 1) kf_->zero_velocity(cfg_.std_initial_velocity_px);
    if (since_match_ > cfg_.max_gap_frames) return std::nullopt;
    BallState out;
    out.box_px = BoxXyxy::from_cxcywh(static_cast<float>(kf_->x()), static_cast<float>(kf_->y()), w_, h_);
    out.score =
        last_score_ * (1.0f - static_cast<float>(since_match_) / static_cast<float>(cfg_.max_gap_frames + 1));
    out.interpolated = true;
    return out;
  }

  void reset() override {
    drop_track();
    spots_.clear();
  }
  bool has_track() const override { return kf_.has_value(); }
  int frames_since_match() const override { return kf_ ? since_match_ : -1; }

 private:
  // The ball is lost: the filter goes, what was learnt about the scene stays.
  void drop_track() {
    kf_.reset();
    since_match_ = -1;
  }

  std::optional<BallState> acquire() {
    const Detection* best = nullptr;
    for (const Detection* d : cand_) {
      if (d->score >= cfg_.acquire_score && (!best || d->score > best->score)) best = d;
    }
    if (!best) return std::nullopt;
    kf_.emplace(best->box_px.cx(), best->box_px.cy(), cfg_.std_measurement_px, cfg_.std_initial_velocity_px);
    w_ = best->box_px.width();
    h_ = best->box_px.height();
    return matched(*best);
  }

  BallState matched(const Detection& d) {
    since_match_ = 0;
    last_score_ = d.score;
    const float a = cfg_.size_smoothing;
    w_ = (1 - a) * w_ + a * d.box_px.width();
    h_ = (1 - a) * h_ + a * d.box_px.height();
    BallState out;
    out.box_px = d.box_px;
    out.score = d.score;
    return out;
  }

  // A spot of the scene where ball candidates have been seen (image px, moved with the camera).
  struct Spot {
    double x = 0, y = 0;
    int64_t first = 0, last = 0;  // frames of the first and the latest candidate on it
    int hits = 0;                 // frames with a candidate on it
  };

  bool fixed(const Spot& s) const {
    const int64_t span = s.last - s.first + 1;
    return span > cfg_.static_frames &&
           static_cast<double>(s.hits) >= cfg_.static_min_share * static_cast<double>(span);
  }

  // Follows the spots the candidates sit on and removes from cand_ those on a fixed object's.
  void drop_fixed_objects(const FrameContext& ctx) {
    if (cfg_.static_frames <= 0) return;
    if (ctx.camera_motion) {
      const auto& m = *ctx.camera_motion;
      for (Spot& sp : spots_) {
        const double x = m[0] * sp.x + m[1] * sp.y + m[2], y = m[3] * sp.x + m[4] * sp.y + m[5];
        sp.x = x;
        sp.y = y;
      }
    }
    std::erase_if(spots_, [&](const Spot& sp) {
      return frame_ - sp.last > (fixed(sp) ? cfg_.fixed_forget_frames : cfg_.static_forget_frames);
    });
    size_t kept = 0;
    for (const Detection* d : cand_) {
      if (!on_fixed_spot(*d)) cand_[kept++] = d;
    }
    cand_.resize(kept);
  }

  // Counts the candidate on the nearest spot within reach (a new spot if none) and says whether
  // that spot is a fixed object.
  bool on_fixed_spot(const Detection& d) {
    const double r =
        std::max<double>(cfg_.static_radius_px, 0.75 * std::max(d.box_px.width(), d.box_px.height()));
    Spot* near = nullptr;
    double best = r;
    for (Spot& sp : spots_) {
      const double dist = std::hypot(d.box_px.cx() - sp.x, d.box_px.cy() - sp.y);
      if (dist <= best) {
        best = dist;
        near = &sp;
      }
    }
    if (!near) {
      if (static_cast<int>(spots_.size()) >= cfg_.max_static_spots) {
        // Full: the spot seen longest ago makes room.
        near = &*std::min_element(spots_.begin(), spots_.end(),
                                  [](const Spot& a, const Spot& b) { return a.last < b.last; });
        *near = Spot{};
      } else {
        near = &spots_.emplace_back();
      }
      near->x = d.box_px.cx();
      near->y = d.box_px.cy();
      near->first = frame_;
    } else if (near->last == frame_) {
      return fixed(*near);  // a second candidate on the same spot this frame
    } else {
      // A tenth of the way to the candidate: takes out the drift of the camera-motion estimate (a
      // still camera's is not exactly zero, and it adds up over seconds); a ball rolling faster
      // than about a ninth of the radius per frame still leaves the spot.
      near->x += 0.1 * (d.box_px.cx() - near->x);
      near->y += 0.1 * (d.box_px.cy() - near->y);
    }
    near->last = frame_;
    ++near->hits;
    return fixed(*near);
  }

  BallTrackerConfig cfg_;
  std::vector<Spot> spots_;
  int64_t frame_ = 0;
  std::optional<PointFilter> kf_;
  int since_match_ = -1;
  float last_score_ = 0.0f;
  float w_ = 0.0f, h_ = 0.0f;  // running box size, px
  std::vector<const Detection*> cand_;
};

}  // namespace

Status validate(const BallTrackerConfig& c) {
  if (!(c.min_score >= 0 && c.min_score <= 1)) return invalid_argument("ball.min_score must be in [0, 1]");
  if (!(c.acquire_score >= c.min_score && c.acquire_score <= 1)) {
    return invalid_argument("ball.acquire_score must be in [ball.min_score, 1]");
  }
  if (c.max_gap_frames < 0) return invalid_argument("ball.max_gap_frames must be >= 0");
  if (c.reacquire_frames < 0) return invalid_argument("ball.reacquire_frames must be >= 0");
  if (c.max_lost_frames < c.max_gap_frames) {
    return invalid_argument("ball.max_lost_frames must be >= ball.max_gap_frames");
  }
  if (!(c.gate_px > 0)) return invalid_argument("ball.gate_px must be > 0");
  if (!(c.gate_growth_px_per_frame >= 0)) {
    return invalid_argument("ball.gate_growth_px_per_frame must be >= 0");
  }
  if (!(c.gate_sigmas >= 0)) return invalid_argument("ball.gate_sigmas must be >= 0");
  if (!(c.max_gate_px >= c.gate_px)) return invalid_argument("ball.max_gate_px must be >= ball.gate_px");
  if (!(c.distance_weight >= 0)) return invalid_argument("ball.distance_weight must be >= 0");
  if (!(c.std_acceleration_px > 0)) return invalid_argument("ball.std_acceleration_px must be > 0");
  if (!(c.std_measurement_px > 0)) return invalid_argument("ball.std_measurement_px must be > 0");
  if (!(c.std_initial_velocity_px > 0)) return invalid_argument("ball.std_initial_velocity_px must be > 0");
  if (!(c.size_smoothing > 0 && c.size_smoothing <= 1)) {
    return invalid_argument("ball.size_smoothing must be in (0, 1]");
  }
  if (c.static_frames < 0) return invalid_argument("ball.static_frames must be >= 0");
  if (!(c.static_radius_px > 0)) return invalid_argument("ball.static_radius_px must be > 0");
  if (c.static_forget_frames < 1) return invalid_argument("ball.static_forget_frames must be >= 1");
  if (c.fixed_forget_frames < c.static_forget_frames) {
    return invalid_argument("ball.fixed_forget_frames must be >= ball.static_forget_frames");
  }
  if (!(c.static_min_share > 0 && c.static_min_share <= 1)) {
    return invalid_argument("ball.static_min_share must be in (0, 1]");
  }
  if (c.max_static_spots < 1) return invalid_argument("ball.max_static_spots must be >= 1");
  return Status::ok();
}

Result<std::unique_ptr<BallTracker>> BallTracker::create(const BallTrackerConfig& config) {
  PT_RETURN_IF_ERROR(validate(config));
  return std::unique_ptr<BallTracker>(std::make_unique<BallTrackerImpl>(config));
}

}  // namespace pitchtrack
