#include "pitchtrack/motion/camera_motion.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "unit/motion/motion_test_images.hpp"

namespace pitchtrack {
namespace {

using testing::shift;
using testing::textured_world;
using testing::then;
using testing::to_frame;
using testing::view;
using testing::zoom_about;

const cv::Size kFrame(1280, 720);

const cv::Mat& world() {
  static const cv::Mat w = textured_world(cv::Size(1800, 1100), 7);
  return w;
}

std::unique_ptr<CameraMotionEstimator> make(CameraMotionConfig c = {}) {
  auto r = CameraMotionEstimator::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

// Where the estimate sends p, minus where the true motion does, in pixels.
double error_at(const std::array<double, 6>& m, const cv::Matx23d& truth, double x, double y) {
  const double ex = m[0] * x + m[1] * y + m[2], ey = m[3] * x + m[4] * y + m[5];
  const double tx = truth(0, 0) * x + truth(0, 1) * y + truth(0, 2),
               ty = truth(1, 0) * x + truth(1, 1) * y + truth(1, 2);
  return std::hypot(ex - tx, ey - ty);
}

double max_error(const std::array<double, 6>& m, const cv::Matx23d& truth) {
  double e = 0;
  for (double x : {0.0, 640.0, 1279.0}) {
    for (double y : {0.0, 360.0, 719.0}) e = std::max(e, error_at(m, truth, x, y));
  }
  return e;
}

TEST(CameraMotion, FirstFrameHasNoEstimate) {
  auto est = make();
  auto r = est->estimate(to_frame(view(world(), shift(-200, -150), kFrame)), {});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_FALSE(r->affine.has_value());
  EXPECT_EQ(r->inliers, 0);
  EXPECT_EQ(r->mean_flow_px, 0.0);
}

TEST(CameraMotion, RecoversATranslation) {
  auto est = make();
  const cv::Matx23d cam0 = shift(-200, -150);
  const cv::Matx23d motion = shift(7.3, -4.1);
  ASSERT_TRUE(est->estimate(to_frame(view(world(), cam0, kFrame)), {}).is_ok());
  auto r = est->estimate(to_frame(view(world(), then(cam0, motion), kFrame)), {});
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->affine.has_value());
  const auto& m = *r->affine;
  EXPECT_NEAR(m[2], 7.3, 0.5);
  EXPECT_NEAR(m[5], -4.1, 0.5);
  EXPECT_NEAR(m[0], 1.0, 0.01);
  EXPECT_NEAR(m[4], 1.0, 0.01);
  EXPECT_LT(max_error(m, motion), 0.5);
  EXPECT_GE(r->inliers, 50);
  EXPECT_NEAR(r->mean_flow_px, std::hypot(7.3, 4.1), 0.5);
}

TEST(CameraMotion, RecoversAZoomWithAPan) {
  auto est = make();
  const cv::Matx23d cam0 = shift(-250, -180);
  const cv::Matx23d motion = then(zoom_about(1.03, 640, 360), shift(-5.5, 2.0));
  ASSERT_TRUE(est->estimate(to_frame(view(world(), cam0, kFrame)), {}).is_ok());
  auto r = est->estimate(to_frame(view(world(), then(cam0, motion), kFrame)), {});
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->affine.has_value());
  const auto& m = *r->affine;
  EXPECT_NEAR(m[0], 1.03, 0.01 * 1.03);
  EXPECT_NEAR(m[4], 1.03, 0.01 * 1.03);
  EXPECT_NEAR(m[1], 0.0, 0.005);
  EXPECT_NEAR(m[3], 0.0, 0.005);
  EXPECT_LT(error_at(m, motion, 640, 360), 0.5);
  EXPECT_LT(max_error(m, motion), 0.5);
}

TEST(CameraMotion, FollowsASteadyPanOverManyFrames) {
  auto est = make();
  cv::Matx23d cam = shift(-100, -120);
  const cv::Matx23d step = shift(-6.0, 1.5);
  ASSERT_TRUE(est->estimate(to_frame(view(world(), cam, kFrame)), {}).is_ok());
  for (int f = 1; f < 12; ++f) {
    cam = then(cam, step);
    auto r = est->estimate(to_frame(view(world(), cam, kFrame)), {});
    ASSERT_TRUE(r.is_ok());
    ASSERT_TRUE(r->affine.has_value()) << f;
    EXPECT_LT(max_error(*r->affine, step), 0.5) << f;
  }
}

// Players: textured patches that move on their own (running) while the camera pans. They cover
// most of the picture and carry more corners than the background; masked, they are ignored.
TEST(CameraMotion, MaskedBoxesAreIgnored) {
  const cv::Mat players = textured_world(cv::Size(1800, 1100), 99, cv::Scalar(30, 30, 200));
  cv::Mat busy = players.clone();
  for (int k = 0; k < 3; ++k) {  // denser texture on the players
    cv::Mat more = textured_world(players.size(), 100 + static_cast<uint64_t>(k), cv::Scalar(0, 0, 0));
    cv::max(busy, more, busy);
  }
  const cv::Matx23d cam0 = shift(-200, -150);
  const cv::Matx23d motion = shift(4.0, -2.0);    // camera
  const cv::Matx23d running = shift(-25.0, 6.0);  // the players' image motion
  std::vector<BoxXyxy> boxes0, boxes1;
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 2; ++j) {
      const float x = 60.0f + 250.0f * static_cast<float>(i), y = 60.0f + 330.0f * static_cast<float>(j);
      boxes0.push_back({x, y, x + 150.0f, y + 280.0f});
      boxes1.push_back({x - 25.0f, y + 6.0f, x + 125.0f, y + 286.0f});
    }
  }
  auto compose = [&](const cv::Matx23d& cam, const cv::Matx23d& player_cam,
                     const std::vector<BoxXyxy>& boxes) {
    cv::Mat bg = view(world(), cam, kFrame);
    const cv::Mat fg = view(busy, player_cam, kFrame);
    for (const BoxXyxy& b : boxes) {
      const cv::Rect r(static_cast<int>(b.x1), static_cast<int>(b.y1), static_cast<int>(b.width()),
                       static_cast<int>(b.height()));
      fg(r & cv::Rect(0, 0, kFrame.width, kFrame.height))
          .copyTo(bg(r & cv::Rect(0, 0, kFrame.width, kFrame.height)));
    }
    return to_frame(bg);
  };
  const Frame f0 = compose(cam0, cam0, boxes0);
  const Frame f1 = compose(then(cam0, motion), then(cam0, running), boxes1);

  auto est = make();
  ASSERT_TRUE(est->estimate(f0, boxes0).is_ok());
  auto r = est->estimate(f1, boxes1);
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->affine.has_value());
  EXPECT_LT(max_error(*r->affine, motion), 0.5);

  // Unmasked, the players dominate the features and drag the estimate away (why masks exist).
  auto naive = make();
  ASSERT_TRUE(naive->estimate(f0, {}).is_ok());
  auto n = naive->estimate(f1, {});
  ASSERT_TRUE(n.is_ok());
  if (n->affine) {
    EXPECT_GT(max_error(*n->affine, motion), 5.0);
  }
}

