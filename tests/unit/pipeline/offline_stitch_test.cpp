#include "pitchtrack/pipeline/offline_stitch.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pitchtrack/io/tracks_jsonl.hpp"

namespace pitchtrack {
namespace {
namespace fs = std::filesystem;

std::string temp_file(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("pt_offline_stitch_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return (d / name).string();
}

// Frame k at 25 fps; with `homography`, image -> pitch is metres = px / 10.
FrameResult frame_at(int k, bool homography, bool cut = false) {
  FrameResult f;
  f.frame_index = k;
  f.pts_us = k * 40000;
  f.camera_cut = cut;
  if (homography) f.homography = Homography{0.1, 0, 0, 0, 0.1, 0, 0, 0, 1};
  return f;
}

// A confirmed 16x40 px person box at (x, y) with its pitch position under frame_at's homography.
Track person(int64_t id, float x, float y) {
  Track t;
  t.track_id = id;
  t.state = TrackState::kConfirmed;
  t.box_px = {x, y, x + 16, y + 40};
  t.score = 0.9f;
  t.pitch_m = PitchPoint{(x + 8) / 10.0, (y + 40) / 10.0};
  return t;
}

// One person walking right at 2 px/frame, 40 px tall: id 1 on frames 0-19, unseen on 20-22,
// back as id 2 on frames 23-39 where the walk continues. Image -> pitch: metres = px / 10.
void write_two_fragments(const std::string& path) {
  std::ofstream out(path);
  for (int k = 0; k < 40; ++k) {
    FrameResult f = frame_at(k, true);
    if (k < 20 || k >= 23)
      f.tracks.push_back(person(k < 20 ? 1 : 2, 100.0f + 2.0f * static_cast<float>(k), 200));
    out << to_jsonl_line(f) << '\n';
  }
}

TEST(OfflineStitch, JoinsFragmentsAndFillsTheGapWithPitchPositions) {
  const std::string path = temp_file("two.jsonl");
  write_two_fragments(path);
  OfflineStitchConfig cfg;
  auto s = stitch_tracks_file(path, cfg);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->frames, 40);
  EXPECT_EQ(s->ids_before, 2);
  EXPECT_EQ(s->ids_after, 1);
  EXPECT_EQ(s->boxes_added, 3);
  auto back = read_tracks_jsonl(path);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_EQ(back->size(), 40u);
  for (const FrameResult& f : *back) {
    ASSERT_EQ(f.tracks.size(), 1u) << "frame " << f.frame_index;
    EXPECT_EQ(f.tracks[0].track_id, 1);
    ASSERT_TRUE(f.tracks[0].pitch_m.has_value()) << "frame " << f.frame_index;
    const double x = 100.0 + 2.0 * static_cast<double>(f.frame_index) + 8.0;  // foot point x, px
    EXPECT_NEAR(f.tracks[0].pitch_m->x_m, x / 10.0, 0.01) << "frame " << f.frame_index;
  }
  EXPECT_FALSE(fs::exists(path + ".stitching"));
}

// Unknown teams take the track's next team within the shot: a player (id 1) whose team is
// known from frame 3 on gets it on frames 0-2; a player (id 2) known only after the cut at frame
// 6 keeps no team before it; a referee (id 3) and a player never assigned (id 4) stay unknown;
// with max_team_fill_s of 2 frames, id 1 gets its team on frames 1-2 only.
TEST(OfflineStitch, UnknownTeamsTakeTheTracksNextTeamWithinTheShot) {
  const std::string path = temp_file("teams.jsonl");
  {
    std::ofstream out(path);
    for (int k = 0; k < 10; ++k) {
      FrameResult f = frame_at(k, false, k == 6);
      for (int id = 1; id <= 4; ++id) {
        Track t = person(id, 100.0f * static_cast<float>(id), 200);
        t.pitch_m.reset();
        t.role = id == 3 ? ObjectClass::kReferee : ObjectClass::kPlayer;
        if ((id == 1 && k >= 3) || (id == 2 && k >= 6)) {
          t.team = id == 1 ? 1 : 0;
          t.team_confidence = 0.8f;
        }
        f.tracks.push_back(t);
      }
      out << to_jsonl_line(f) << '\n';
    }
  }
  const std::string copy = path + ".copy";
  fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
  OfflineStitchConfig cfg;
  cfg.max_interpolation_gap = 0;
  cfg.stitch.fps = 25.0;
  cfg.max_team_fill_s = 2.5 / 25.0;  // 2 frames and a half
  auto s = stitch_tracks_file(copy, cfg);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->teams_filled, 2);
  cfg.max_team_fill_s = 3.0;
  s = stitch_tracks_file(path, cfg);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->teams_filled, 3);
  auto back = read_tracks_jsonl(path);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_EQ(back->size(), 10u);
  for (const FrameResult& f : *back) {
    ASSERT_EQ(f.tracks.size(), 4u);
    for (const Track& t : f.tracks) {
      const int k = static_cast<int>(f.frame_index);
      if (t.track_id == 1) {
        ASSERT_TRUE(t.team.has_value()) << "frame " << k;
        EXPECT_EQ(*t.team, 1);
        EXPECT_FLOAT_EQ(t.team_confidence.value_or(0), 0.8f);
      } else if (t.track_id == 2) {
        EXPECT_EQ(t.team.has_value(), k >= 6) << "frame " << k;
      } else {
        EXPECT_FALSE(t.team.has_value()) << "id " << t.track_id << " frame " << k;
      }
    }
  }
}

