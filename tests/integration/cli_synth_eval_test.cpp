// A synthetic match scored against itself: the evaluation must give a perfect score, and the
// main job must run end to end on it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::cli_path;
using testing::run_command;

class SynthMatch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One folder per process: CTest runs each test of the suite in its own process, in parallel.
    dir_ = (std::filesystem::temp_directory_path() / ("pt_synth_eval_" + std::to_string(getpid()))).string();
    std::filesystem::remove_all(dir_);
    auto r =
        run_command(cli_path() + " synth --out " + dir_ + " --seconds 3 --seed 3 --width 960 --height 540");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::string dir_;
};
std::string SynthMatch::dir_;

TEST_F(SynthMatch, GroundTruthAsPredictionScoresPerfectly) {
  auto r = run_command(cli_path() + " eval --gt " + dir_ + "/gt --pred " + dir_ + "/gt/gt.txt");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_DOUBLE_EQ(j["HOTA"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["MOTA"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["IDF1"].get<double>(), 100.0);
}

TEST_F(SynthMatch, RunWritesValidOutputsThatEvalReads) {
  const std::string out = dir_ + "/run";
  auto r = run_command(cli_path() + " run --config " + testing::source_dir() +
                       "/config/batch-cpu.yaml --source " + dir_ + "/match.mp4 --out-dir " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto summary = run_command("cat " + out + "/summary.json");
  auto s = nlohmann::json::parse(summary.output);
  EXPECT_EQ(s["status"], "ok");
  EXPECT_EQ(s["frames_written"], 75);
  auto e = run_command(cli_path() + " eval --gt " + dir_ + "/gt --pred " + out + "/tracks.jsonl");
  ASSERT_EQ(e.exit_code, 0) << e.output;
  auto j = nlohmann::json::parse(e.output);
  EXPECT_GT(j["HOTA"].get<double>(), 30.0);  // a working tracker, not a target (docs/PERFORMANCE.md)
}

TEST_F(SynthMatch, TrackWithVideoUsesCameraMotion) {
  const std::string dets = dir_ + "/dets.txt", out = dir_ + "/tracks_cmc.txt";
  auto r = run_command(cli_path() + " degrade-dets --gt " + dir_ + "/gt/gt.txt --out " + dets +
                       " --width 960 --height 540");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command(cli_path() + " track --detections " + dets + " --out " + out + " --video " + dir_ +
                  "/match.mp4");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // the camera pans in every synthetic shot: motion must be found on (nearly) every frame
  EXPECT_NE(r.output.find("camera motion on "), std::string::npos) << r.output;
  const auto pos = r.output.find("camera motion on ");
  const int with_motion = std::stoi(r.output.substr(pos + 17));
  EXPECT_GE(with_motion, 70) << r.output;  // of 75 frames (the first has no previous frame)
  auto e = run_command(cli_path() + " eval --gt " + dir_ + "/gt --pred " + out);
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_GT(nlohmann::json::parse(e.output)["IDF1"].get<double>(), 70.0);

  // a video shorter than the detections is a clear error naming both
  const std::string long_dets = dir_ + "/dets_long.txt";
  run_command("cp " + dets + " " + long_dets + " && echo '500,1,10,10,20,50,1,-1,-1,-1' >> " + long_dets);
  r = run_command(cli_path() + " track --detections " + long_dets + " --out " + out + " --video " + dir_ +
                  "/match.mp4");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("match.mp4' ends after 75 frames"), std::string::npos) << r.output;
}

TEST(CliRun, BadInputsAreClearErrors) {
  auto r = run_command(cli_path() + " run --source /nonexistent.mp4 --out-dir /tmp/pt_run_bad");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("/nonexistent.mp4"), std::string::npos) << r.output;
  r = run_command(cli_path() + " run --config /nonexistent.yaml --source x.mp4 --out-dir /tmp/pt_run_bad");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("/nonexistent.yaml"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pitchtrack
