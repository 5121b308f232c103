#include "pitchtrack/pitch/calibrator.hpp"

#include <gtest/gtest.h>

#include <random>

#include "pitchtrack/pitch/calibration_error.hpp"
#include "unit/pitch/synthetic_camera.hpp"

namespace pitchtrack {
namespace {

using testing::max_abs_diff;
using testing::SyntheticCamera;

constexpr ImageSize kImage{1280, 720};

PitchModel pitch() { return PitchModel::create().value(); }

// The keypoints the camera sees, with optional pixel noise.
std::vector<PitchKeypoint> keypoints(const SyntheticCamera& cam, std::mt19937_64* rng = nullptr,
                                     double sigma = 0) {
  std::normal_distribution<double> n(0.0, sigma > 0 ? sigma : 1.0);
  std::vector<PitchKeypoint> out;
  const auto m = pitch();
  for (int k = 0; k < PitchModel::kNumKeypoints; ++k) {
    const auto q = cam.project(m.keypoint(k).x_m, m.keypoint(k).y_m);
    if (!q || !cam.in_image(*q)) continue;
    double x = q->x(), y = q->y();
    if (rng && sigma > 0) {
      x += n(*rng);
      y += n(*rng);
    }
    out.push_back({k, static_cast<float>(x), static_cast<float>(y), 0.9f});
  }
  return out;
}

std::unique_ptr<PitchCalibrator> make(CalibratorConfig c = {}) {
  auto r = PitchCalibrator::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : nullptr;
}

double grid_error(const CalibrationResult& r, const SyntheticCamera& cam) {
  if (!r.image_to_pitch) return 1e9;
  return pitch_grid_error(*r.image_to_pitch, cam.image_to_pitch(), pitch(), kImage).value().mean_m;
}

TEST(Calibrator, StaticFromFourPointPairs) {
  const SyntheticCamera cam;
  CalibratorConfig c;
  c.mode = "static";
  c.image = kImage;
  for (const PitchPoint p :
       {PitchPoint{-20, -20}, PitchPoint{20, -20}, PitchPoint{20, 20}, PitchPoint{-20, 20}}) {
    const auto q = cam.project(p.x_m, p.y_m).value();
    c.static_points.push_back({q.x(), q.y(), p});
  }
  auto cal = make(c);
  ASSERT_TRUE(cal);
  const auto r = cal->update({}, kImage, 0, false);
  ASSERT_TRUE(r.image_to_pitch.has_value());
  EXPECT_DOUBLE_EQ(r.quality, 1.0);
  EXPECT_EQ(r.inliers, 4);
  EXPECT_LT(max_abs_diff(*r.image_to_pitch, cam.image_to_pitch()), 1e-9);
  const auto q = cam.project(3.0, 4.0).value();
  const auto p = cal->project(*r.image_to_pitch, q.x(), q.y());
  ASSERT_TRUE(p.has_value());
  EXPECT_NEAR(p->x_m, 3.0, 1e-6);
  EXPECT_NEAR(p->y_m, 4.0, 1e-6);
}

TEST(Calibrator, StaticFromHomography) {
  const SyntheticCamera cam;
  CalibratorConfig c;
  c.mode = "static";
  Homography h = cam.image_to_pitch();
  for (auto& v : h) v *= -3.0;  // any scale and sign
  c.static_homography = h;
  auto cal = make(c);
  ASSERT_TRUE(cal);
  const auto r = cal->update({}, kImage, 7, true);
  ASSERT_TRUE(r.image_to_pitch.has_value());
  EXPECT_LT(max_abs_diff(*r.image_to_pitch, cam.image_to_pitch()), 1e-12);
}

void expect_config_error(const CalibratorConfig& c, const std::string& field) {
  auto r = PitchCalibrator::create(c);
  ASSERT_FALSE(r.is_ok()) << field;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
}

TEST(Calibrator, BadConfigsNameTheField) {
  CalibratorConfig c;
  c.mode = "magic";
  expect_config_error(c, "calibrator.mode");

  c = {};
  c.pitch.length_m = 10;
  expect_config_error(c, "pitch.length_m");

  c = {};
  c.smoothing_alpha = 0;
  expect_config_error(c, "calibrator.smoothing_alpha");
  c = {};
  c.min_inliers = 3;
  expect_config_error(c, "calibrator.min_inliers");
  c = {};
  c.inlier_threshold_px = -2;
  expect_config_error(c, "calibrator.inlier_threshold_px");
  c = {};
  c.gate_m = 0;
  expect_config_error(c, "calibrator.gate_m");

  c = {};
  c.mode = "static";
  expect_config_error(c, "calibrator.static_homography");  // neither given

  const SyntheticCamera cam;
  c.static_homography = cam.image_to_pitch();
  c.static_points = {{1, 1, {0, 0}}};
  expect_config_error(c, "calibrator.static_points");  // both given

  c.static_homography.reset();
  c.static_points = {{1, 1, {0, 0}}, {2, 1, {1, 0}}, {1, 2, {0, 1}}};
  expect_config_error(c, "calibrator.static_points");  // three pairs

  c.static_points = {{1, 1, {0, 0}}, {2, 2, {1, 0}}, {3, 3, {2, 0}}, {4, 4, {3, 0}}};
  expect_config_error(c, "calibrator.static_points");  // collinear

  // Four good pairs and one swapped: no homography fits them.
  c.static_points.clear();
  for (const PitchPoint p : {PitchPoint{-20, -20}, PitchPoint{20, -20}, PitchPoint{20, 20},
                             PitchPoint{-20, 20}, PitchPoint{0, 0}}) {
    const auto q = cam.project(p.x_m, p.y_m).value();
    c.static_points.push_back({q.x(), q.y(), p});
  }
  std::swap(c.static_points[4].x_px, c.static_points[1].x_px);
  expect_config_error(c, "calibrator.static_points");

  c.static_points.clear();
  Homography mirrored = cam.image_to_pitch();
  for (size_t i = 0; i < 3; ++i) mirrored[i] = -mirrored[i];
  c.static_homography = mirrored;
  expect_config_error(c, "calibrator.static_homography");
}

TEST(Calibrator, AutoFromKeypoints) {
  SyntheticCamera cam;
  cam.target = {-30.0, 0.0, 0.0};
  auto cal = make();
  ASSERT_TRUE(cal);
  const auto kps = keypoints(cam);
  ASSERT_GE(kps.size(), 8u);
  const auto r = cal->update(kps, kImage, 0, false);
  ASSERT_TRUE(r.image_to_pitch.has_value());
  EXPECT_TRUE(r.reset);
  EXPECT_EQ(r.inliers, static_cast<int>(kps.size()));
  EXPECT_LT(r.reprojection_error_px, 1e-3);  // float keypoints
  EXPECT_GT(r.quality, 0.7);
  EXPECT_LE(r.quality, 1.0);
  EXPECT_LT(grid_error(r, cam), 1e-4);
}

TEST(Calibrator, OutlierKeypointIsIgnored) {
  SyntheticCamera cam;
  cam.target = {-30.0, 0.0, 0.0};
  auto cal = make();
  auto kps = keypoints(cam);
  kps.push_back({21, 900.0f, 300.0f, 0.95f});  // right penalty spot, wrongly found on the left half
  kps.push_back({2, 10.0f, 10.0f, 0.1f});      // below the confidence threshold: ignored
  const auto r = cal->update(kps, kImage, 0, false);
  ASSERT_TRUE(r.image_to_pitch.has_value());
  EXPECT_EQ(r.inliers, static_cast<int>(kps.size()) - 2);
  EXPECT_LT(grid_error(r, cam), 1e-4);
}

TEST(Calibrator, TooFewKeypointsGiveNoHomography) {
  const SyntheticCamera cam;
  auto cal = make();
  auto kps = keypoints(cam);
  kps.resize(4);  // fewer than min_inliers (5)
  const auto r = cal->update(kps, kImage, 0, false);
  EXPECT_FALSE(r.image_to_pitch.has_value());
  EXPECT_EQ(r.quality, 0.0);
  // Mirrored (left/right swapped) keypoints never give a homography either.
  auto swapped = keypoints(cam);
  for (auto& k : swapped) {
    static const int flip[32] = {24, 25, 26, 27, 28, 29, 22, 23, 21, 17, 18, 19, 20, 13, 14, 15,
                                 16, 9,  10, 11, 12, 8,  6,  7,  0,  1,  2,  3,  4,  5,  31, 30};
    k.id = flip[k.id];
  }
  EXPECT_FALSE(cal->update(swapped, kImage, 1, false).image_to_pitch.has_value());
}

TEST(Calibrator, SmoothingReducesNoiseAndFollowsAPan) {
  std::mt19937_64 rng(11);
  auto cal = make();
  CalibratorConfig unsmoothed;
  unsmoothed.smoothing_alpha = 1.0;
  unsmoothed.smoothing_beta = 0.0;
  auto raw = make(unsmoothed);
  double err_smooth = 0, err_raw = 0;
  int n = 0;
  for (int f = 0; f < 60; ++f) {
    SyntheticCamera cam;
    cam.target = {-30.0 + 0.4 * f, 0.0, 0.0};  // panning 0.4 m per frame (10 m/s at 25 fps)
    const auto kps = keypoints(cam, &rng, 1.5);
    const auto a = cal->update(kps, kImage, f, false);
    const auto b = raw->update(kps, kImage, f, false);
    ASSERT_TRUE(a.image_to_pitch.has_value()) << f;
    ASSERT_TRUE(b.image_to_pitch.has_value()) << f;
    EXPECT_EQ(a.reset, f == 0) << f;
    if (f >= 10) {  // after the filter has locked on to the pan
      err_smooth += grid_error(a, cam);
      err_raw += grid_error(b, cam);
      ++n;
    }
  }
  err_smooth /= n;
  err_raw /= n;
  EXPECT_LT(err_smooth, 0.85 * err_raw) << "smoothed " << err_smooth << " m, raw " << err_raw << " m";
  EXPECT_LT(err_smooth, 0.5);
}

TEST(Calibrator, CameraCutResetsTheFilter) {
  auto cal = make();
  SyntheticCamera a;
  a.target = {-30.0, 0.0, 0.0};
  SyntheticCamera b;
  b.target = {30.0, 5.0, 0.0};
  b.focal_px = 2000;
  for (int f = 0; f < 10; ++f) ASSERT_TRUE(cal->update(keypoints(a), kImage, f, false).image_to_pitch);
  // A cut: the new view is taken at once, no blending with the old one.
  const auto r = cal->update(keypoints(b), kImage, 10, true);
  ASSERT_TRUE(r.image_to_pitch.has_value());
  EXPECT_TRUE(r.reset);
  EXPECT_LT(grid_error(r, b), 1e-4);
  const auto r2 = cal->update(keypoints(b), kImage, 11, false);
  EXPECT_FALSE(r2.reset);
  EXPECT_LT(grid_error(r2, b), 1e-4);
}

TEST(Calibrator, UnflaggedJumpIsRejectedThenReacquired) {
  CalibratorConfig c;
  c.reacquire_frames = 3;
  auto cal = make(c);
  SyntheticCamera a;
  a.target = {-30.0, 0.0, 0.0};
  SyntheticCamera b;
  b.target = {30.0, 5.0, 0.0};
  for (int f = 0; f < 5; ++f) ASSERT_TRUE(cal->update(keypoints(a), kImage, f, false).image_to_pitch);
  // No cut flag: the first two frames of the new view disagree with the track and give nothing.
  EXPECT_FALSE(cal->update(keypoints(b), kImage, 5, false).image_to_pitch.has_value());
  EXPECT_FALSE(cal->update(keypoints(b), kImage, 6, false).image_to_pitch.has_value());
  const auto r = cal->update(keypoints(b), kImage, 7, false);
  ASSERT_TRUE(r.image_to_pitch.has_value());
  EXPECT_TRUE(r.reset);
  EXPECT_LT(grid_error(r, b), 1e-4);
}

TEST(Calibrator, ProjectionBehindCameraOrFarOutsideIsEmpty) {
  const SyntheticCamera cam;
  auto cal = make();
  const Homography h = cam.image_to_pitch();
  EXPECT_FALSE(cal->project(h, 640.0, -5000.0).has_value());  // sky: above the horizon
  const auto far = cam.project(0.0, -34.0 - 40.0).value();    // 40 m beyond the far touchline
  EXPECT_FALSE(cal->project(h, far.x(), far.y()).has_value());
  const auto near = cam.project(0.0, -34.0 - 5.0).value();  // 5 m outside: within the margin
  EXPECT_TRUE(cal->project(h, near.x(), near.y()).has_value());
  const auto foot = cam.project(12.0, 7.0).value();
  const auto p = cal->project(h, foot.x(), foot.y());
  ASSERT_TRUE(p.has_value());
  EXPECT_NEAR(p->x_m, 12.0, 1e-6);
  EXPECT_NEAR(p->y_m, 7.0, 1e-6);
}

}  // namespace
}  // namespace pitchtrack