// Smoothing: a walk at 2 px/frame with +-3 px alternating jitter, a cut at frame 10. Boxes with
// two neighbours each side come within 0.6 px of the walk; the first and last box of each shot
// have none on one side and stay as they were (a symmetric window); nothing is averaged across
// the cut; pitch positions follow the smoothed foot points.
TEST(OfflineStitch, SmoothsBoxesWithinTheShotAndRecomputesPitch) {
  const std::string path = temp_file("jitter.jsonl");
  auto jittered_x = [](int k) { return 100.0f + 2.0f * static_cast<float>(k) + (k % 2 == 1 ? 3.0f : -3.0f); };
  {
    std::ofstream out(path);
    for (int k = 0; k < 20; ++k) {
      FrameResult f = frame_at(k, true, k == 10);
      f.tracks.push_back(person(1, jittered_x(k), 200));
      // id 2: steady walk, missing on frame 5; must stay on its line
      if (k != 5) f.tracks.push_back(person(2, 500.0f + 3.0f * static_cast<float>(k), 300));
      out << to_jsonl_line(f) << '\n';
    }
  }
  OfflineStitchConfig cfg;
  cfg.max_interpolation_gap = 0;
  cfg.smooth_half_window = 2;
  auto s = stitch_tracks_file(path, cfg);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->boxes_smoothed, 16 + 15);  // id 2: not frames 0, 9 (before the cut), 10, 19
  auto back = read_tracks_jsonl(path);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_EQ(back->size(), 20u);
  for (const FrameResult& f : *back) {
    const int k = static_cast<int>(f.frame_index);
    ASSERT_EQ(f.tracks.size(), k == 5 ? 1u : 2u);
    for (const Track& u : f.tracks) {
      if (u.track_id != 2) continue;
      EXPECT_NEAR(u.box_px.x1, 500.0f + 3.0f * static_cast<float>(k), 0.01f) << "id 2, frame " << k;
    }
    const Track& t = f.tracks[0];
    ASSERT_EQ(t.track_id, 1);
    const int in_shot = k % 10;
    if (in_shot == 0 || in_shot == 9) {
      EXPECT_NEAR(t.box_px.x1, jittered_x(k), 0.01f) << "frame " << k;
    } else {
      const float tol = in_shot == 1 || in_shot == 8 ? 1.01f : 0.61f;  // 3 or 5 boxes averaged
      EXPECT_NEAR(t.box_px.x1, 100.0f + 2.0f * static_cast<float>(k), tol) << "frame " << k;
    }
    ASSERT_TRUE(t.pitch_m.has_value());
    EXPECT_NEAR(t.pitch_m->x_m, (t.box_px.x1 + t.box_px.x2) / 20.0, 0.01) << "frame " << k;
  }
}

TEST(OfflineStitch, HandsBackIdsExchangedWherePlayersPassed) {
  // A runs right and B left at 4 px/frame; they pass at frame 50, where the tracker handed each
  // one's id to the other. Three people stand still far away.
  const std::string path = temp_file("crossing.jsonl");
  {
    std::ofstream out(path);
    for (int k = 0; k < 100; ++k) {
      FrameResult f = frame_at(k, true);
      const bool handed = k >= 50;
      f.tracks.push_back(person(handed ? 2 : 1, 100.0f + 4.0f * static_cast<float>(k), 200));
      f.tracks.push_back(person(handed ? 1 : 2, 500.0f - 4.0f * static_cast<float>(k), 205));
      for (int p = 0; p < 3; ++p)
        f.tracks.push_back(person(10 + p, 900.0f + 100.0f * static_cast<float>(p), 300));
      out << to_jsonl_line(f) << '\n';
    }
  }
  auto s = stitch_tracks_file(path, OfflineStitchConfig{});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->crossings_exchanged, 1);
  auto frames = read_tracks_jsonl(path);
  ASSERT_TRUE(frames.is_ok());
  for (const Track& t : (*frames)[90].tracks) {
    if (t.box_px.x1 > 400 && t.box_px.x1 < 500) {
      EXPECT_EQ(t.track_id, 1) << "A, running right";
    }
    if (t.box_px.x1 > 100 && t.box_px.x1 < 200) {
      EXPECT_EQ(t.track_id, 2) << "B, running left";
    }
  }
}

TEST(OfflineStitch, BadInputsAreClearErrorsAndLeaveTheFile) {
  auto missing = stitch_tracks_file("/nonexistent/tracks.jsonl", {});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/tracks.jsonl"), std::string::npos);

  const std::string path = temp_file("bad.jsonl");
  std::ofstream(path) << "{\"frame\": 0, \"objects\": 5}\n";
  auto bad = stitch_tracks_file(path, {});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("bad.jsonl"), std::string::npos) << bad.status().to_string();
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{\"frame\": 0, \"objects\": 5}\n");  // untouched

  OfflineStitchConfig neg;
  neg.max_interpolation_gap = -1;
  EXPECT_EQ(stitch_tracks_file(path, neg).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pitchtrack
