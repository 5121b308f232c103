// MatchSim: a kinematic football match, good enough to look like play from a broadcast camera.
//
// 22 players in two teams (a goalkeeper and ten outfield players each, 4-4-2 or 4-3-3), one to
// three referees and a ball. Players hold a formation that shifts and compresses with the ball,
// the nearest defenders press, team-mates offer support, the owner dribbles, passes (ground or
// lofted), shoots; passes can be intercepted and loose balls are chased. Every person moves by
// steering towards a target with a bounded acceleration (<= max_accel_mps2, per person, at
// most kMaxAccel) and a bounded speed (<= max_speed_mps, at most kMaxSpeed): velocities change
// by at most a*dt per step and positions integrate v*dt, so finite differences of the positions
// obey the same bounds. Deterministic for a given Rng.
// Units: metres, seconds, DESIGN.md pitch frame (+y towards the main camera's side); team 0
// attacks +x.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "synth/camera.hpp"
#include "synth/pitch_lines.hpp"
#include "synth/rng.hpp"

namespace pitchtrack::synth {

inline constexpr double kMaxSpeed = 9.5;  // m/s, any person
inline constexpr double kMaxAccel = 5.0;  // m/s^2, any person
inline constexpr double kBallRadius = 0.11;

enum class Role { kPlayer, kGoalkeeper, kReferee };
const char* role_name(Role r);

using Bgr = std::array<uint8_t, 3>;

struct Person {
  int id = 0;  // >= 1, stable
  Role role = Role::kPlayer;
  int team = -1;            // 0 or 1; -1 for referees
  int number = 0;           // shirt number
  int referee_kind = 0;     // 0 main referee, 1 assistant on the far touchline, 2 on the near one
  Vec2 pos = Vec2::Zero();  // m
  Vec2 vel = Vec2::Zero();  // m/s
  double max_speed_mps = 8.0;
  double max_accel_mps2 = 4.0;
  double height_m = 1.8;
  double gait_phase = 0.0;  // radians, advances with the distance run
  // Appearance (BGR).
  Bgr shirt{}, shorts{}, socks{}, skin{}, hair{};
  // Behaviour.
  Vec2 anchor = Vec2::Zero();  // formation slot: x in [-1, 0] own half (team frame), y in [-1, 1]
  Vec2 wander = Vec2::Zero(), wander_goal = Vec2::Zero();
  double wander_timer = 0.0;
};

struct Kit {
  const char* name;
  Bgr shirt, shorts, socks;
};

struct BallView {
  Vec2 pos = Vec2::Zero();  // ground point below the ball centre, m
  double z_m = 0.0;         // height of the ball's bottom above the grass (0 = on the ground)
  int owner = -1;           // index into people(), -1 when in flight or loose
};

class MatchSim {
 public:
  struct Config {
    double length_m = 105.0;
    double width_m = 68.0;
    int referees = 3;  // 1..3
  };
  MatchSim(const Config& config, Rng rng);

  void step(double dt);

  const std::vector<Person>& people() const { return people_; }
  BallView ball() const;
  Vec2 ball_velocity() const { return ball_vel_; }
  int possession_team() const { return possession_team_; }
  double time_s() const { return time_s_; }
  const Kit& kit(int team) const { return kits_[team]; }
  const Kit& goalkeeper_kit(int team) const { return gk_kits_[team]; }
  const Kit& referee_kit() const { return referee_kit_; }
  const Config& config() const { return config_; }

 private:
  enum class BallMode { kOwned, kFlight, kLoose };
  struct Flight {
    Vec2 from, to;
    double duration = 1.0, t = 0.0, peak = 0.0;
    bool lofted = false, shot = false;
    int passer = -1, receiver = -1;
  };

  void setup_people();
  void kick_off();
  void update_ball(double dt);
  void decide(int owner);
  void start_pass(int from, int to, bool lofted);
  void start_shot(int from);
  void give_ball(int person);
  Vec2 target_of(int i, double* speed_cap);
  void move(double dt);
  int nearest(const Vec2& p, int team, bool outfield_only, int exclude = -1) const;
  double dir(int team) const { return team == 0 ? 1.0 : -1.0; }
  Vec2 clamp_in(Vec2 p, double margin) const;

  Config config_;
  Rng rng_;
  double hl_, hw_;
  std::vector<Person> people_;
  std::array<Kit, 2> kits_{}, gk_kits_{};
  Kit referee_kit_{};
  std::array<int, 2> formation_{};

  BallMode mode_ = BallMode::kOwned;
  int owner_ = -1;
  int possession_team_ = 0;
  Flight flight_;
  Vec2 ball_pos_ = Vec2::Zero(), ball_vel_ = Vec2::Zero();
  double ball_z_ = 0.0;
  double hold_timer_ = 1.0, contest_timer_ = 0.0, touch_phase_ = 0.0;
  double pickup_ = 1.0;  // 0..1 blend from the pickup point to the dribbling position
  Vec2 pickup_from_ = Vec2::Zero();
  double time_s_ = 0.0;
  // Per-step scratch: roles assigned from the ball situation.
  std::vector<int> pressers_, supporters_, chasers_;
};

}  // namespace pitchtrack::synth
