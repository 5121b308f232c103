#include "pitchtrack/pitch/homography.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "pitchtrack/pitch/calibration_error.hpp"
#include "unit/pitch/synthetic_camera.hpp"

namespace pitchtrack {
namespace {

using testing::max_abs_diff;
using testing::SyntheticCamera;

PitchModel pitch() { return PitchModel::create().value(); }

std::vector<PointPair> visible_keypoints(const SyntheticCamera& cam) {
  std::vector<PointPair> pairs;
  const PitchModel model = pitch();
  for (const auto& k : model.keypoints()) {
    const auto q = cam.project(k.x_m, k.y_m);
    if (q && cam.in_image(*q)) pairs.push_back({q->x(), q->y(), k});
  }
  return pairs;
}

TEST(Homography, SyntheticCameraIsValid) {
  const SyntheticCamera cam;
  EXPECT_TRUE(validate_homography(cam.image_to_pitch(), pitch(), {}, "test").is_ok());
}

TEST(Homography, DltRecoversExactly) {
  SyntheticCamera cam;
  cam.target = {-30.0, 5.0, 0.0};
  const auto pairs = visible_keypoints(cam);
  ASSERT_GE(pairs.size(), 6u);
  auto h = estimate_homography(pairs);
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_LT(max_abs_diff(*h, cam.image_to_pitch()), 1e-9);
  EXPECT_LT(rms_reprojection_error_px(*h, pairs), 1e-6);
  // exactly 4 pairs (no three collinear) as well
  std::vector<PointPair> four;
  for (const PitchPoint p :
       {PitchPoint{-40, -20}, PitchPoint{-20, -20}, PitchPoint{-20, 20}, PitchPoint{-45, 15}}) {
    const auto q = cam.project(p.x_m, p.y_m).value();
    four.push_back({q.x(), q.y(), p});
  }
  auto h4 = estimate_homography(four);
  ASSERT_TRUE(h4.is_ok()) << h4.status().to_string();
  EXPECT_LT(max_abs_diff(*h4, cam.image_to_pitch()), 1e-9);
}

TEST(Homography, ApplyAndInvertRoundTrip) {
  const SyntheticCamera cam;
  const Homography h = cam.image_to_pitch();
  const auto img = pitch_to_image(h, {10.0, -5.0});
  ASSERT_TRUE(img.has_value());
  const auto back = image_to_pitch(h, img->x_px, img->y_px);
  ASSERT_TRUE(back.has_value());
  EXPECT_NEAR(back->x_m, 10.0, 1e-9);
  EXPECT_NEAR(back->y_m, -5.0, 1e-9);
  auto inv = invert_homography(h);
  ASSERT_TRUE(inv.is_ok());
  auto inv2 = invert_homography(*inv);
  ASSERT_TRUE(inv2.is_ok());
  EXPECT_LT(max_abs_diff(normalize_homography(*inv2), h), 1e-12);
}

TEST(Homography, NormalizationFixesScaleAndSign) {
  const SyntheticCamera cam;
  Homography h = cam.image_to_pitch();
  Homography scaled = h;
  for (auto& v : scaled) v *= -37.0;
  EXPECT_LT(max_abs_diff(normalize_homography(scaled), h), 1e-12);
}

TEST(Homography, PointsAboveTheHorizonAreBehindTheCamera) {
  const SyntheticCamera cam;
  const Homography h = cam.image_to_pitch();
  // The camera looks down 18 degrees: far above the image centre is sky.
  EXPECT_FALSE(image_to_pitch(h, 640.0, -5000.0).has_value());
  EXPECT_TRUE(image_to_pitch(h, 640.0, 600.0).has_value());
  // A pitch point behind the camera has no image.
  EXPECT_FALSE(pitch_to_image(h, {0.0, 200.0}).has_value());
}

TEST(Homography, RansacRejectsOutliers) {
  SyntheticCamera cam;
  cam.target = {20.0, 0.0, 0.0};
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> ux(0.0, 1280.0), uy(0.0, 720.0);
  std::vector<PointPair> pairs;
  std::vector<bool> is_outlier;
  for (double x = -50; x <= 50; x += 5) {
    for (double y = -30; y <= 30; y += 6) {
      const auto q = cam.project(x, y);
      if (!q || !cam.in_image(*q)) continue;
      const bool out = pairs.size() % 4 == 1;  // 25% outliers
      pairs.push_back(out ? PointPair{ux(rng), uy(rng), {x, y}}
                          : PointPair{q->x() + noise(rng), q->y() + noise(rng), {x, y}});
      is_outlier.push_back(out);
    }
  }
  ASSERT_GT(pairs.size(), 40u);
  RansacConfig four_px;
  four_px.inlier_threshold_px = 4.0;
  auto r = estimate_homography_ransac(pairs, four_px);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  int wrong = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const double e = reprojection_error_px(cam.image_to_pitch(), pairs[i]);
    if (is_outlier[i] && e > 6.0) wrong += r->inliers[i] ? 1 : 0;  // an outlier accepted
    if (!is_outlier[i]) wrong += r->inliers[i] ? 0 : 1;            // an inlier refused
  }
  EXPECT_LE(wrong, 2);
  EXPECT_LT(r->rms_error_px, 2.0);
  const auto err = pitch_grid_error(r->image_to_pitch, cam.image_to_pitch(), pitch(), {1280, 720});
  ASSERT_TRUE(err.has_value());
  EXPECT_LT(err->mean_m, 0.3);

