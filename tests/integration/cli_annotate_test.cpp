// `pitchtrack run --annotate`: annotated.mp4 holds one decodable frame per result, also when the
// run is stopped by Ctrl-C (the trailer is written on the way out).
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "integration/local_stream_server.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::cli_path;
using testing::run_command;
namespace fs = std::filesystem;

class CliAnnotate : public ::testing::Test {
 protected:
  void SetUp() override {
    // One folder per process: CTest runs each test in its own process, in parallel.
    dir_ = (fs::temp_directory_path() / ("pt_annotate_" + std::to_string(getpid()))).string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A cheap configuration: classical detector (no model), no calibration.
  std::string write_config(const std::string& name, const std::string& top) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << top << "detector:\n  backend: classical\ncalibration:\n  mode: off\n";
    return path;
  }

  static nlohmann::json json_file(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  }

  // pitchtrack probe --count-frames on the annotated video.
  static nlohmann::json probe(const std::string& path) {
    auto r = run_command(cli_path() + " probe " + path + " --count-frames");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(r.output, nullptr, /*allow_exceptions=*/false);
  }

  std::string dir_;
};

TEST_F(CliAnnotate, FileRunWritesOneFramePerResult) {
  const std::string config = write_config("batch.yaml", "mode: batch\nbatch_size: 4\n");
  const std::string out = dir_ + "/run";
  auto r = run_command(cli_path() + " run --config " + config + " --source " + testing::clip("h264.mp4") +
                       " --out-dir " + out + " --annotate --no-progress");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto summary = json_file(out + "/summary.json");
  ASSERT_FALSE(summary.is_discarded());
  EXPECT_EQ(summary["status"], "ok");
  EXPECT_EQ(summary["frames_written"], 50);
  EXPECT_EQ(summary["outputs"]["annotated_video"], out + "/annotated.mp4");
  const auto p = probe(out + "/annotated.mp4");
  ASSERT_FALSE(p.is_discarded());
  EXPECT_EQ(p["frames_decoded"], 50);
  EXPECT_EQ(p["width"], 320);
  EXPECT_EQ(p["height"], 240);
  EXPECT_NEAR(p["fps"].get<double>(), 25.0, 0.01);
}

TEST_F(CliAnnotate, CtrlCFinalisesTheVideo) {
  // 60 s read at its own rate (a file behaving like a live stream): Ctrl-C comes long before
  // the end.
  const std::string clip = dir_ + "/long.mp4";
  auto g = run_command(
      "ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i testsrc2=size=320x240:rate=25 -t 60 "
      "-c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p " +
      clip);
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const std::string config = write_config(
      "live.yaml", "mode: realtime\ntarget_fps: 0\npace_input: true\nmax_processing_latency_ms: 0\n");
  const std::string out = dir_ + "/run";
  testing::ChildProcess run({cli_path(), "run", "--config", config, "--source", clip, "--out-dir", out,
                             "--annotate", "--no-progress"},
                            dir_ + "/run.log");
  // Ctrl-C once results are being written (the child is killed at the end of the test if it
  // has not exited: it cannot hang the suite).
  const bool producing = testing::wait_until(
      [&] {
        std::ifstream in(out + "/tracks.jsonl");
        return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n') >= 25;
      },
      std::chrono::milliseconds(30000));
  ASSERT_TRUE(producing) << testing::read_text_file(dir_ + "/run.log");
  run.send(SIGINT);
  const std::optional<int> code = run.wait_exit(std::chrono::milliseconds(20000));
  ASSERT_TRUE(code.has_value()) << "no exit 20 s after SIGINT";
  ASSERT_EQ(*code, 130) << testing::read_text_file(dir_ + "/run.log");
  const auto summary = json_file(out + "/summary.json");
  ASSERT_FALSE(summary.is_discarded());
  EXPECT_EQ(summary["status"], "interrupted");
  const int64_t written = summary["frames_written"].get<int64_t>();
  EXPECT_GE(written, 25);
  EXPECT_LT(written, 1500);
  const auto p = probe(out + "/annotated.mp4");
  ASSERT_FALSE(p.is_discarded());
  EXPECT_EQ(p["frames_decoded"], written);
}

TEST_F(CliAnnotate, UnwritableOutputIsAClearError) {
  const std::string config = write_config("batch.yaml", "mode: batch\n");
  fs::create_directories(dir_ + "/run/annotated.mp4");  // a directory where the video should go
  auto r = run_command(cli_path() + " run --config " + config + " --source " + testing::clip("h264.mp4") +
                       " --out-dir " + dir_ + "/run --annotate --no-progress");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("annotated.mp4"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pitchtrack
