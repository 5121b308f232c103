// Per-frame cost of the stages after detection: tracker + ball tracker + team classifier +
// projection to the pitch, for a scene of 30 objects (the budget: <= 0.5 ms per frame).
// As in the pipeline, once the team model is fitted each detection's team colour evidence is
// computed before the tracker runs (detection_team_evidence), then the tracks vote.
//   BM_TrackTeamProject/30  22 players and 2 goalkeepers in two kit colours, 3 referees, 3
//                           false positives and a ball, moving smoothly on a 1280x720 frame
//                           (drawn once: grass with the players' kits), static homography.
//                           The team classifier is fitted during the 150 warm-up frames (its
//                           fit is a one-off cost at the start of a match, not in the figure).
// Each iteration is one frame; detections move by up to ~4 px per frame with 1 px noise.
//   BM_FinishTracks/N/C     the offline finishing of a file run's tracks over N frames of that
//                           scene (27 people wandering, so they meet often): stitch_tracklets,
//                           interpolate_gaps, resolve_crossings. One iteration is the whole run;
//                           N = 135000 is a 90-minute match at 25 fps; C = 0 leaves the
//                           crossings out.
// Numbers and machine in docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "pitchtrack/pitch/calibrator.hpp"
#include "pitchtrack/team/team_classifier.hpp"
#include "pitchtrack/track/ball_tracker.hpp"
#include "pitchtrack/track/interpolation.hpp"
#include "pitchtrack/track/stitching.hpp"
#include "pitchtrack/track/tracker.hpp"

namespace {

using namespace pitchtrack;

struct Object {
  double x, y, vx, vy, h;  // foot point px, px/frame, box height px
  ObjectClass cls;
  int kit;  // 0, 1 team kits, 2 referee, 3 keeper
};

constexpr int kW = 1280, kH = 720;

struct Scene {
  std::vector<Object> objects;
  Frame frame;
  std::mt19937 rng{7};

  explicit Scene(int n) {
    std::uniform_real_distribution<double> ux(80, kW - 80), uy(200, kH - 20), uv(-3, 3);
    for (int i = 0; i < n - 4; ++i) {
      Object o{ux(rng), uy(rng), uv(rng), uv(rng) * 0.4, 0, ObjectClass::kPlayer, i % 2};
      if (i >= 24) o.cls = ObjectClass::kReferee, o.kit = 2;
      if (i == 22 || i == 23) o.cls = ObjectClass::kGoalkeeper, o.kit = 3;
      o.h = 40 + 50 * (o.y - 200) / (kH - 200);
      objects.push_back(o);
    }
    // draw: grass, and a kit-coloured blob wherever a player can be (the objects wander, so the
    // frame is a field of vertical kit stripes: torso samples always hit a kit colour)
    MutableFrame m(kW, kH);
    for (int y = 0; y < kH; ++y) {
      uint8_t* row = m.row(y);
      for (int x = 0; x < kW; ++x) {
        const int band = (x / 24) % 4;
        const bool kit = ((y / 12) % 3) != 0;
        uint8_t b = 40, g = 140, r = 50;                // grass
        if (kit && band == 0) b = 200, g = 40, r = 30;  // blue team
        if (kit && band == 2) b = 30, g = 30, r = 210;  // red team
        if (kit && band == 1) b = 20, g = 20, r = 20;   // referee black
        row[3 * x] = b, row[3 * x + 1] = g, row[3 * x + 2] = r;
      }
    }
    frame = std::move(m).freeze();
  }

