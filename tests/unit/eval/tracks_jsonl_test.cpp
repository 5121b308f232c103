// tracks.jsonl: round trip through to_jsonl_line / parse_jsonl_line / read_tracks_jsonl, and errors
// that name the file and the line.
#include "pitchtrack/io/tracks_jsonl.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "temp_dir.hpp"

namespace pitchtrack {
namespace {

using eval::testing::TempDir;

FrameResult sample_frame() {
  FrameResult f;
  f.frame_index = 17;
  f.pts_us = 680'000;
  Track a;
  a.track_id = 3;
  a.box_px = {100.25f, 50.5f, 120.75f, 110.0f};
  a.score = 0.875f;
  a.role = ObjectClass::kGoalkeeper;
  a.state = TrackState::kConfirmed;
  a.team = 1;
  a.team_confidence = 0.75f;
  a.pitch_m = PitchPoint{-40.125, 3.5};
  a.velocity_mps = PitchPoint{1.25, -0.5};
  Track b;  // no team, no pitch position
  b.track_id = 12;
  b.box_px = {0.0f, 0.0f, 10.0f, 20.0f};
  b.score = 0.5f;
  b.role = ObjectClass::kReferee;
  b.state = TrackState::kConfirmed;
  Track tentative;  // not written
  tentative.track_id = 0;
  tentative.box_px = {1, 1, 2, 2};
  f.tracks = {a, b, tentative};
  BallState ball;
  ball.box_px = {640.5f, 360.25f, 648.5f, 368.25f};
  ball.score = 0.625f;
  ball.pitch_m = PitchPoint{0.5, -1.25};
  ball.ground_projected = true;
  ball.interpolated = true;
  f.ball = ball;
  f.homography = Homography{0.1, 0.002, -64.0, 0.0005, 0.2, -36.0, 1e-5, 0.001, 1.0};
  f.calibration_quality = 0.875;
  f.camera_cut = true;
  f.timings_ms = {{"detect", 4.25}, {"track", 0.5}};
  return f;
}

TEST(TracksJsonl, WritesTheDocumentedSchema) {
  const std::string line = to_jsonl_line(sample_frame());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["frame"], 17);
  EXPECT_EQ(j["pts_ms"], 680.0);
  ASSERT_EQ(j["objects"].size(), 2u);  // the tentative track is not written
  const auto& o = j["objects"][0];
  EXPECT_EQ(o["id"], 3);
  EXPECT_EQ(o["role"], "goalkeeper");
  EXPECT_EQ(o["team"], 1);
  EXPECT_EQ(o["bbox"], nlohmann::json({100.25, 50.5, 120.75, 110.0}));
  EXPECT_EQ(o["pitch"], nlohmann::json({-40.125, 3.5}));
  EXPECT_TRUE(j["objects"][1]["team"].is_null());
  EXPECT_TRUE(j["objects"][1]["pitch"].is_null());
  EXPECT_TRUE(j["objects"][1]["vel"].is_null());
  EXPECT_EQ(j["ball"]["interpolated"], true);
  EXPECT_EQ(j["homography"].size(), 9u);
  EXPECT_EQ(j["flags"]["cut"], true);
  EXPECT_EQ(j["timings_ms"]["detect"], 4.25);
}

TEST(TracksJsonl, RoundsPixelsAndMetres) {
  FrameResult f;
  Track t;
  t.track_id = 1;
  t.box_px = {1.23456f, 2.0f, 3.98765f, 4.0f};
  t.pitch_m = PitchPoint{1.234567, -2.0004};
  f.tracks = {t};
  const auto j = nlohmann::json::parse(to_jsonl_line(f));
  EXPECT_EQ(j["objects"][0]["bbox"][0], 1.23);
  EXPECT_EQ(j["objects"][0]["bbox"][2], 3.99);
  EXPECT_EQ(j["objects"][0]["pitch"][0], 1.235);
  EXPECT_EQ(j["objects"][0]["pitch"][1], -2.0);
  EXPECT_TRUE(j["ball"].is_null());
  EXPECT_TRUE(j["homography"].is_null());
}

TEST(TracksJsonl, RoundTrip) {
  const FrameResult f = sample_frame();
  const auto back = parse_jsonl_line(to_jsonl_line(f));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->frame_index, f.frame_index);
  EXPECT_EQ(back->pts_us, f.pts_us);
  ASSERT_EQ(back->tracks.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Track& a = f.tracks[i];
    const Track& b = back->tracks[i];
    EXPECT_EQ(b.track_id, a.track_id);
    EXPECT_EQ(b.box_px, a.box_px);  // values chosen exact at 2 decimals
    EXPECT_EQ(b.score, a.score);
    EXPECT_EQ(b.role, a.role);
    EXPECT_EQ(b.state, TrackState::kConfirmed);
    EXPECT_EQ(b.team, a.team);
    EXPECT_EQ(b.team_confidence, a.team_confidence);
    EXPECT_EQ(b.pitch_m, a.pitch_m);
    EXPECT_EQ(b.velocity_mps, a.velocity_mps);
  }
  ASSERT_TRUE(back->ball.has_value());
  EXPECT_EQ(back->ball->box_px, f.ball->box_px);
  EXPECT_EQ(back->ball->score, f.ball->score);
  EXPECT_EQ(back->ball->pitch_m, f.ball->pitch_m);
  EXPECT_EQ(back->ball->interpolated, true);
  EXPECT_EQ(back->homography, f.homography);  // written exactly
  EXPECT_EQ(back->calibration_quality, f.calibration_quality);
  EXPECT_EQ(back->camera_cut, true);
  EXPECT_EQ(back->timings_ms, f.timings_ms);
}

