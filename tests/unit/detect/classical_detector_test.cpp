#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "detect/cv_frame.hpp"
#include "pitchtrack/detect/registry.hpp"

namespace pitchtrack {
namespace {

// A drawn wide shot: striped grass, a touchline, figures whose height grows down the image,
// and a white ball.
struct Scene {
  Frame frame;
  std::vector<BoxXyxy> people;
  BoxXyxy ball;
};

Scene draw_scene() {
  const int W = 1280, H = 720;
  cv::Mat img(H, W, CV_8UC3);
  img.setTo(cv::Scalar(40, 40, 40));  // stands
  for (int y = 120; y < H; ++y) {
    const bool stripe = ((y - 120) / 60) % 2 == 0;
    img.row(y).setTo(stripe ? cv::Scalar(60, 150, 70) : cv::Scalar(50, 135, 60));
  }
  cv::line(img, {0, 200}, {W, 200}, cv::Scalar(235, 235, 235), 3);
  Scene s;
  int k = 0;
  for (int row = 0; row < 3; ++row) {
    const int foot_y = 260 + row * 170;
    const int h = 36 + row * 14;
    for (int i = 0; i < 4; ++i, ++k) {
      const int cx = 150 + i * 300 + row * 40;
      const int w = h * 2 / 5;
      const cv::Scalar shirt = k % 2 ? cv::Scalar(30, 30, 200) : cv::Scalar(200, 60, 30);
      cv::rectangle(img, cv::Rect(cx - w / 2, foot_y - h + h / 6, w, h / 2), shirt, cv::FILLED);
      cv::rectangle(img, cv::Rect(cx - w / 2, foot_y - h / 3, w, h / 3), cv::Scalar(20, 20, 20), cv::FILLED);
      cv::circle(img, {cx, foot_y - h + h / 12}, h / 12 + 1, cv::Scalar(120, 160, 200), cv::FILLED);
      s.people.push_back(BoxXyxy{float(cx - w / 2), float(foot_y - h), float(cx + w / 2), float(foot_y)});
    }
  }
  cv::circle(img, {700, 330}, 5, cv::Scalar(250, 250, 250), cv::FILLED);
  s.ball = {695, 325, 705, 335};
  s.frame = Frame::copy_from(img.data, W, H, static_cast<int>(img.step));
  return s;
}

TEST(ClassicalDetector, FindsDrawnPlayersAndBall) {
  const Scene s = draw_scene();
  DetectorConfig cfg;
  cfg.backend = "classical";
  auto det = create_detector(cfg);
  ASSERT_TRUE(det.is_ok()) << det.status().to_string();
  EXPECT_FALSE((*det)->caps().learned);
  auto out = (*det)->detect(std::span<const Frame>(&s.frame, 1));
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 1u);
  int found = 0;
  for (const BoxXyxy& gt : s.people) {
    for (const Detection& d : (*out)[0]) {
      if (d.class_id == ObjectClass::kPlayer && iou(d.box_px, gt) >= 0.5f) {
        ++found;
        break;
      }
    }
  }
  EXPECT_GE(found, 10) << "of " << s.people.size();
  int false_pos = 0;
  for (const Detection& d : (*out)[0]) {
    if (d.class_id != ObjectClass::kPlayer) continue;
    bool match = false;
    for (const BoxXyxy& gt : s.people) match = match || iou(d.box_px, gt) >= 0.3f;
    false_pos += match ? 0 : 1;
  }
  EXPECT_LE(false_pos, 2);
  bool ball = false;
  for (const Detection& d : (*out)[0])
    ball = ball || (d.class_id == ObjectClass::kBall && iou(d.box_px, s.ball) > 0.3f);
  EXPECT_TRUE(ball);
}

TEST(ClassicalDetector, NoGrassNoDetections) {
  cv::Mat img(360, 640, CV_8UC3, cv::Scalar(90, 60, 40));
  const Frame f = Frame::copy_from(img.data, 640, 360, static_cast<int>(img.step));
  DetectorConfig cfg;
  cfg.backend = "classical";
  auto det = create_detector(cfg);
  ASSERT_TRUE(det.is_ok());
  auto out = (*det)->detect(std::span<const Frame>(&f, 1));
  ASSERT_TRUE(out.is_ok());
  EXPECT_TRUE((*out)[0].empty());
}

TEST(ClassicalDetector, EmptyFrameIsAClearError) {
  DetectorConfig cfg;
  cfg.backend = "classical";
  auto det = create_detector(cfg);
  ASSERT_TRUE(det.is_ok());
  const Frame empty;
  auto out = (*det)->detect(std::span<const Frame>(&empty, 1));
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("empty"), std::string::npos);
}

TEST(DetectorRegistry, BadConfigNamesTheField) {
  DetectorConfig cfg;
  cfg.backend = "magic";
  EXPECT_NE(create_detector(cfg).status().message().find("detector.backend"), std::string::npos);
  cfg = {};
  cfg.max_batch = 0;
  EXPECT_NE(create_detector(cfg).status().message().find("detector.max_batch"), std::string::npos);
  cfg = {};
  cfg.device = "tpu";
  EXPECT_NE(create_detector(cfg).status().message().find("detector.device"), std::string::npos);
}

TEST(DetectorRegistry, MissingModelIsAnErrorOrALoggedFallback) {
  DetectorConfig cfg;
  cfg.backend = "onnx";
  cfg.model_path = "/nonexistent/model.onnx";
  auto r = create_detector(cfg);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/model.onnx"), std::string::npos);
  cfg.backend = "auto";
  auto fallback = create_detector(cfg);
  ASSERT_TRUE(fallback.is_ok());
  EXPECT_EQ((*fallback)->caps().backend, "classical");
}

// Built with or without libtorch: the torch backend either is listed or says it is not built.
TEST(DetectorRegistry, TensorRtBackendIsAbsentAndSaysSo) {
  DetectorConfig cfg;
  cfg.backend = "tensorrt";
  auto r = create_detector(cfg);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("tensorrt backend not in this binary"), std::string::npos)
      << r.status().to_string();
  const auto backends = available_detector_backends();
  EXPECT_EQ(std::find(backends.begin(), backends.end(), "tensorrt"), backends.end());
}

TEST(DetectorRegistry, TorchBackendIsBuiltOrSaysItIsNot) {
  const auto backends = available_detector_backends();
  if (std::find(backends.begin(), backends.end(), "torch") != backends.end()) {
    GTEST_SKIP() << "this binary has the torch backend (torch_detector_test covers it)";
  }
  DetectorConfig cfg;
  cfg.backend = "torch";
  auto r = create_detector(cfg);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("torch backend not built in this binary"), std::string::npos)
      << r.status().to_string();
}

}  // namespace
}  // namespace pitchtrack