TEST(CameraMotion, ResetSizeChangeAndFlatImagesGiveNoEstimate) {
  auto est = make();
  const cv::Matx23d cam0 = shift(-200, -150);
  const Frame a = to_frame(view(world(), cam0, kFrame));
  const Frame b = to_frame(view(world(), then(cam0, shift(3, 3)), kFrame));
  ASSERT_TRUE(est->estimate(a, {}).is_ok());
  est->reset();
  auto r = est->estimate(b, {});
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->affine.has_value());
  // Another size: a new sequence.
  cv::Mat small;
  cv::resize(view(world(), cam0, kFrame), small, cv::Size(640, 360));
  r = est->estimate(to_frame(small), {});
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->affine.has_value());
  // A featureless picture: nothing to track.
  auto flat_est = make();
  const cv::Mat flat(kFrame, CV_8UC3, cv::Scalar(40, 140, 60));
  ASSERT_TRUE(flat_est->estimate(to_frame(flat), {}).is_ok());
  r = flat_est->estimate(to_frame(flat), {});
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->affine.has_value());
  // An empty frame is an error.
  EXPECT_EQ(est->estimate(Frame{}, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CameraMotion, SmallFramesAreNotUpscaled) {
  CameraMotionConfig c;
  c.work_width = 640;
  auto est = make(c);
  cv::Mat a, b;
  cv::resize(view(world(), shift(-200, -150), kFrame), a, cv::Size(480, 270), 0, 0, cv::INTER_AREA);
  cv::resize(view(world(), shift(-212, -150), kFrame), b, cv::Size(480, 270), 0, 0, cv::INTER_AREA);
  ASSERT_TRUE(est->estimate(to_frame(a), {}).is_ok());
  auto r = est->estimate(to_frame(b), {});
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->affine.has_value());
  EXPECT_NEAR((*r->affine)[2], -12.0 * 480.0 / 1280.0, 0.3);
  EXPECT_NEAR((*r->affine)[5], 0.0, 0.3);
}

TEST(CameraMotion, ConfigValidationNamesTheField) {
  auto expect_bad = [](CameraMotionConfig c, const std::string& field) {
    auto r = CameraMotionEstimator::create(c);
    ASSERT_FALSE(r.is_ok()) << field;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  };
  CameraMotionConfig c;
  c.work_width = 10;
  expect_bad(c, "camera_motion.work_width");
  c = {};
  c.max_features = 2;
  expect_bad(c, "camera_motion.max_features");
  c = {};
  c.feature_quality = 0;
  expect_bad(c, "camera_motion.feature_quality");
  c = {};
  c.lk_window_px = 2;
  expect_bad(c, "camera_motion.lk_window_px");
  c = {};
  c.ransac_threshold_px = 0;
  expect_bad(c, "camera_motion.ransac_threshold_px");
  c = {};
  c.min_inliers = 1000;
  expect_bad(c, "camera_motion.min_inliers");
  c = {};
  c.max_scale_change = 1.0;
  expect_bad(c, "camera_motion.max_scale_change");
  EXPECT_TRUE(CameraMotionEstimator::create({}).is_ok());
}

}  // namespace
}  // namespace pitchtrack
