#include "pitchtrack/track/ball_tracker.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace pitchtrack {
namespace {

Detection ball(float cx, float cy, float score = 0.8f, float size = 12.0f) {
  return {BoxXyxy::from_cxcywh(cx, cy, size, size), score, ObjectClass::kBall};
}

FrameContext ctx(int64_t frame, bool cut = false) {
  FrameContext c;
  c.frame_index = frame;
  c.camera_cut = cut;
  return c;
}

std::unique_ptr<BallTracker> make(BallTrackerConfig c = {}) {
  auto r = BallTracker::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

// A lofted pass in the image: constant x speed, y a parabola (up, then down).
std::array<float, 2> path(int f) {
  const float t = static_cast<float>(f);
  return {200.0f + 9.0f * t, 560.0f - 14.0f * t + 0.25f * t * t};
}

TEST(BallTracker, FollowsAParabolaThroughClutterAndDropouts) {
  BallTrackerConfig cfg;
  auto bt = make(cfg);
  std::mt19937_64 rng(42);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::uniform_real_distribution<float> uni(0.0f, 1.0f);
  int matched = 0, interpolated = 0, missing = 0;
  for (int f = 0; f < 100; ++f) {
    const auto p = path(f);
    const bool dropout = (f >= 30 && f < 36) || (f >= 60 && f < 63);
    std::vector<Detection> dets;
    // Clutter: up to two false balls (heads, socks, the penalty spot) far from the true ball,
    // often with a higher score than the ball.
    const int clutter = f == 0 ? 0 : static_cast<int>(uni(rng) * 3.0f);
    for (int k = 0; k < clutter; ++k) {
      float x = 0, y = 0;
      do {
        x = uni(rng) * 1280.0f;
        y = uni(rng) * 720.0f;
      } while (std::hypot(x - p[0], y - p[1]) < 320.0f);
      dets.push_back(ball(x, y, 0.5f + 0.45f * uni(rng)));
    }
    if (f > 0 && f % 7 == 0)
      dets.push_back({BoxXyxy::from_cxcywh(p[0], p[1], 40, 90), 0.9f, ObjectClass::kPlayer});
    int truth = -1;
    if (!dropout) {
      truth = static_cast<int>(dets.size());
      dets.push_back(ball(p[0] + noise(rng), p[1] + noise(rng), 0.4f + 0.3f * uni(rng)));
    }
    const auto out = bt->update(dets, ctx(f));
    ASSERT_TRUE(out.has_value()) << "frame " << f;
    EXPECT_FALSE(out->pitch_m.has_value());
    EXPECT_TRUE(out->ground_projected);
    if (truth >= 0) {
      EXPECT_FALSE(out->interpolated) << "frame " << f;
      EXPECT_EQ(out->box_px, dets[static_cast<size_t>(truth)].box_px) << "wrong pick at frame " << f;
      EXPECT_EQ(bt->frames_since_match(), 0);
      ++matched;
      missing = 0;
    } else {
      EXPECT_TRUE(out->interpolated) << "frame " << f;
      // Constant-velocity extrapolation of a curved path: the error grows ~ a k^2 / 2 (a = 0.5 px/frame^2).
      ++missing;
      EXPECT_LT(std::hypot(out->box_px.cx() - p[0], out->box_px.cy() - p[1]), 4.0 + 0.6 * missing * missing)
          << "frame " << f;
      EXPECT_LT(out->score, 0.7f);
      ++interpolated;
    }
  }
  EXPECT_EQ(matched, 91);
  EXPECT_EQ(interpolated, 9);
}

TEST(BallTracker, GapsLongerThanMaxGapReportNothingThenReacquire) {
  BallTrackerConfig cfg;
  cfg.max_gap_frames = 4;
  cfg.reacquire_frames = 6;
  auto bt = make(cfg);
  for (int f = 0; f < 10; ++f) ASSERT_TRUE(bt->update(std::vector{ball(100.0f + 5 * f, 300)}, {}));
  for (int k = 1; k <= 4; ++k) {
    auto out = bt->update({}, {});
    ASSERT_TRUE(out.has_value()) << k;
    EXPECT_TRUE(out->interpolated);
    EXPECT_NEAR(out->box_px.cx(), 145.0f + 5 * k, 1.0f);
    EXPECT_EQ(bt->frames_since_match(), k);
  }
  EXPECT_FALSE(bt->update({}, {}).has_value());  // 5th missing frame
  EXPECT_TRUE(bt->has_track());
  // A far candidate is refused until reacquire_frames frames have been missed...
  EXPECT_FALSE(bt->update(std::vector{ball(900, 600, 0.9f)}, {}).has_value());  // 5 missed so far
  auto out = bt->update(std::vector{ball(900, 600, 0.9f)}, {});                 // 6 missed: taken
  ASSERT_TRUE(out.has_value());
  EXPECT_FALSE(out->interpolated);
  EXPECT_FLOAT_EQ(out->box_px.cx(), 900.0f);
  EXPECT_EQ(bt->frames_since_match(), 0);
}

TEST(BallTracker, FarSpuriousCandidateRejectedWhileTracking) {
  auto bt = make();
  for (int f = 0; f < 5; ++f) ASSERT_TRUE(bt->update(std::vector{ball(400.0f + 4 * f, 300)}, {}));
  // The ball is missed and a confident false ball appears far away: not taken.
  auto out = bt->update(std::vector{ball(1100, 100, 0.99f)}, {});
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->interpolated);
  EXPECT_NEAR(out->box_px.cx(), 420.0f, 2.0f);
}

TEST(BallTracker, PicksTheCandidateNearThePrediction) {
  auto bt = make();
  for (int f = 0; f < 8; ++f) ASSERT_TRUE(bt->update(std::vector{ball(300.0f + 6 * f, 200)}, {}));
  // Two gated candidates: the one on the path wins over a slightly better-scored one 25 px off.
  const std::vector<Detection> two{ball(348, 225, 0.85f), ball(348, 200, 0.8f)};
  auto out = bt->update(two, {});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->box_px, two[1].box_px);
}