TEST(TracksJsonl, ReadsAFile) {
  TempDir dir;
  FrameResult a = sample_frame();
  FrameResult b;
  b.frame_index = 18;
  const std::string path = dir.write("tracks.jsonl", to_jsonl_line(a) + "\n\n" + to_jsonl_line(b) + "\n");
  const auto frames = read_tracks_jsonl(path);
  ASSERT_TRUE(frames.is_ok()) << frames.status().to_string();
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ((*frames)[1].frame_index, 18);
  EXPECT_TRUE((*frames)[1].tracks.empty());
}

struct BadLine {
  std::string line;
  std::string message;  // expected part of the error
};

class TracksJsonlBadLine : public ::testing::TestWithParam<BadLine> {};

TEST_P(TracksJsonlBadLine, ErrorNamesFileAndLine) {
  TempDir dir;
  const std::string good = R"({"frame": 0, "objects": []})";
  const std::string path = dir.write("tracks.jsonl", good + "\n" + good.substr(0, 10) + "1" +
                                                         good.substr(11) + "\n" + GetParam().line + "\n");
  const auto frames = read_tracks_jsonl(path);
  ASSERT_FALSE(frames.is_ok());
  EXPECT_EQ(frames.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = frames.status().message();
  EXPECT_EQ(msg.rfind(path + ":3: ", 0), 0u) << msg;
  EXPECT_NE(msg.find(GetParam().message), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, TracksJsonlBadLine,
    ::testing::Values(BadLine{R"({"frame": 2, "objects": {}})", "'objects' is not an array"},
                      BadLine{R"({"frame": 2})", "'objects' is missing"},
                      BadLine{R"({"objects": []})", "'frame' is missing"},
                      BadLine{R"({"frame": "2", "objects": []})", "'frame' is not an integer"},
                      BadLine{R"({"frame": 2, "objects": [)", "invalid JSON"},
                      BadLine{R"([1, 2])", "not a JSON object"},
                      BadLine{R"({"frame": 2, "objects": [{"id": 1, "bbox": [1, 2, 3]}]})",
                              "'objects[0].bbox' is not an array of 4 numbers"},
                      BadLine{R"({"frame": 2, "objects": [{"id": 0, "bbox": [1, 2, 3, 4]}]})",
                              "'objects[0].id' must be >= 1"},
                      BadLine{R"({"frame": 2, "objects": [{"id": 1, "bbox": [1, 2, 3, 4], "team": 2}]})",
                              "'objects[0].team' is not 0, 1 or null"},
                      BadLine{R"({"frame": 2, "objects": [{"id": 1, "bbox": [1, 2, 3, 4], "role": "ball"}]})",
                              "'objects[0].role'"},
                      BadLine{R"({"frame": 2, "objects": [], "homography": [1, 2]})", "'homography'"},
                      BadLine{R"({"frame": 2, "objects": [], "ball": {"bbox": [1, 2, 3, 4], "pitch": [1]}})",
                              "'ball.pitch'"},
                      BadLine{R"({"frame": 1, "objects": []})", "frame 1 already given on line 2"}));

TEST(TracksJsonl, MissingFile) {
  const auto frames = read_tracks_jsonl("/nonexistent/tracks.jsonl");
  ASSERT_FALSE(frames.is_ok());
  EXPECT_EQ(frames.status().code(), StatusCode::kNotFound);
  EXPECT_NE(frames.status().message().find("/nonexistent/tracks.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
