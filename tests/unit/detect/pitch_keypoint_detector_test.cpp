#include "pitchtrack/detect/pitch_keypoint_detector.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace pitchtrack {
namespace {

namespace fs = std::filesystem;

Frame grey_frame(int w, int h) {
  MutableFrame m(w, h);
  for (int y = 0; y < h; ++y) std::memset(m.row(y), 90, static_cast<size_t>(w) * 3);
  return std::move(m).freeze();
}

fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("pt_kp_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(PitchKeypointDetector, MissingModelNamesTheFile) {
  auto d = PitchKeypointDetector::create({"/nonexistent/dir/kp.onnx", -1, 0});
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  EXPECT_NE(d.status().message().find("/nonexistent/dir/kp.onnx"), std::string::npos);
}

TEST(PitchKeypointDetector, CorruptModelIsAClearError) {
  const fs::path dir = temp_dir();
  const fs::path model = dir / "bad.onnx";
  { std::ofstream(model) << "this is not an onnx file"; }
  // no sidecar yet
  auto a = PitchKeypointDetector::create({model.string(), -1, 0});
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("bad.json"), std::string::npos) << a.status().message();
  {
    std::ofstream(dir / "bad.json") << R"({"input_width": 640, "input_height": 384, "stride": 4,
                                           "num_keypoints": 32, "channel_order": "bgr"})";
  }
  auto b = PitchKeypointDetector::create({model.string(), -1, 0});
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find(model.string()), std::string::npos) << b.status().message();
  // empty model file
  { std::ofstream(model, std::ios::trunc); }
  auto c = PitchKeypointDetector::create({model.string(), -1, 0});
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("empty"), std::string::npos) << c.status().message();
  // a sidecar that disagrees with the task
  {
    std::ofstream(dir / "bad.json") << R"({"input_width": 640, "input_height": 384, "num_keypoints": 17})";
    std::ofstream(model) << "x";
  }
  auto e = PitchKeypointDetector::create({model.string(), -1, 0});
  ASSERT_FALSE(e.is_ok());
  EXPECT_NE(e.status().message().find("num_keypoints"), std::string::npos) << e.status().message();
  fs::remove_all(dir);
}

TEST(PitchKeypointDetector, ShippedModelRunsOnAnyFrameSize) {
  auto d = PitchKeypointDetector::create({});
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ((*d)->input_size().width_px, 640);
  EXPECT_EQ((*d)->input_size().height_px, 384);
  for (const auto& [w, h] : {std::pair{1280, 720}, std::pair{848, 478}}) {
    auto k = (*d)->detect(grey_frame(w, h));
    ASSERT_TRUE(k.is_ok()) << k.status().to_string();
    for (const auto& p : *k) {
      EXPECT_GE(p.id, 0);
      EXPECT_LT(p.id, 32);
      EXPECT_GE(p.confidence, 0.3f);
      EXPECT_GT(p.x_px, -8.0f);
      EXPECT_LT(p.x_px, w + 8.0f);
    }
  }
  auto e = (*d)->detect(Frame{});
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
}

TEST(PitchKeypointDetector, BadBackendSettingsAreClearErrors) {
  PitchKeypointConfig c;
  c.backend = "tensorrt";
  auto a = PitchKeypointDetector::create(c);
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("keypoints_backend"), std::string::npos) << a.status().message();
  c.backend = "onnx";
  c.device = "cuda";  // OpenCV DNN here runs on the CPU only
  auto b = PitchKeypointDetector::create(c);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("keypoints_backend: torch"), std::string::npos) << b.status().message();
}

}  // namespace
}  // namespace pitchtrack