  // Deterministic: the same seed gives the same answer.
  auto r2 = estimate_homography_ransac(pairs, four_px);
  ASSERT_TRUE(r2.is_ok());
  EXPECT_EQ(r2->image_to_pitch, r->image_to_pitch);
  EXPECT_EQ(r2->inliers, r->inliers);
}

TEST(Homography, RansacRefusesMirroredMatches) {
  // Left/right swapped keypoints fit a mirrored homography exactly; no camera above the pitch can
  // produce it, so RANSAC finds no acceptable model.
  SyntheticCamera cam;
  cam.target = {-35.0, 0.0, 0.0};
  auto pairs = visible_keypoints(cam);
  ASSERT_GE(pairs.size(), 6u);
  for (auto& p : pairs) p.pitch_m.x_m = -p.pitch_m.x_m;
  auto r = estimate_homography_ransac(pairs, {});
  EXPECT_FALSE(r.is_ok());
}

TEST(Homography, DegenerateInputsAreErrors) {
  std::vector<PointPair> line;
  for (int i = 0; i < 6; ++i) line.push_back({100.0 + 10 * i, 200.0 + 5 * i, {double(i), 0.0}});
  auto a = estimate_homography(line);
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("degenerate"), std::string::npos);
  auto b = estimate_homography(std::span(line).first(3));
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("at least 4"), std::string::npos);
  std::vector<PointPair> nan = {{std::nan(""), 0, {0, 0}}, {1, 0, {1, 0}}, {0, 1, {0, 1}}, {1, 1, {1, 1}}};
  EXPECT_FALSE(estimate_homography(nan).is_ok());
  EXPECT_FALSE(estimate_homography_ransac(line, {}).is_ok());
  EXPECT_FALSE(estimate_homography_ransac(nan, {}).is_ok());
  RansacConfig negative;
  negative.inlier_threshold_px = -1;
  EXPECT_FALSE(estimate_homography_ransac(line, negative).is_ok());
}

TEST(Homography, ValidationNamesTheProblem) {
  const PitchModel p = pitch();
  const SyntheticCamera cam;
  auto expect_error = [&](const Homography& h, const std::string& what) {
    const Status s = validate_homography(h, p, {}, "calibrator.static_homography");
    ASSERT_FALSE(s.is_ok()) << what;
    EXPECT_NE(s.message().find("calibrator.static_homography"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
  };
  expect_error({0, 0, 0, 0, 0, 0, 0, 0, 0}, "all zeros");
  expect_error({1, 0, 0, 0, std::nan(""), 0, 0, 0, 1}, "non-finite");
  expect_error({1, 2, 3, 2, 4, 6, 0, 0, 1}, "singular");
  Homography mirrored = cam.image_to_pitch();
  for (int c = 0; c < 3; ++c)
    mirrored[static_cast<size_t>(c)] = -mirrored[static_cast<size_t>(c)];  // x -> -x
  expect_error(mirrored, "mirrors");
  // A camera in the middle of the pitch looking along +x has the two left corners behind it.
  SyntheticCamera inside;
  inside.position = {0.0, 0.0, -15.0};
  inside.target = {40.0, 0.0, 0.0};
  expect_error(inside.image_to_pitch(), "corners");
  // Strong anisotropic scaling: ill-conditioned.
  expect_error({1e-6, 0, 0, 0, 1, 0, 0, 0, 1}, "ill-conditioned");
  // Observed points must be below the horizon.
  const ImagePoint sky{640.0, -5000.0};
  const Status s = validate_homography(cam.image_to_pitch(), p, {}, "f", std::span(&sky, 1));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("horizon"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
