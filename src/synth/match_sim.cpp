#include "synth/match_sim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pitchtrack::synth {
namespace {

constexpr double kGravity = 9.81;

// Outfield formation slots, team frame (x: -1 own goal line .. 0 halfway line, y: -1 .. 1).
const std::array<std::array<Vec2, 10>, 2> kFormations = {{
    // 4-4-2
    {Vec2(-0.72, -0.66), Vec2(-0.76, -0.22), Vec2(-0.76, 0.22), Vec2(-0.72, 0.66), Vec2(-0.44, -0.7),
     Vec2(-0.47, -0.22), Vec2(-0.47, 0.22), Vec2(-0.44, 0.7), Vec2(-0.14, -0.22), Vec2(-0.12, 0.2)},
    // 4-3-3
    {Vec2(-0.72, -0.66), Vec2(-0.76, -0.22), Vec2(-0.76, 0.22), Vec2(-0.72, 0.66), Vec2(-0.47, -0.45),
     Vec2(-0.52, 0.0), Vec2(-0.47, 0.45), Vec2(-0.16, -0.68), Vec2(-0.1, 0.0), Vec2(-0.16, 0.68)},
}};

const std::array<Kit, 9> kKits = {{
    {"reds", {40, 38, 205}, {245, 245, 245}, {40, 38, 205}},
    {"blues", {175, 75, 25}, {250, 250, 250}, {175, 75, 25}},
    {"whites", {242, 242, 242}, {40, 35, 30}, {242, 242, 242}},
    {"yellows", {40, 215, 250}, {150, 60, 20}, {40, 215, 250}},
    {"sky", {235, 185, 120}, {70, 35, 20}, {235, 185, 120}},
    {"blacks", {38, 36, 34}, {38, 36, 34}, {38, 36, 34}},
    {"oranges", {25, 125, 250}, {245, 245, 245}, {25, 125, 250}},
    {"maroons", {55, 30, 125}, {245, 245, 245}, {55, 30, 125}},
    {"purples", {150, 45, 115}, {30, 25, 25}, {150, 45, 115}},
}};
const std::array<Kit, 6> kKeeperKits = {{
    {"keeper_lime", {60, 235, 175}, {30, 30, 30}, {60, 235, 175}},
    {"keeper_pink", {180, 90, 250}, {180, 90, 250}, {180, 90, 250}},
    {"keeper_grey", {120, 115, 110}, {60, 60, 60}, {120, 115, 110}},
    {"keeper_orange", {10, 150, 255}, {10, 150, 255}, {10, 150, 255}},
    {"keeper_cyan", {230, 230, 40}, {90, 60, 20}, {230, 230, 40}},
    {"keeper_black", {25, 25, 25}, {25, 25, 25}, {25, 25, 25}},
}};
const std::array<Kit, 3> kRefereeKits = {{
    {"referee_black", {22, 22, 22}, {22, 22, 22}, {22, 22, 22}},
    {"referee_yellow", {20, 235, 245}, {25, 25, 25}, {25, 25, 25}},
    {"referee_red", {50, 50, 230}, {25, 25, 25}, {25, 25, 25}},
}};
const std::array<Bgr, 6> kSkins = {
    {{110, 150, 205}, {92, 132, 185}, {70, 102, 150}, {48, 72, 112}, {128, 168, 222}, {38, 52, 82}}};
const std::array<Bgr, 4> kHair = {{{20, 20, 24}, {30, 42, 62}, {60, 95, 140}, {22, 26, 36}}};

double colour_distance(const Bgr& a, const Bgr& b) {
  double s = 0;
  for (int i = 0; i < 3; ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(s);
}

Vec2 limit(Vec2 v, double max_norm) {
  const double n = v.norm();
  return n > max_norm && n > 0 ? Vec2(v * (max_norm / n)) : v;
}

}  // namespace

const char* role_name(Role r) {
  switch (r) {
    case Role::kPlayer: return "player";
    case Role::kGoalkeeper: return "goalkeeper";
    case Role::kReferee: return "referee";
  }
  return "?";
}

MatchSim::MatchSim(const Config& config, Rng rng)
    : config_(config), rng_(std::move(rng)), hl_(0.5 * config.length_m), hw_(0.5 * config.width_m) {
  setup_people();
  kick_off();
}

BallView MatchSim::ball() const {
  return BallView{ball_pos_, ball_z_, mode_ == BallMode::kOwned ? owner_ : -1};
}

Vec2 MatchSim::clamp_in(Vec2 p, double margin) const {
  return Vec2(std::clamp(p.x(), -hl_ + margin, hl_ - margin), std::clamp(p.y(), -hw_ + margin, hw_ - margin));
}

void MatchSim::setup_people() {
  // Kits: two clearly different team colours, keepers unlike both, a referee unlike all.
  const int k0 = static_cast<int>(rng_.uniform_int(0, kKits.size() - 1));
  int k1 = k0;
  while (k1 == k0 || colour_distance(kKits[k0].shirt, kKits[k1].shirt) < 170) {
    k1 = static_cast<int>(rng_.uniform_int(0, kKits.size() - 1));
  }
  kits_ = {kKits[k0], kKits[k1]};
  auto far_from_teams = [&](const Bgr& c) {
    return colour_distance(c, kits_[0].shirt) > 120 && colour_distance(c, kits_[1].shirt) > 120;
  };
  int g0 = -1, g1 = -1;
  while (g0 < 0 || !far_from_teams(kKeeperKits[g0].shirt))
    g0 = int(rng_.uniform_int(0, kKeeperKits.size() - 1));
  while (g1 < 0 || g1 == g0 || !far_from_teams(kKeeperKits[g1].shirt)) {
    g1 = int(rng_.uniform_int(0, kKeeperKits.size() - 1));
  }
  gk_kits_ = {kKeeperKits[g0], kKeeperKits[g1]};
  int best = 0;
  double best_d = -1;
  for (int r = 0; r < static_cast<int>(kRefereeKits.size()); ++r) {
    double d = 1e9;
    for (const Kit* k : {&kits_[0], &kits_[1], &gk_kits_[0], &gk_kits_[1]}) {
      d = std::min(d, colour_distance(kRefereeKits[r].shirt, k->shirt));
    }
    d += rng_.uniform(0.0, 60.0);  // some variety among the acceptable ones
    if (d > best_d) best_d = d, best = r;
  }
  referee_kit_ = kRefereeKits[best];
  formation_ = {static_cast<int>(rng_.uniform_int(0, 1)), static_cast<int>(rng_.uniform_int(0, 1))};

  auto appearance = [&](Person& p, const Kit& kit) {
    p.shirt = kit.shirt;
    p.shorts = kit.shorts;
    p.socks = kit.socks;
    p.skin = kSkins[rng_.uniform_int(0, kSkins.size() - 1)];
    p.hair = kHair[rng_.uniform_int(0, kHair.size() - 1)];
    p.height_m = std::clamp(rng_.normal(1.81, 0.06), 1.68, 1.95);
    p.gait_phase = rng_.uniform(0.0, 6.283);
    p.wander_timer = rng_.uniform(0.0, 3.0);
  };
  for (int team = 0; team < 2; ++team) {
    const std::array<int, 10> numbers = {2, 5, 4, 3, 7, 8, 6, 11, 9, 10};
    for (int k = 0; k < 11; ++k) {
      Person p;
      p.id = static_cast<int>(people_.size()) + 1;
      p.team = team;
      if (k == 0) {
        p.role = Role::kGoalkeeper;
        p.number = 1;
        appearance(p, gk_kits_[team]);
        p.height_m = std::min(1.97, p.height_m + 0.05);
        p.max_speed_mps = rng_.uniform(7.0, 8.0);
        p.max_accel_mps2 = rng_.uniform(3.5, 4.5);
        p.anchor = Vec2(-0.97, 0.0);
      } else {
        p.role = Role::kPlayer;
        p.number = numbers[k - 1];
        appearance(p, kits_[team]);
        p.max_speed_mps = rng_.uniform(8.0, kMaxSpeed);
        p.max_accel_mps2 = rng_.uniform(3.5, kMaxAccel);
        p.anchor = kFormations[formation_[team]][k - 1];
      }
      people_.push_back(p);
    }
  }
  const int referees = std::clamp(config_.referees, 1, 3);
  for (int r = 0; r < referees; ++r) {
    Person p;
    p.id = static_cast<int>(people_.size()) + 1;
    p.role = Role::kReferee;
    p.team = -1;
    p.referee_kind = r;
    appearance(p, referee_kit_);
    p.max_speed_mps = rng_.uniform(7.0, 8.0);
    p.max_accel_mps2 = rng_.uniform(3.0, 4.0);
    people_.push_back(p);
  }
}

void MatchSim::kick_off() {
  for (Person& p : people_) {
    if (p.role == Role::kReferee) {
      if (p.referee_kind == 0) p.pos = Vec2(-6.0, 10.0);
      if (p.referee_kind == 1) p.pos = Vec2(-hl_ * 0.35, -hw_ - 1.2);
      if (p.referee_kind == 2) p.pos = Vec2(hl_ * 0.35, hw_ + 1.2);
      continue;
    }
    const double s = dir(p.team);
    p.pos = Vec2(s * p.anchor.x() * hl_ * 0.92, p.anchor.y() * hw_ * 0.8);
    // Outside the centre circle, except the two kickers of team 0.
    if (p.pos.norm() < 9.5) p.pos *= 9.5 / std::max(0.1, p.pos.norm());
  }
  // Team 0 kicks off: its two most advanced players stand at the ball.
  int a = -1, b = -1;
  for (int i = 1; i < 11; ++i) {
    if (a < 0 || people_[i].anchor.x() > people_[a].anchor.x())
      b = a, a = i;
    else if (b < 0 || people_[i].anchor.x() > people_[b].anchor.x())
      b = i;
  }
  people_[a].pos = Vec2(-0.6, 0.3);
  people_[b].pos = Vec2(-0.4, -2.5);
  ball_pos_ = Vec2(0.0, 0.0);
  give_ball(a);
  pickup_ = 1.0;
  hold_timer_ = 0.6;
}

int MatchSim::nearest(const Vec2& p, int team, bool outfield_only, int exclude) const {
  int best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  for (int i = 0; i < static_cast<int>(people_.size()); ++i) {
    const Person& q = people_[i];
    if (i == exclude || q.role == Role::kReferee) continue;
    if (team >= 0 && q.team != team) continue;
    if (outfield_only && q.role != Role::kPlayer) continue;
    const double d = (q.pos - p).squaredNorm();
    if (d < best_d) best_d = d, best = i;
  }
  return best;
}

void MatchSim::give_ball(int person) {
  mode_ = BallMode::kOwned;
  owner_ = person;
  possession_team_ = people_[person].team;
  pickup_from_ = ball_pos_;
  pickup_ = 0.0;
  ball_z_ = 0.0;
  contest_timer_ = 0.0;
  hold_timer_ = people_[person].role == Role::kGoalkeeper ? rng_.uniform(1.5, 3.0) : rng_.uniform(0.5, 2.8);
}

void MatchSim::start_pass(int from, int to, bool lofted) {
  const Person& r = people_[to];
  Flight f;
  f.from = ball_pos_;
  f.passer = from;
  f.receiver = to;
  // Aim where the receiver is heading.
  f.to = clamp_in(r.pos + r.vel * 0.8 + Vec2(rng_.normal(0, 0.8), rng_.normal(0, 0.8)), 1.0);
  const double d = std::max(1.0, (f.to - f.from).norm());
  f.lofted = lofted;
  if (lofted) {
    f.peak = std::clamp(0.12 * d + rng_.uniform(0.0, 2.0), 2.5, 15.0);
    f.duration = 2.0 * std::sqrt(2.0 * f.peak / kGravity);
  } else {
    f.duration = d / std::clamp(8.0 + 0.2 * d + rng_.normal(0, 1.0), 9.0, 17.0);
  }
  flight_ = f;
  mode_ = BallMode::kFlight;
  owner_ = -1;
}

void MatchSim::start_shot(int from) {
  const double s = dir(people_[from].team);
  Flight f;
  f.from = ball_pos_;
  f.to = Vec2(s * (hl_ - 0.6), rng_.uniform(-3.0, 3.0));
  f.passer = from;
  f.receiver = (people_[from].team == 0) ? 11 : 0;  // the defending keeper
  f.shot = true;
  f.lofted = true;
  f.peak = rng_.uniform(0.2, 1.8);
  f.duration = (f.to - f.from).norm() / rng_.uniform(20.0, 27.0);
  flight_ = f;
  mode_ = BallMode::kFlight;
  owner_ = -1;
}

void MatchSim::decide(int o) {
  const Person& p = people_[o];
  const double s = dir(p.team);
  if (p.role == Role::kGoalkeeper) {
    // Long lofted kick up field, or a short pass to a defender.
    const bool long_kick = rng_.chance(0.6);
    int best = -1;
    double best_score = -1e9;
    for (int i = 0; i < 22; ++i) {
      if (i == o || people_[i].team != p.team || people_[i].role != Role::kPlayer) continue;
      const double fx = s * people_[i].pos.x();
      const double score = (long_kick ? fx : -std::abs(fx + hl_ * 0.6)) + rng_.normal(0, 6.0);
      if (score > best_score) best_score = score, best = i;
    }
    start_pass(o, best, long_kick);
    return;
  }
  if (s * p.pos.x() > hl_ - 27.0 && std::abs(p.pos.y()) < 22.0 && rng_.chance(0.4)) {
    start_shot(o);
    return;
  }
  int best = -1;
  double best_score = -1e9;
  for (int i = 0; i < 22; ++i) {
    const Person& q = people_[i];
    if (i == o || q.team != p.team || q.role != Role::kPlayer) continue;
    const double d = (q.pos - p.pos).norm();
    if (d < 5.0 || d > 45.0) continue;
    double open = 1e9;
    for (int j = 0; j < 22; ++j) {
      if (people_[j].team != p.team) open = std::min(open, (people_[j].pos - q.pos).norm());
    }
    const double score = 0.06 * s * (q.pos.x() - p.pos.x()) + 0.3 * std::min(open, 8.0) -
                         0.05 * std::abs(d - 16.0) + rng_.normal(0, 0.6);
    if (score > best_score) best_score = score, best = i;
  }
  if (best < 0) {  // nobody in range: keep dribbling a little longer
    hold_timer_ = 0.5;
    return;
  }
  const double d = (people_[best].pos - p.pos).norm();
  start_pass(o, best, d > 26.0 && rng_.chance(0.5));
}

void MatchSim::update_ball(double dt) {
  const Vec2 before = ball_pos_;
  if (mode_ == BallMode::kOwned) {
    Person& o = people_[owner_];
    Vec2 heading = o.vel.norm() > 0.6 ? Vec2(o.vel.normalized()) : Vec2(dir(o.team), 0.0);
    touch_phase_ += dt * 2.0 * 3.14159265 / 0.75;
    const double reach =
        o.role == Role::kGoalkeeper ? 0.3 : 0.45 + 0.35 * (0.5 - 0.5 * std::cos(touch_phase_));
    const Vec2 at_feet = o.pos + heading * reach;
    pickup_ = std::min(1.0, pickup_ + dt / 0.3);
    ball_pos_ = pickup_from_ + (at_feet - pickup_from_) * pickup_;
    ball_z_ = o.role == Role::kGoalkeeper ? 0.0 : 0.0;
    // Tackles: a close opponent may win the ball.
    const int opp = nearest(o.pos, 1 - o.team, true);
    if (opp >= 0 && (people_[opp].pos - o.pos).norm() < 1.2) {
      contest_timer_ += dt;
      if (contest_timer_ > 0.7 && rng_.chance(1.2 * dt)) {
        give_ball(opp);
        ball_vel_ = (ball_pos_ - before) / dt;
        return;
      }
    } else {
      contest_timer_ = std::max(0.0, contest_timer_ - dt);
    }
    hold_timer_ -= dt;
    if (hold_timer_ <= 0.0 && pickup_ >= 1.0) decide(owner_);
  } else if (mode_ == BallMode::kFlight) {
    Flight& f = flight_;
    f.t += dt;
    const double tau = std::min(1.0, f.t / f.duration);
    const double s = f.lofted ? tau : 1.5 * tau - 0.5 * tau * tau;
    ball_pos_ = f.from + (f.to - f.from) * s;
    ball_z_ = f.lofted ? 4.0 * f.peak * tau * (1.0 - tau) : 0.0;
    // Interceptions of low balls by the other team.
    if (!f.shot && tau > 0.2 && tau < 0.9 && ball_z_ < 1.0) {
      const int opp = nearest(ball_pos_, 1 - people_[f.passer].team, false);
      if (opp >= 0 && (people_[opp].pos - ball_pos_).norm() < 0.9 && rng_.chance(0.15)) {
        give_ball(opp);
        ball_vel_ = (ball_pos_ - before) / dt;
        return;
      }
    }
    if (tau >= 1.0) {
      ball_z_ = 0.0;
      const int n = nearest(ball_pos_, -1, false);
      if (f.shot) {
        give_ball(f.receiver);  // the keeper saves and holds it
      } else if (n >= 0 && (people_[n].pos - ball_pos_).norm() < 2.5) {
        give_ball(n);
      } else {
        mode_ = BallMode::kLoose;
        const double speed = f.lofted ? 3.0 : 0.5 * (f.to - f.from).norm() / f.duration;
        ball_vel_ = (f.to - f.from).normalized() * speed;
      }
    }
  } else {  // loose: rolls and slows down until someone reaches it
    ball_pos_ += ball_vel_ * dt;
    ball_vel_ *= std::exp(-1.2 * dt);
    const Vec2 c = clamp_in(ball_pos_, 0.5);
    if (c.x() != ball_pos_.x()) ball_vel_.x() = -ball_vel_.x();
    if (c.y() != ball_pos_.y()) ball_vel_.y() = -ball_vel_.y();
    ball_pos_ = c;
    const int n = nearest(ball_pos_, -1, false);
    if (n >= 0 && (people_[n].pos - ball_pos_).norm() < 0.9) give_ball(n);
    return;
  }
  ball_vel_ = (ball_pos_ - before) / dt;
}

Vec2 MatchSim::target_of(int i, double* cap) {
  Person& p = people_[i];
  const Vec2 ball = ball_pos_;
  auto jog_cap = [&](const Vec2& t) {
    const double d = (t - p.pos).norm();
    return std::min(p.max_speed_mps, 1.2 + 0.45 * d);
  };
  if (p.role == Role::kReferee) {
    Vec2 t;
    if (p.referee_kind == 0) {
      t = Vec2(ball.x() - (ball.x() >= 0 ? 7.0 : -7.0), ball.y() + (ball.y() > 0 ? -9.0 : 9.0));
      t = clamp_in(t, 3.0);
    } else {
      // Assistants run along their touchline level with the second-last defender or the ball.
      const bool far = p.referee_kind == 1;
      const int team = far ? 0 : 1;  // team 0 defends the left goal at kick-off
      std::vector<double> xs;
      for (int k = 0; k < 22; ++k) {
        if (people_[k].team == team) xs.push_back(people_[k].pos.x());
      }
      std::sort(xs.begin(), xs.end());
      double x = far ? std::min(ball.x(), xs[1]) : std::max(ball.x(), xs[xs.size() - 2]);
      x = far ? std::clamp(x, -hl_, 0.0) : std::clamp(x, 0.0, hl_);
      t = Vec2(x, far ? -hw_ - 1.2 : hw_ + 1.2);
    }
    *cap = std::min(p.max_speed_mps, 1.0 + 0.5 * (t - p.pos).norm());
    return t;
  }
  const double s = dir(p.team);
  if (p.role == Role::kGoalkeeper) {
    const double gx = -s * hl_;
    if (mode_ == BallMode::kOwned && owner_ == i) {
      *cap = 0.0;
      return p.pos;
    }
    if (mode_ == BallMode::kFlight && flight_.shot && flight_.receiver == i) {
      *cap = p.max_speed_mps;
      return Vec2(flight_.to.x(), flight_.to.y());
    }
    const double d_ball = std::abs(ball.x() - gx);
    const Vec2 t(gx + s * std::clamp(1.0 + 0.08 * d_ball, 1.0, 9.0), std::clamp(0.15 * ball.y(), -3.5, 3.5));
    *cap = jog_cap(t);
    return t;
  }
  // Outfield players.
  if (mode_ == BallMode::kOwned && owner_ == i) {
    // Dribble towards the opponent goal, away from the closest opponent.
    Vec2 to_goal = Vec2(s * hl_, 0.0) - p.pos;
    Vec2 d = to_goal.normalized();
    const int opp = nearest(p.pos, 1 - p.team, false);
    if (opp >= 0) {
      const Vec2 away = p.pos - people_[opp].pos;
      if (away.norm() < 6.0) d += 0.8 * away.normalized();
    }
    d += Vec2(0.0, 0.3 * std::sin(0.7 * time_s_ + i));
    *cap = std::min(p.max_speed_mps, 6.5);
    return clamp_in(p.pos + d.normalized() * 6.0, 1.0);
  }
  if (mode_ == BallMode::kFlight && !flight_.shot && flight_.receiver == i) {
    *cap = p.max_speed_mps;
    return flight_.to;
  }
  if (std::find(chasers_.begin(), chasers_.end(), i) != chasers_.end()) {
    *cap = p.max_speed_mps;
    return ball;
  }
  if (!pressers_.empty() && pressers_[0] == i) {
    *cap = 0.9 * p.max_speed_mps;
    return ball + Vec2(-s * 0.8, 0.0);
  }
  if (pressers_.size() > 1 && pressers_[1] == i) {
    *cap = 0.8 * p.max_speed_mps;
    const Vec2 goal(-s * hl_, 0.0);
    return ball + (goal - ball).normalized() * 5.0;
  }
  // Formation slot, shifted up or back with the ball and compressed around it.
  const bool attacking = possession_team_ == p.team;
  const double bx = s * ball.x() / hl_;
  const double fx = p.anchor.x();
  double tx = attacking ? 0.55 * fx + 0.5 * bx + 0.3 : 0.5 * fx + 0.55 * bx - 0.05;
  tx = std::clamp(tx, -0.92, 0.9);
  const double ty = p.anchor.y() * hw_ * (attacking ? 0.8 : 0.55) + ball.y() * (attacking ? 0.25 : 0.4);
  Vec2 t(s * tx * hl_, ty);
  if (std::find(supporters_.begin(), supporters_.end(), i) != supporters_.end() && owner_ >= 0) {
    const Person& o = people_[owner_];
    const double side = p.pos.y() > o.pos.y() ? 1.0 : -1.0;
    t = 0.5 * t + 0.5 * (o.pos + Vec2(s * 5.0, side * 9.0));
  }
  t += p.wander;
  t = clamp_in(t, 1.0);
  *cap = jog_cap(t);
  return t;
}

void MatchSim::move(double dt) {
  // Roles from the ball situation.
  pressers_.clear();
  supporters_.clear();
  chasers_.clear();
  const int defending = 1 - possession_team_;
  if (mode_ == BallMode::kLoose) {
    for (int team = 0; team < 2; ++team) chasers_.push_back(nearest(ball_pos_, team, true));
  } else {
    const int a = nearest(ball_pos_, defending, true);
    if (a >= 0) {
      pressers_.push_back(a);
      const int b = nearest(ball_pos_, defending, true, a);
      if (b >= 0) pressers_.push_back(b);
    }
    if (mode_ == BallMode::kOwned) {
      const int a2 = nearest(ball_pos_, possession_team_, true, owner_);
      if (a2 >= 0) {
        supporters_.push_back(a2);
        int b2 = -1;
        double best = 1e18;
        for (int k = 0; k < 22; ++k) {
          const Person& q = people_[k];
          if (k == owner_ || k == a2 || q.team != possession_team_ || q.role != Role::kPlayer) continue;
          const double d = (q.pos - ball_pos_).squaredNorm();
          if (d < best) best = d, b2 = k;
        }
        if (b2 >= 0) supporters_.push_back(b2);
      }
    }
  }

  const int n = static_cast<int>(people_.size());
  std::vector<Vec2> desired(n);
  for (int i = 0; i < n; ++i) {
    Person& p = people_[i];
    // Slowly drifting personal offset, so the shape is never rigid.
    p.wander_timer -= dt;
    if (p.wander_timer <= 0.0) {
      p.wander_goal = Vec2(rng_.uniform(-4.0, 4.0), rng_.uniform(-3.0, 3.0));
      p.wander_timer = rng_.uniform(2.0, 5.0);
    }
    p.wander += limit(p.wander_goal - p.wander, 1.0 * dt);
    double cap = 0.0;
    const Vec2 t = target_of(i, &cap);
    const Vec2 to = t - p.pos;
    const double d = to.norm();
    // Arrive: slow down near the target (0.9 s to cover the remaining distance at most).
    Vec2 v = d > 1e-6 ? Vec2(to / d * std::min(cap, d / 0.9)) : Vec2::Zero();
    // Keep a little personal space.
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      const Vec2 away = p.pos - people_[j].pos;
      const double dist = away.norm();
      if (dist < 1.0 && dist > 1e-6) v += away / dist * (1.0 - dist) * 2.0;
    }
    desired[i] = v;
  }
  for (int i = 0; i < n; ++i) {
    Person& p = people_[i];
    const Vec2 dv = limit(desired[i] - p.vel, p.max_accel_mps2 * dt);
    // Projection onto the speed ball is non-expansive, so |v_new - v_old| <= |dv| still holds.
    p.vel = limit(p.vel + dv, p.max_speed_mps);
    p.pos += p.vel * dt;
    const double speed = p.vel.norm();
    const double stride = 1.1 + 0.12 * speed;  // metres per step pair
    p.gait_phase = std::fmod(p.gait_phase + speed * dt / stride * 2.0 * 3.14159265, 2.0 * 3.14159265);
  }
}

void MatchSim::step(double dt) {
  time_s_ += dt;
  move(dt);
  update_ball(dt);
}

}  // namespace pitchtrack::synth
