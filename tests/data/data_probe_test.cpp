// Label `data`: probe on the real broadcast clip agrees with ffprobe.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::run_command;

TEST(DataProbe, TacticalCamMatchesFfprobe) {
  PT_REQUIRE_SHARED_DATA(path, "clips/tacticalcam-720p/football_tacticalcam_1280x720.mp4");
  auto ours = run_command(testing::cli_path() + " probe '" + path + "'");
  ASSERT_EQ(ours.exit_code, 0) << ours.output;
  auto j = nlohmann::json::parse(ours.output);
  auto ref = run_command(
      "ffprobe -v error -select_streams v:0 -count_packets -show_entries "
      "stream=width,height,r_frame_rate,nb_frames,nb_read_packets -of json '" +
      path + "'");
  ASSERT_EQ(ref.exit_code, 0) << ref.output;
  auto r = nlohmann::json::parse(ref.output)["streams"][0];
  EXPECT_EQ(j["width"], 1280);
  EXPECT_EQ(j["height"], 720);
  EXPECT_EQ(j["width"], r["width"]);
  EXPECT_EQ(j["height"], r["height"]);
  const std::string rate = r["r_frame_rate"];  // "30000/1001"
  const double ref_fps =
      std::stod(rate.substr(0, rate.find('/'))) / std::stod(rate.substr(rate.find('/') + 1));
  EXPECT_NEAR(j["fps"].get<double>(), ref_fps, 1e-6);
  EXPECT_NEAR(j["fps"].get<double>(), 29.97, 0.01);
  EXPECT_EQ(j["frame_count"].get<int64_t>(), std::stoll(r["nb_frames"].get<std::string>()));
  EXPECT_EQ(j["frame_count"].get<int64_t>(), std::stoll(r["nb_read_packets"].get<std::string>()));
}

}  // namespace
}  // namespace pitchtrack
