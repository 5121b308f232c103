#include "pitchtrack/pipeline/annotated_video_sink.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>

#include "pitchtrack/io/source.hpp"

namespace pitchtrack {
namespace {
namespace fs = std::filesystem;

using Bgr = std::array<uint8_t, 3>;
constexpr Bgr kGrass{40, 140, 40};

Frame grass(int width, int height, int64_t index = 0) {
  MutableFrame m(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) std::copy(kGrass.begin(), kGrass.end(), m.row(y) + 3 * x);
  }
  Frame f = std::move(m).freeze();
  f.index = index;
  f.pts_us = index * 40'000;
  return f;
}

Bgr pixel(const Frame& f, int x, int y) {
  const uint8_t* p = f.row(y) + 3 * x;
  return {p[0], p[1], p[2]};
}

Track track(int64_t id, BoxXyxy box, std::optional<int> team, ObjectClass role = ObjectClass::kPlayer) {
  Track t;
  t.track_id = id;
  t.box_px = box;
  t.team = team;
  t.role = role;
  t.state = TrackState::kConfirmed;
  return t;
}

TEST(AnnotateFrame, DrawsBoxesByTeamOnACopy) {
  const Frame in = grass(320, 240, 7);
  FrameResult r;
  r.frame_index = 7;
  r.tracks = {track(1, {20, 60, 60, 140}, 0), track(2, {100, 60, 140, 140}, 1),
              track(3, {180, 60, 220, 140}, std::nullopt, ObjectClass::kReferee),
              track(4, {250, 60, 290, 140}, std::nullopt)};
  BallState ball;
  ball.box_px = {150, 200, 156, 206};
  r.ball = ball;
  const Frame out = annotate_frame(in, r, "frame 7");
  ASSERT_EQ(out.width(), 320);
  ASSERT_EQ(out.height(), 240);
  EXPECT_EQ(out.index, 7);
  EXPECT_FALSE(out.shares_pixels_with(in));
  // The input is untouched.
  for (int y = 0; y < 240; y += 7) {
    for (int x = 0; x < 320; x += 5) ASSERT_EQ(pixel(in, x, y), kGrass);
  }
  // Left edges at mid-height carry each role's colour, distinct from each other and the grass.
  const Bgr team0 = pixel(out, 20, 100), team1 = pixel(out, 100, 100);
  const Bgr referee = pixel(out, 180, 100), unknown = pixel(out, 250, 100);
  EXPECT_NE(team0, kGrass);
  EXPECT_NE(team0, team1);
  EXPECT_NE(team1, referee);
  EXPECT_NE(referee, unknown);
  EXPECT_NE(team0, unknown);
  EXPECT_GT(team0[0], team0[2]);           // blue-ish
  EXPECT_GT(team1[2], team1[0]);           // red-ish
  EXPECT_EQ(pixel(out, 40, 100), kGrass);  // inside the box: not filled
  // The ball is ringed, the HUD sits top left.
  int changed_ball = 0, changed_hud = 0;
  for (int y = 185; y < 222; ++y) {
    for (int x = 135; x < 172; ++x) changed_ball += pixel(out, x, y) != kGrass;
  }
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 60; ++x) changed_hud += pixel(out, x, y) != kGrass;
  }
  EXPECT_GT(changed_ball, 20);
  EXPECT_GT(changed_hud, 200);
}

class AnnotatedVideoSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("pt_annotated_sink_" + std::to_string(getpid()))).string();
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AnnotatedVideoSinkTest, WritesOneFramePerResultAndFinalisesOnClose) {
  const std::string path = dir_ + "/annotated.mp4";
  AnnotatedVideoConfig c;  // size from the first frame
  c.video.fps = 25;
  auto sink = make_annotated_video_sink(path, c);
  ASSERT_TRUE(sink.is_ok()) << sink.status().to_string();
  for (int i = 0; i < 30; ++i) {
    FrameResult r;
    r.frame_index = i;
    r.tracks = {track(1, {20.0f + i, 60, 60.0f + i, 140}, 0)};
    // A stream reconnected at another size midway is scaled to the first size.
    const Frame f = i < 20 ? grass(320, 240, i) : grass(160, 120, i);
    ASSERT_TRUE((*sink)->write(r, f).is_ok()) << i;
  }
  ASSERT_TRUE((*sink)->close().is_ok());
  EXPECT_TRUE((*sink)->close().is_ok());  // idempotent
  EXPECT_EQ((*sink)->write(FrameResult{}, grass(320, 240)).code(), StatusCode::kFailedPrecondition);

  auto src = open_source(path);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ((*src)->info().width, 320);
  EXPECT_EQ((*src)->info().height, 240);
  int n = 0;
  while ((*src)->read().is_ok()) ++n;
  EXPECT_EQ(n, 30);
}

TEST_F(AnnotatedVideoSinkTest, ErrorsNameThePath) {
  AnnotatedVideoConfig c;
  c.video.width = 320;
  c.video.height = 240;
  auto bad = make_annotated_video_sink(dir_ + "/missing/dir/annotated.mp4", c);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("missing/dir"), std::string::npos) << bad.status().to_string();

  auto sink = make_annotated_video_sink(dir_ + "/a.mp4", c);
  ASSERT_TRUE(sink.is_ok());
  const Status s = (*sink)->write(FrameResult{}, Frame{});  // no picture
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("a.mp4"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