TEST(BallTracker, StartsOnlyFromAConfidentCandidate) {
  auto bt = make();
  EXPECT_FALSE(bt->update(std::vector{ball(100, 100, 0.2f)}, {}).has_value());
  EXPECT_FALSE(bt->has_track());
  EXPECT_EQ(bt->frames_since_match(), -1);
  // Non-ball classes are ignored.
  EXPECT_FALSE(bt->update(std::vector<Detection>{{BoxXyxy{0, 0, 10, 10}, 0.9f, ObjectClass::kPlayer}}, {}));
  auto out = bt->update(std::vector{ball(100, 100, 0.2f), ball(500, 400, 0.6f)}, {});
  ASSERT_TRUE(out.has_value());
  EXPECT_FLOAT_EQ(out->box_px.cx(), 500.0f);
  // Once tracking, a weak detection near the prediction continues the track.
  out = bt->update(std::vector{ball(502, 401, 0.15f)}, {});
  ASSERT_TRUE(out.has_value());
  EXPECT_FALSE(out->interpolated);
  EXPECT_FLOAT_EQ(out->score, 0.15f);
}

TEST(BallTracker, CameraCutResets) {
  auto bt = make();
  for (int f = 0; f < 5; ++f) ASSERT_TRUE(bt->update(std::vector{ball(400.0f + 4 * f, 300)}, {}));
  // Cut without a ball: nothing reported, no interpolation across the cut.
  EXPECT_FALSE(bt->update({}, ctx(0, true)).has_value());
  EXPECT_FALSE(bt->has_track());
  // Cut with a ball anywhere: taken at once.
  for (int f = 0; f < 5; ++f) ASSERT_TRUE(bt->update(std::vector{ball(400.0f + 4 * f, 300)}, {}));
  auto out = bt->update(std::vector{ball(1000, 650, 0.5f)}, ctx(0, true));
  ASSERT_TRUE(out.has_value());
  EXPECT_FALSE(out->interpolated);
  EXPECT_FLOAT_EQ(out->box_px.cx(), 1000.0f);
}

TEST(BallTracker, CameraMotionIsAppliedToThePrediction) {
  // The ball lies still on the grass while the camera pans and zooms slowly: in the image it
  // drifts; with the camera motion given, the prediction over a gap follows the image.
  auto bt = make();
  const double s = 1.01, tx = -12.0, ty = 3.0;
  const std::array<double, 6> affine{s, 0, tx, 0, s, ty};
  double x = 700, y = 400;
  for (int f = 0; f < 30; ++f) {
    FrameContext c = ctx(f);
    if (f > 0) {
      c.camera_motion = affine;
      x = s * x + tx;
      y = s * y + ty;
    }
    const bool gap = f >= 20;
    std::vector<Detection> dets;
    if (!gap) dets.push_back(ball(static_cast<float>(x), static_cast<float>(y)));
    auto out = bt->update(dets, c);
    ASSERT_TRUE(out.has_value()) << f;
    if (gap) {
      EXPECT_TRUE(out->interpolated);
      EXPECT_NEAR(out->box_px.cx(), x, 2.0) << f;
      EXPECT_NEAR(out->box_px.cy(), y, 2.0) << f;
      EXPECT_NEAR(out->box_px.width(), 12.0 * std::pow(s, f - 19), 0.5) << f;
    }
  }
}

