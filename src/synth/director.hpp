// CameraDirector: the broadcast camera operator.
//
// The main camera stands high in the main stand level with the halfway line (30-40 m behind
// the near touchline, 14-20 m up, chosen from the seed) and pans, tilts and zooms to follow
// play: its aim point on the grass follows the ball (with a little lead) through a critically
// damped spring, and its horizontal field of view frames the players around the ball
// (18-45 degrees, rate-limited). With cuts enabled it now and then switches to a close-up
// camera (a lower camera on the near side, 13-22 degrees, following one player) for a few
// seconds and back; the main camera keeps tracking play meanwhile, so the return is seamless.
// Deterministic for its Rng.
#pragma once

#include "synth/camera.hpp"
#include "synth/match_sim.hpp"
#include "synth/rng.hpp"

namespace pitchtrack::synth {

enum class ShotKind { kWide, kCloseUp };
const char* shot_name(ShotKind k);

struct Shot {
  ShotKind kind = ShotKind::kWide;
  bool cut = false;             // this frame starts a new shot
  double pan_px_per_frame = 0;  // horizontal image motion of the scene (for motion blur); 0 on cuts
};

class CameraDirector {
 public:
  struct Config {
    int width = 1920;
    int height = 1080;
    bool cuts = false;
  };
  CameraDirector(const Config& config, const MatchSim& sim, Rng rng);

  // Advances by dt and returns the camera for the new frame.
  Camera update(const MatchSim& sim, double dt, Shot* shot);

  const Vec3& main_position() const { return main_pos_; }

 private:
  Camera main_camera() const;
  Camera close_camera() const;
  void track_main(const MatchSim& sim, double dt);
  void track_close(const MatchSim& sim, double dt);
  void start_close_up(const MatchSim& sim);

  Config config_;
  Rng rng_;
  double hl_, hw_;
  Vec3 main_pos_;
  Vec2 aim_ = Vec2::Zero(), aim_vel_ = Vec2::Zero();
  double hfov_ = 0.6;
  // Close-up state.
  ShotKind kind_ = ShotKind::kWide;
  double shot_time_ = 0.0, shot_length_ = 0.0, next_cut_ = 0.0, time_ = 0.0;
  int subject_ = -1;
  Vec3 close_pos_ = Vec3::Zero();
  Vec3 close_aim_ = Vec3::Zero(), close_aim_vel_ = Vec3::Zero();
  double close_hfov_ = 0.3;
  double last_pan_ = 0.0;
  bool has_last_ = false;
};

}  // namespace pitchtrack::synth
