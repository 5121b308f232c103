// Label `data`: the shipped pitch keypoint model on the pitch-keypoints-v1 valid split meets the
// acceptance of the calibration work: median keypoint error <= 5 px at 1280x720 and a mean
// pitch-grid error <= 1.0 m for the homography from predicted keypoints against the one from the
// labelled keypoints. Runs `pitchtrack eval-keypoints` and prints its figures.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <iostream>

#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::run_command;

TEST(DataPitchKeypoints, ValidSplitMeetsAcceptance) {
  PT_REQUIRE_SHARED_DATA(dir, "pitch-keypoints-v1/valid");
  const auto r = run_command(testing::cli_path() + " eval-keypoints --data '" + dir + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  std::cout << "eval-keypoints (valid, 1280x720): " << j.dump() << "\n";
  EXPECT_EQ(j["frames"].get<int>(), 34);
  ASSERT_FALSE(j["median_px"].is_null());
  ASSERT_FALSE(j["calibration_error_m_mean"].is_null());
  EXPECT_LE(j["median_px"].get<double>(), 5.0);
  EXPECT_LE(j["calibration_error_m_mean"].get<double>(), 1.0);
  EXPECT_GE(j["recall"].get<double>(), 0.9);
  // Most frames must be calibrated (never a guess: the rest get none).
  EXPECT_GE(j["frames_with_homography"].get<int>(), 30);
}

TEST(DataPitchKeypoints, MissingModelIsAClearError) {
  PT_REQUIRE_SHARED_DATA(dir, "pitch-keypoints-v1/valid");
  const auto r =
      run_command(testing::cli_path() + " eval-keypoints --data '" + dir + "' --model /nonexistent/kp.onnx");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/nonexistent/kp.onnx"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pitchtrack
