// Label `data`: the torch backend (libtorch, CPU) against the onnx backend (OpenCV DNN) on real
// broadcast frames of football-players-v1/valid (built only with PITCHTRACK_WITH_TORCH).
// Same tolerance and reasoning as tests/unit/detect/torch_detector_test.cpp: identical input
// blobs and decoding, so only the convolutions' fp32 summation order differs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/io/image.hpp"
#include "support/cross_backend.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {

constexpr float kBoxEpsPx = 0.05f;
constexpr float kScoreEps = 1e-4f;

TEST(DataTorchDetector, MatchesOnnxOnRealFrames) {
  PT_REQUIRE_SHARED_DATA(dir, "football-players-v1/valid/images");
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".jpg") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  ASSERT_GE(paths.size(), 4u);
  paths.resize(4);
  std::vector<Frame> frames;
  for (const auto& p : paths) {
    auto image = read_image(p);
    ASSERT_TRUE(image.is_ok()) << image.status().to_string();
    frames.push_back(*image);
  }

  DetectorConfig c;
  c.device = "cpu";
  c.max_batch = 4;
  c.warmup_runs = 0;
  c.backend = "onnx";
  auto onnx = create_detector(c);
  c.backend = "torch";
  auto torch = create_detector(c);
  ASSERT_TRUE(onnx.is_ok()) << onnx.status().to_string();
  ASSERT_TRUE(torch.is_ok()) << torch.status().to_string();
  auto expected = (*onnx)->detect(frames);
  auto got = (*torch)->detect(frames);
  ASSERT_TRUE(expected.is_ok()) << expected.status().to_string();
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();

  size_t total = 0;
  float max_box = 0, max_score = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto d = testing::diff_detections((*expected)[i], (*got)[i]);
    EXPECT_EQ((*got)[i].size(), (*expected)[i].size()) << paths[i];
    EXPECT_TRUE(d.unmatched.empty()) << paths[i] << ":\n" << d.unmatched;
    EXPECT_LE(d.max_box_px, kBoxEpsPx) << paths[i];
    EXPECT_LE(d.max_score, kScoreEps) << paths[i];
    max_box = std::max(max_box, d.max_box_px);
    max_score = std::max(max_score, d.max_score);
    total += (*expected)[i].size();
  }
  EXPECT_GE(total, 40u) << "four broadcast frames with 20+ people each";
  std::cout << "onnx vs torch (cpu), " << frames.size() << " valid frames: " << total
            << " detections, max |box diff| " << max_box << " px, max |score diff| " << max_score << "\n";
}

}  // namespace
}  // namespace pitchtrack
