// The CLI as a user runs it: exit codes, JSON on stdout, one-line errors naming the input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::cli_path;
using testing::clip;
using testing::run_command;

TEST(Cli, Version) {
  auto r = run_command(cli_path() + " --version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("pitchtrack 0."), std::string::npos) << r.output;
}

TEST(Cli, ProbePrintsStreamInfoJson) {
  auto r = run_command(cli_path() + " probe " + clip("ntsc.mp4") + " --count-frames");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["width"], 320);
  EXPECT_EQ(j["height"], 240);
  EXPECT_NEAR(j["fps"].get<double>(), 29.97, 0.01);
  EXPECT_EQ(j["frame_count"], 60);
  EXPECT_EQ(j["frames_decoded"], 60);
  EXPECT_EQ(j["codec"], "h264");
}

TEST(Cli, ProbeErrorsNameTheInput) {
  for (const std::string name :
       {"nope.mp4", "empty.mp4", "garbage.mp4", "truncated.mp4", "audio_only.m4a", "a_directory.mp4"}) {
    auto r = run_command(cli_path() + " probe " + clip(name));
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.output;
    EXPECT_NE(r.output.find("pitchtrack probe: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(name), std::string::npos) << r.output;
  }
}

TEST(Cli, UnknownSubcommandAndMissingArgument) {
  EXPECT_NE(run_command(cli_path() + " frobnicate").exit_code, 0);
  EXPECT_NE(run_command(cli_path() + " probe").exit_code, 0);
}

}  // namespace
}  // namespace pitchtrack
