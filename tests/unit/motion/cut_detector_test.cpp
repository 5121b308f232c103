#include "pitchtrack/motion/cut_detector.hpp"

#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "unit/motion/motion_test_images.hpp"

namespace pitchtrack {
namespace {

using testing::shift;
using testing::to_frame;
using testing::view;

const cv::Size kFrame(1280, 720);

// A wide shot: striped grass with white lines below a colourful crowd.
const cv::Mat& pitch_world() {
  static const cv::Mat w = [] {
    cv::Mat img(cv::Size(2400, 1000), CV_8UC3, cv::Scalar(50, 140, 60));
    for (int x = 0; x < img.cols; x += 160) {
      cv::rectangle(img, cv::Rect(x, 250, 80, 750), cv::Scalar(40, 120, 50), cv::FILLED);
    }
    cv::line(img, {1200, 250}, {1200, 1000}, cv::Scalar(230, 230, 230), 4);
    cv::circle(img, {1200, 620}, 180, cv::Scalar(230, 230, 230), 4);
    cv::Mat crowd = testing::textured_world(cv::Size(2400, 250), 5, cv::Scalar(80, 70, 90));
    crowd.copyTo(img(cv::Rect(0, 0, 2400, 250)));
    return img;
  }();
  return w;
}

// A close-up of the stands: no grass, other colours.
const cv::Mat& crowd_world() {
  static const cv::Mat w = testing::textured_world(cv::Size(2400, 1000), 11, cv::Scalar(60, 40, 150));
  return w;
}

// Adds one of four pre-drawn Gaussian noise fields (drawing one per frame is slow).
cv::Mat noisy(const cv::Mat& img, uint64_t seed, double sigma) {
  static std::map<std::pair<int, double>, cv::Mat> fields;
  const auto key = std::make_pair(static_cast<int>(seed % 4), sigma);
  cv::Mat& n = fields[key];
  if (n.empty() || n.size() != img.size()) {
    n.create(img.size(), CV_16SC3);
    cv::RNG(seed % 4 + 1).fill(n, cv::RNG::NORMAL, 0, sigma);
  }
  cv::Mat out;
  cv::add(img, n, out, cv::noArray(), CV_8UC3);
  return out;
}

std::unique_ptr<CutDetector> make(CutDetectorConfig c = {}) {
  auto r = CutDetector::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

bool cut(CutDetector& d, const cv::Mat& img) {
  auto r = d.update(to_frame(img));
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() && *r;
}

TEST(CutDetector, PanAndNoiseAreNotCuts) {
  auto d = make();
  int cuts = 0;
  for (int f = 0; f < 60; ++f) {  // a fast pan (12 px/frame) with sensor noise
    cuts += cut(*d, noisy(view(pitch_world(), shift(-100.0 - 12.0 * f, -150), kFrame), f, 4.0));
  }
  EXPECT_EQ(cuts, 0);
  EXPECT_GT(d->last_grass_fraction(), 0.5);
  auto still = make();
  const cv::Mat base = view(pitch_world(), shift(-600, -150), kFrame);
  for (int f = 0; f < 40; ++f) cuts += cut(*still, noisy(base, 100 + f, 12.0));  // heavy noise
  EXPECT_EQ(cuts, 0);
  EXPECT_LT(still->last_distance(), 0.1);
}

TEST(CutDetector, SceneChangeFiresOnceAndRespectsTheMinInterval) {
  CutDetectorConfig c;
  c.fps = 25;
  c.min_cut_interval_s = 1.0;
  auto d = make(c);
  EXPECT_FALSE(cut(*d, view(pitch_world(), shift(-300, -150), kFrame)));  // first frame
  for (int f = 1; f < 20; ++f)
    EXPECT_FALSE(cut(*d, view(pitch_world(), shift(-300.0 - 5 * f, -150), kFrame))) << f;
  // Cut to the crowd close-up.
  EXPECT_TRUE(cut(*d, view(crowd_world(), shift(-500, -200), kFrame)));
  EXPECT_GT(d->last_distance(), 0.3);
  EXPECT_LT(d->last_grass_fraction(), 0.1);
  for (int f = 1; f < 10; ++f)
    EXPECT_FALSE(cut(*d, view(crowd_world(), shift(-500.0 + 6 * f, -200), kFrame))) << f;
  // Back to the wide shot after 10 frames (< 1 s): suppressed.
  EXPECT_FALSE(cut(*d, view(pitch_world(), shift(-300, -150), kFrame)));
  for (int f = 1; f < 20; ++f)
    EXPECT_FALSE(cut(*d, view(pitch_world(), shift(-300.0 - 5 * f, -150), kFrame)));
  // Later, another cut is reported.
  EXPECT_TRUE(cut(*d, view(crowd_world(), shift(-900, -300), kFrame)));
}

TEST(CutDetector, ResetSizeChangeAndErrors) {
  auto d = make();
  EXPECT_FALSE(cut(*d, view(pitch_world(), shift(-300, -150), kFrame)));
  d->reset();
  EXPECT_FALSE(cut(*d, view(crowd_world(), shift(-300, -150), kFrame)));             // first after reset
  EXPECT_TRUE(cut(*d, view(crowd_world(), shift(-300, -150), cv::Size(640, 360))));  // new size
  EXPECT_EQ(d->update(Frame{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CutDetector, ConfigValidationNamesTheField) {
  auto expect_bad = [](CutDetectorConfig c, const std::string& field) {
    auto r = CutDetector::create(c);
    ASSERT_FALSE(r.is_ok()) << field;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  };
  CutDetectorConfig c;
  c.fps = -1;
  expect_bad(c, "cut_detector.fps");
  c = {};
  c.min_distance = 2;
  expect_bad(c, "cut_detector.min_distance");
  c = {};
  c.adaptive_factor = 0.5;
  expect_bad(c, "cut_detector.adaptive_factor");
  c = {};
  c.history_frames = 0;
  expect_bad(c, "cut_detector.history_frames");
  c = {};
  c.min_cut_interval_s = -1;
  expect_bad(c, "cut_detector.min_cut_interval_s");
  EXPECT_TRUE(CutDetector::create({}).is_ok());
}

}  // namespace
}  // namespace pitchtrack