  void step(std::vector<Detection>& persons, std::vector<Detection>& balls, int64_t t) {
    std::normal_distribution<float> noise(0, 1);
    persons.clear();
    balls.clear();
    for (auto& o : objects) {
      o.x += o.vx;
      o.y += o.vy;
      if (o.x < 40 || o.x > kW - 40) o.vx = -o.vx;
      if (o.y < 150 || o.y > kH - 5) o.vy = -o.vy;
      const float w = static_cast<float>(o.h * 0.4);
      const float x = static_cast<float>(o.x) + noise(rng), y = static_cast<float>(o.y) + noise(rng);
      persons.push_back({{x - w / 2, y - static_cast<float>(o.h), x + w / 2, y}, 0.8f, o.cls});
    }
    for (int k = 0; k < 3; ++k) {  // clutter: false positives at random places
      std::uniform_real_distribution<float> fx(0, kW - 30), fy(150, kH - 60);
      const float x = fx(rng), y = fy(rng);
      persons.push_back({{x, y, x + 18, y + 45}, 0.45f, ObjectClass::kPlayer});
    }
    const float bx = static_cast<float>(640 + 300 * std::sin(t * 0.03)),
                by = static_cast<float>(400 + 100 * std::cos(t * 0.05));
    balls.push_back({{bx - 4, by - 4, bx + 4, by + 4}, 0.7f, ObjectClass::kBall});
  }
};

Homography broadcast_homography() {
  // maps the 1280x720 image to a 105 x 68 pitch region seen from a main camera (a fixed,
  // invertible projective map; the value is irrelevant for timing, only that project() works)
  return {0.08, 0.02, -3.0, 0.0, 0.15, -20.0, 0.0, 0.0004, 1.0};
}

void BM_TrackTeamProject(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Scene scene(n - 3);  // n objects = people + 3 false positives
  auto tracker = Tracker::create({}).value();
  auto ball = BallTracker::create({}).value();
  auto teams = TeamClassifier::create({}).value();
  CalibratorConfig cc;
  cc.mode = "static";
  cc.static_homography = broadcast_homography();
  cc.image = {kW, kH};
  auto calib = PitchCalibrator::create(cc);
  if (!calib.is_ok()) {
    state.SkipWithError(calib.status().to_string().c_str());
    return;
  }
  const Homography H = broadcast_homography();
  std::vector<Detection> persons, balls;
  std::vector<Track> det_boxes;
  std::vector<float> evidence;
  int64_t t = 0;
  auto one_frame = [&] {
    scene.step(persons, balls, t);
    FrameContext ctx;
    ctx.frame_index = t;
    ctx.pts_us = t * 40000;
    (void)detection_team_evidence(*teams, scene.frame, persons, det_boxes, evidence);  // as the pipeline
    ctx.team_evidence = evidence;
    std::vector<Track> tracks = tracker->update(persons, ctx);
    auto b = ball->update(balls, ctx);
    (void)teams->assign(scene.frame, tracks, TeamFrameInfo{t, false});
    for (Track& tr : tracks) {
      const auto foot = tr.box_px.foot();
      tr.pitch_m = (*calib)->project(H, foot[0], foot[1]);
    }
    if (b) b->pitch_m = (*calib)->project(H, b->box_px.foot()[0], b->box_px.foot()[1]);
    ++t;
    return tracks.size();
  };
  for (int i = 0; i < 150; ++i) one_frame();  // warm-up: tracks confirmed, team model fitted
  size_t tracks = 0;
  for (auto _ : state) {
    tracks = one_frame();
    benchmark::DoNotOptimize(tracks);
  }
  state.counters["tracks"] = static_cast<double>(tracks);
  state.counters["team_fitted"] = teams->fitted() ? 1 : 0;
}
BENCHMARK(BM_TrackTeamProject)->Arg(30)->Unit(benchmark::kMicrosecond);

void BM_FinishTracks(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  Scene scene(27);
  StitchConfig sc;
  if (state.range(1) == 0) sc.crossing_iou = 0;  // crossings off, for their share of the time
  auto tracker = Tracker::create(tracker_config_before_stitching({}, sc)).value();
  std::vector<std::vector<Track>> frames(n);
  std::vector<Detection> persons, balls;
  for (size_t t = 0; t < n; ++t) {
    scene.step(persons, balls, static_cast<int64_t>(t));
    FrameContext ctx;
    ctx.frame_index = static_cast<int64_t>(t);
    ctx.pts_us = static_cast<int64_t>(t) * 40000;
    for (const Track& tr : tracker->update(persons, ctx)) {
      if (tr.track_id >= 1) frames[t].push_back(tr);  // ids only for confirmed tracks, as written
    }
  }
  int exchanged = 0;
  for (auto _ : state) {
    auto out = interpolate_gaps(stitch_tracklets(frames, sc), 20);
    exchanged = resolve_crossings(out, sc);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["exchanges"] = exchanged;
}
BENCHMARK(BM_FinishTracks)
    ->Args({15000, 1})
    ->Args({135000, 1})
    ->Args({135000, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