TEST(BallTracker, ASpotDetectedEveryFrameIsAFixedObjectNotTheBall) {
  // A high camera: the penalty spot is scored as a ball in every frame, better than the ball. The
  // real ball comes into view at frame 120, moving. Before static_frames the spot is all there
  // is and is reported; once it has sat still that long it is ignored, and the ball is taken.
  BallTrackerConfig cfg;
  auto bt = make(cfg);
  const Detection spot = ball(640, 500, 0.62f, 8.0f);
  for (int f = 0; f < 200; ++f) {
    std::vector<Detection> dets{spot};
    const float bx = 300.0f + 5.0f * static_cast<float>(f - 120);
    if (f >= 120) dets.push_back(ball(bx, 200, 0.45f, 8.0f));
    const auto out = bt->update(dets, ctx(f));
    if (f < cfg.static_frames) {
      ASSERT_TRUE(out.has_value()) << f;
      EXPECT_FALSE(out->interpolated) << f;
      EXPECT_FLOAT_EQ(out->box_px.cx(), 640.0f) << f;
    } else if (f >= cfg.static_frames + cfg.max_gap_frames && f < 120) {
      EXPECT_FALSE(out.has_value()) << "frame " << f << ": the fixed spot is still reported";
    } else if (f >= 120) {
      ASSERT_TRUE(out.has_value()) << f;
      EXPECT_FALSE(out->interpolated) << f;
      EXPECT_FLOAT_EQ(out->box_px.cx(), bx) << f;
    }
  }
}

TEST(BallTracker, AFixedObjectIsFoundUnderAPanningCamera) {
  // The spot moves in the image with the camera; with the camera motion given it is still one
  // spot of the scene.
  auto bt = make();
  const std::array<double, 6> pan{1, 0, -6.0, 0, 1, 1.0};
  double x = 1100, y = 400;
  int reported = 0;
  for (int f = 0; f < 150; ++f) {
    FrameContext c = ctx(f);
    if (f > 0) {
      c.camera_motion = pan;
      x += pan[2];
      y += pan[5];
    }
    if (bt->update(std::vector{ball(static_cast<float>(x), static_cast<float>(y), 0.6f, 8.0f)}, c))
      ++reported;
  }
  EXPECT_EQ(reported, 75 + 10);  // static_frames, then max_gap_frames of prediction
}

TEST(BallTracker, ABallAtRestBrieflyThenKickedIsOneTrack) {
  auto bt = make();
  for (int f = 0; f < 110; ++f) {
    const float x = f < 60 ? 500.0f : 500.0f + 7.0f * static_cast<float>(f - 60);
    const auto out = bt->update(std::vector{ball(x, 300, 0.5f, 8.0f)}, ctx(f));
    ASSERT_TRUE(out.has_value()) << f;
    EXPECT_FALSE(out->interpolated) << f;
    EXPECT_FLOAT_EQ(out->box_px.cx(), x) << f;
  }
}

TEST(BallTracker, ConfigValidationNamesTheField) {
  auto expect_bad = [](BallTrackerConfig c, const std::string& field) {
    auto r = BallTracker::create(c);
    ASSERT_FALSE(r.is_ok()) << field;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  };
  BallTrackerConfig c;
  c.min_score = 1.5f;
  expect_bad(c, "ball.min_score");
  c = {};
  c.acquire_score = 0.05f;
  expect_bad(c, "ball.acquire_score");
  c = {};
  c.max_gap_frames = -1;
  expect_bad(c, "ball.max_gap_frames");
  c = {};
  c.max_lost_frames = 3;
  expect_bad(c, "ball.max_lost_frames");
  c = {};
  c.gate_px = 0;
  expect_bad(c, "ball.gate_px");
  c = {};
  c.max_gate_px = 10;
  expect_bad(c, "ball.max_gate_px");
  c = {};
  c.std_acceleration_px = 0;
  expect_bad(c, "ball.std_acceleration_px");
  c = {};
  c.size_smoothing = 0;
  expect_bad(c, "ball.size_smoothing");
  c = {};
  c.static_radius_px = 0;
  expect_bad(c, "ball.static_radius_px");
  c = {};
  c.static_forget_frames = 0;
  expect_bad(c, "ball.static_forget_frames");
  EXPECT_TRUE(BallTracker::create({}).is_ok());
}

}  // namespace
}  // namespace pitchtrack
