#include "synth/director.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace pitchtrack::synth {
namespace {
constexpr double kDeg = std::numbers::pi / 180.0;

// One step of a critically damped spring towards `target` (natural frequency w, rad/s).
template <typename V>
void spring(V& x, V& v, const V& target, double w, double dt, double max_speed) {
  const V a = w * w * (target - x) - 2.0 * w * v;
  v += a * dt;
  const double n = v.norm();
  if (n > max_speed) v *= max_speed / n;
  x += v * dt;
}
}  // namespace

const char* shot_name(ShotKind k) { return k == ShotKind::kWide ? "wide" : "close_up"; }

CameraDirector::CameraDirector(const Config& config, const MatchSim& sim, Rng rng)
    : config_(config), rng_(std::move(rng)) {
  hl_ = 0.5 * sim.config().length_m;
  hw_ = 0.5 * sim.config().width_m;
  main_pos_ = Vec3(rng_.uniform(-2.0, 2.0), hw_ + rng_.uniform(30.0, 40.0), rng_.uniform(14.0, 20.0));
  aim_ = sim.ball().pos;
  aim_.y() *= 0.5;
  hfov_ = 32.0 * kDeg;
  next_cut_ = rng_.uniform(7.0, 12.0);
}

Camera CameraDirector::main_camera() const {
  return Camera::look_at(main_pos_, Vec3(aim_.x(), aim_.y(), 0.0), hfov_, config_.width, config_.height);
}

Camera CameraDirector::close_camera() const {
  return Camera::look_at(close_pos_, close_aim_, close_hfov_, config_.width, config_.height);
}

void CameraDirector::track_main(const MatchSim& sim, double dt) {
  const BallView ball = sim.ball();
  const Vec2 bv = sim.ball_velocity();
  // Aim: the ball with a little lead, pulled towards the middle across the width.
  const auto& people = sim.people();
  std::vector<std::pair<double, int>> near;
  for (int i = 0; i < static_cast<int>(people.size()); ++i) {
    if (people[i].role == Role::kReferee) continue;
    near.emplace_back((people[i].pos - ball.pos).squaredNorm(), i);
  }
  const size_t k = std::min<size_t>(10, near.size());
  std::partial_sort(near.begin(), near.begin() + k, near.end());
  double min_x = ball.pos.x(), max_x = ball.pos.x(), mean_y = 0.0;
  for (size_t j = 0; j < k; ++j) {
    const Vec2& p = people[near[j].second].pos;
    min_x = std::min(min_x, p.x());
    max_x = std::max(max_x, p.x());
    mean_y += p.y() / k;
  }
  // Across the width the aim stays a few metres on the camera's side of play: more grass, less crowd.
  Vec2 target(ball.pos.x() + 0.35 * std::clamp(bv.x(), -15.0, 15.0),
              0.45 * ball.pos.y() + 0.25 * mean_y + 2.5);
  target.x() = std::clamp(target.x(), -hl_ + 12.0, hl_ - 12.0);
  target.y() = std::clamp(target.y(), -hw_ + 16.0, hw_ - 10.0);
  spring(aim_, aim_vel_, target, 1.6, dt, 20.0);
  // Zoom: frame the players around the ball.
  const double cover = std::clamp(1.1 * (max_x - min_x) + 12.0, 28.0, 52.0);
  const double dist = std::hypot(aim_.x() - main_pos_.x(), aim_.y() - main_pos_.y());
  const double want = std::clamp(2.0 * std::atan(0.5 * cover / dist), 18.0 * kDeg, 45.0 * kDeg);
  hfov_ += std::clamp((want - hfov_) * dt / 1.5, -5.0 * kDeg * dt, 5.0 * kDeg * dt);
}

void CameraDirector::start_close_up(const MatchSim& sim) {
  const BallView ball = sim.ball();
  subject_ = ball.owner;
  if (subject_ < 0 || sim.people()[subject_].role == Role::kGoalkeeper) {
    double best = 1e18;
    for (int i = 0; i < static_cast<int>(sim.people().size()); ++i) {
      const Person& p = sim.people()[i];
      if (p.role != Role::kPlayer) continue;
      const double d = (p.pos - ball.pos).squaredNorm();
      if (d < best) best = d, subject_ = i;
    }
  }
  const Person& s = sim.people()[subject_];
  // A lower camera on the near side, offset along the touchline.
  close_pos_ = Vec3(std::clamp(s.pos.x() + rng_.uniform(-18.0, 18.0), -hl_, hl_),
                    hw_ + rng_.uniform(8.0, 14.0), rng_.uniform(6.0, 9.0));
  close_aim_ = Vec3(s.pos.x(), s.pos.y(), 1.0);
  close_aim_vel_ = Vec3::Zero();
  shot_length_ = rng_.uniform(2.5, 4.0);
  shot_time_ = 0.0;
  kind_ = ShotKind::kCloseUp;
}

void CameraDirector::track_close(const MatchSim& sim, double dt) {
  const Person& s = sim.people()[subject_];
  const Vec3 target(s.pos.x() + 0.3 * s.vel.x(), s.pos.y() + 0.3 * s.vel.y(), 1.0);
  spring(close_aim_, close_aim_vel_, target, 3.0, dt, 15.0);
  // About 3.4 m of height at the subject: a player fills half of the frame.
  const double d = (close_aim_ - close_pos_).norm();
  const double vfov = 2.0 * std::atan(1.7 / d);
  const double hfov = 2.0 * std::atan(std::tan(0.5 * vfov) * config_.width / config_.height);
  close_hfov_ = std::clamp(hfov, 13.0 * kDeg, 22.0 * kDeg);
}

Camera CameraDirector::update(const MatchSim& sim, double dt, Shot* shot) {
  time_ += dt;
  track_main(sim, dt);
  bool cut = false;
  if (config_.cuts) {
    if (kind_ == ShotKind::kWide && time_ >= next_cut_) {
      start_close_up(sim);
      cut = true;
    } else if (kind_ == ShotKind::kCloseUp) {
      shot_time_ += dt;
      if (shot_time_ >= shot_length_) {
        kind_ = ShotKind::kWide;
        next_cut_ = time_ + rng_.uniform(8.0, 14.0);
        cut = true;
      }
    }
  }
  if (kind_ == ShotKind::kCloseUp) track_close(sim, dt);
  Camera cam = kind_ == ShotKind::kWide ? main_camera() : close_camera();
  shot->kind = kind_;
  shot->cut = cut;
  shot->pan_px_per_frame = (has_last_ && !cut) ? (cam.pan_rad() - last_pan_) * cam.focal_px() : 0.0;
  last_pan_ = cam.pan_rad();
  has_last_ = true;
  return cam;
}

}  // namespace pitchtrack::synth
