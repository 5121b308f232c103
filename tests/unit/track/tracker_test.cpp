#include "pitchtrack/track/tracker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <optional>
#include <random>
#include <span>

#include "pitchtrack/track/interpolation.hpp"
#include "pitchtrack/track/stitching.hpp"

namespace pitchtrack {
namespace {

Detection person(float cx, float foot_y, float h = 60.0f, float score = 0.9f) {
  return {BoxXyxy::from_cxcywh(cx, foot_y - h / 2, h * 0.4f, h), score, ObjectClass::kPlayer};
}

std::unique_ptr<Tracker> make(TrackerConfig c = {}) {
  auto t = Tracker::create(c);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return std::move(t).value();
}

TEST(Tracker, TwoWalkersKeepTheirIds) {
  auto tr = make();
  int64_t id_a = 0, id_b = 0;
  for (int f = 0; f < 100; ++f) {
    std::vector<Detection> d = {person(100.0f + 3 * f, 400), person(900.0f - 2 * f, 300)};
    auto out = tr->update(d, {.frame_index = f});
    ASSERT_EQ(out.size(), 2u) << "frame " << f;
    for (const Track& t : out) {
      EXPECT_GE(t.track_id, 1);
      EXPECT_EQ(t.state, TrackState::kConfirmed);
      int64_t& slot = t.det_index == 0 ? id_a : id_b;
      if (slot == 0) slot = t.track_id;
      EXPECT_EQ(t.track_id, slot) << "frame " << f;
    }
  }
  EXPECT_NE(id_a, id_b);
  EXPECT_EQ(tr->ids_issued(), 2);
}

TEST(Tracker, NewTracksNeedConfirmationAfterTheFirstFrame) {
  auto tr = make();
  EXPECT_EQ(tr->update(std::vector<Detection>{person(100, 400)}, {}).size(), 1u);  // first frame: at once
  auto out = tr->update(std::vector<Detection>{person(101, 400), person(600, 300)}, {});
  EXPECT_EQ(out.size(), 1u);  // the newcomer is tentative
  out = tr->update(std::vector<Detection>{person(102, 400), person(601, 300)}, {});
  EXPECT_EQ(out.size(), 2u);  // confirmed after two hits
}

TEST(Tracker, ShortMissKeepsTheId) {
  auto tr = make();
  int64_t id = 0;
  for (int f = 0; f < 60; ++f) {
    std::vector<Detection> d;
    if (f < 20 || f > 24) d.push_back(person(200.0f + 4 * f, 400));
    auto out = tr->update(d, {});
    if (d.empty()) {
      EXPECT_TRUE(out.empty());
      continue;
    }
    ASSERT_EQ(out.size(), 1u);
    if (id == 0) id = out[0].track_id;
    EXPECT_EQ(out[0].track_id, id) << "frame " << f;
  }
}

TEST(Tracker, LowScoreDetectionsContinueButDoNotStartTracks) {
  auto tr = make();
  tr->update(std::vector<Detection>{person(100, 400, 60, 0.9f)}, {});
  auto out = tr->update(std::vector<Detection>{person(102, 400, 60, 0.3f), person(700, 300, 60, 0.3f)}, {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].track_id, 1);
  EXPECT_EQ(tr->live_tracks(), 1u);
}

TEST(Tracker, RoleIsAVoteOverDetections) {
  auto tr = make();
  for (int f = 0; f < 10; ++f) {
    Detection d = person(100.0f + f, 400);
    d.class_id = f < 7 ? ObjectClass::kReferee : ObjectClass::kPlayer;
    auto out = tr->update(std::vector<Detection>{d}, {});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].role, ObjectClass::kReferee);
  }
}

TEST(Tracker, APersonScoredUnderTwoRolesIsOneTrack) {
  // The referee comes as a referee box and as a player box on the same spot (the detector's
  // per-class NMS keeps both), the player box scored higher in two frames of three; a real
  // player beside the referee (IoU ~0.3) must not be merged.
  for (const float dup_iou : {0.7f, 0.0f}) {
    TrackerConfig c;
    c.class_duplicate_iou = dup_iou;
    auto tr = make(c);
    std::map<int64_t, int> frames_of;
    ObjectClass referee_role = ObjectClass::kBall;
    for (int f = 0; f < 30; ++f) {
      Detection as_ref = person(300.0f + f, 400, 60, 0.65f);
      as_ref.class_id = ObjectClass::kReferee;
      Detection as_player = person(300.5f + f, 400, 60, f % 3 == 0 ? 0.3f : 0.7f);
      const Detection neighbour = person(312.0f + f, 400, 60, 0.8f);
      auto out = tr->update(std::vector<Detection>{as_player, as_ref, neighbour}, {});
      for (const Track& t : out) {
        ++frames_of[t.track_id];
        if (t.det_index != 2) referee_role = t.role;
      }
    }
    if (dup_iou > 0) {
      EXPECT_EQ(frames_of.size(), 2u);  // the referee and the neighbour
      for (const auto& [id, n] : frames_of) EXPECT_EQ(n, 30) << "track " << id;
      // Votes of kept and dropped boxes: referee 30 x 0.65 = 19.5, player 20 x 0.7 + 10 x 0.3 =
      // 17. The kept boxes alone would say player (14 against 6.5).
      EXPECT_EQ(referee_role, ObjectClass::kReferee);
    } else {
      EXPECT_EQ(frames_of.size(), 3u);  // off: a second track sits on the referee
    }
  }
}

TEST(Tracker, APersonSplitBetweenTwoRolesStillStartsATrack) {
  // A keeper the model is sure is a person but not which role: 0.45 as keeper and 0.35 as
  // player, each under new_track_score (0.6). Merged, the person score is the noisy-OR,
  // 1 - 0.55 x 0.65 = 0.64: the keeper gets a track (scored 0.64) and keeps the keeper role.
  // Without the merge neither box can start one.
  for (const float dup_iou : {0.7f, 0.0f}) {
    TrackerConfig c;
    c.class_duplicate_iou = dup_iou;
    auto tr = make(c);
    size_t frames_tracked = 0;
    for (int f = 0; f < 20; ++f) {
      Detection as_keeper = person(500.0f + f, 300, 60, 0.45f);
      as_keeper.class_id = ObjectClass::kGoalkeeper;
      const Detection as_player = person(500.5f + f, 300, 60, 0.35f);
      const auto out = tr->update(std::vector<Detection>{as_player, as_keeper}, {});
      frames_tracked += out.size();
      for (const Track& t : out) {
        EXPECT_EQ(t.role, ObjectClass::kGoalkeeper);
        EXPECT_NEAR(t.score, 0.6425f, 1e-4f);
      }
    }
    if (dup_iou > 0) {
      EXPECT_EQ(frames_tracked, 20u);  // one track from the first frame on
    } else {
      EXPECT_EQ(frames_tracked, 0u);
    }
  }
}

// Two people run into each other, meet box on box and both turn back; the left one's detections
// have class `left_class`, and `teams` (if any) is each one's team colour evidence. Returns
// whether both kept their ids. On motion alone each track goes on through the other person.
bool keep_ids_when_two_meet_and_turn_back(const TrackerConfig& c, ObjectClass left_class,
                                          std::span<const float> teams) {
  auto tr = make(c);
  int64_t left_id = 0, right_id = 0;
  bool kept = true;
  for (int f = 0; f < 40; ++f) {
    const float step = f < 20 ? 3.0f * f : 3.0f * (40 - f);  // in, then back out
    std::vector<Detection> d = {person(100.0f + step, 400), person(220.0f - step, 400)};
    d[0].class_id = left_class;
    for (const Track& t : tr->update(d, {.frame_index = f, .team_evidence = teams})) {
      int64_t& id = t.det_index == 0 ? left_id : right_id;
      if (id == 0) id = t.track_id;
      kept = kept && t.track_id == id;
    }
  }
  return kept;
}

TEST(Tracker, TeamColourKeepsIdsWhenPlayersOfBothTeamsMeetAndTurnBack) {
  // Two players of different teams: with the colour model's evidence (team 0 for the left one,
  // team 1 for the right one) each keeps its id; without it the ids swap.
  const std::array<float, 2> teams = {-0.8f, 0.8f};
  for (const float weight : {8.0f, 0.0f}) {
    TrackerConfig c;
    c.team_weight = weight;
    EXPECT_EQ(keep_ids_when_two_meet_and_turn_back(c, ObjectClass::kPlayer, teams), weight > 0)
        << "team_weight " << weight;
  }
}

TEST(Tracker, RoleKeepsIdsWhenTheRefereeAndAPlayerMeetAndTurnBack) {
  // The same scene without team evidence (a referee has no team): the left one is detected as a
  // referee, the right one as a player. With the role votes in the match cost each keeps its id.
  for (const float weight : {1.0f, 0.0f}) {
    TrackerConfig c;
    c.role_weight = weight;
    EXPECT_EQ(keep_ids_when_two_meet_and_turn_back(c, ObjectClass::kReferee, {}), weight > 0)
        << "role_weight " << weight;
  }
}

TEST(Tracker, CameraMotionKeepsIdsThroughAFastPan) {
  // The camera pans 40 px per frame: boxes jump further than their width every frame.
  auto tr = make();
  int64_t id = 0;
  for (int f = 0; f < 30; ++f) {
    const float shift = -40.0f * f;
    FrameContext ctx;
    if (f > 0) ctx.camera_motion = std::array<double, 6>{1, 0, -40, 0, 1, 0};
    auto out = tr->update(std::vector<Detection>{person(1500.0f + shift, 400, 40)}, ctx);
    ASSERT_EQ(out.size(), 1u) << f;
    if (id == 0) id = out[0].track_id;
    EXPECT_EQ(out[0].track_id, id) << f;
  }
}

TEST(Tracker, CameraCutDropsMotionState) {
  auto tr = make();
  for (int f = 0; f < 10; ++f) tr->update(std::vector<Detection>{person(100.0f + 20 * f, 400)}, {});
  // After a cut the player stands still where the track would have extrapolated to: a stale
  // velocity would carry the prediction away; with the cut the box is re-found at rest.
  FrameContext cut;
  cut.camera_cut = true;
  auto out = tr->update(std::vector<Detection>{person(280, 400)}, cut);
  ASSERT_EQ(out.size(), 1u);
  for (int f = 0; f < 5; ++f) {
    out = tr->update(std::vector<Detection>{person(280, 400)}, {});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].track_id, 1);
  }
}

TEST(Tracker, MemoryStaysBoundedOverAFullMatch) {
  // 135,000 frames (90 min at 25 fps) of 20 players wandering plus random clutter.
  TrackerConfig cfg;
  cfg.max_tracks = 64;
  auto tr = make(cfg);
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  size_t peak = 0;
  for (int f = 0; f < 135000; ++f) {
    std::vector<Detection> d;
    for (int p = 0; p < 20; ++p)
      d.push_back(person(60.0f * p + 30 * std::sin(f * 0.01f + p), 300 + (p % 5) * 80));
    for (int k = 0; k < 3; ++k) d.push_back(person(1280 * u(rng), 200 + 500 * u(rng), 50, 0.7f));
    tr->update(d, {});
    peak = std::max(peak, tr->live_tracks());
  }
  EXPECT_LE(peak, 64u);
}

TEST(Tracker, RepeatedPictureIsNotAZeroVelocityStep) {
  // Every 5th picture repeats the previous one (frame-rate conversion); motion 15 px/frame.
  auto tr = make();
  int64_t id = 0;
  float x = 100;
  for (int f = 0; f < 60; ++f) {
    if (f % 5 != 4) x += 15;
    std::vector<Detection> d = {person(x, 400, 50), person(x + 300, 420, 50), person(x + 600, 380, 50)};
    if (f % 5 == 0 && f > 0) {
      for (auto& det : d) {  // the picture after a repeat is two steps ahead
        det.box_px.x1 += 15;
        det.box_px.x2 += 15;
      }
      x += 15;
    }
    auto out = tr->update(d, {});
    ASSERT_EQ(out.size(), 3u) << f;
    for (const Track& t : out) {
      if (t.det_index == 0) {
        if (id == 0) id = t.track_id;
        EXPECT_EQ(t.track_id, id) << f;
      }
    }
  }
}

TEST(Tracker, ConfigErrorsNameTheField) {
  TrackerConfig c;
  c.fps = 0;
  EXPECT_NE(Tracker::create(c).status().message().find("tracker.fps"), std::string::npos);
  c = {};
  c.confirm_hits = 0;
  EXPECT_NE(Tracker::create(c).status().message().find("tracker.confirm_hits"), std::string::npos);
  c = {};
  c.high_score = 0.05f;
  EXPECT_FALSE(Tracker::create(c).is_ok());
  c = {};
  c.class_duplicate_iou = 1.5f;
  EXPECT_NE(Tracker::create(c).status().message().find("tracker.class_duplicate_iou"), std::string::npos);
}

Track trk(int64_t id, float x) {
  Track t;
  t.track_id = id;
  t.box_px = BoxXyxy::from_cxcywh(x, 300, 20, 50);
  t.score = 0.9f;
  return t;
}

TEST(Interpolation, FillsShortGapsOnly) {
  std::vector<std::vector<Track>> frames(10);
  frames[0] = {trk(1, 100)};
  frames[4] = {trk(1, 140)};  // gap of 3 frames
  frames[9] = {trk(1, 300)};  // gap of 4 frames, longer than max_gap 3
  auto out = interpolate_gaps(frames, 3);
  ASSERT_EQ(out[2].size(), 1u);
  EXPECT_FLOAT_EQ(out[2][0].box_px.cx(), 120.0f);
  EXPECT_EQ(out[2][0].det_index, -1);
  EXPECT_TRUE(out[6].empty());
}

TEST(Stitching, RejoinsAPlayerWhoLeftAndCameBack) {
  // Ids 1..4 stand still; the camera pans right then back. Player 5 leaves the view at the left
  // edge (becoming unseen) and comes back as id 9 near where they left, in panorama terms.
  std::vector<std::vector<Track>> frames(200);
  for (int k = 0; k < 200; ++k) {
    const float cam = k < 100 ? 3.0f * k : 3.0f * (200 - k);  // camera x offset
    for (int p = 1; p <= 4; ++p) frames[static_cast<size_t>(k)].push_back(trk(p, 400.0f + 150 * p - cam));
    const float x5 = 250.0f - cam;
    if (x5 > 0) frames[static_cast<size_t>(k)].push_back(trk(k < 100 ? 5 : 9, x5));
  }
  auto out = stitch_tracklets(frames, StitchConfig{});
  EXPECT_EQ(out[10].back().track_id, 5);
  EXPECT_EQ(out[195].back().track_id, 5);
  EXPECT_EQ(out[195][0].track_id, 1);
}

TEST(Stitching, ClearlyDifferentTeamsOrRolesAreNeverLinked) {
  // The scene of RejoinsAPlayerWhoLeftAndCameBack, with labels on the leaver (id 5) and the
  // newcomer (id 9) where the leaver left: same team links; the other team, or a goalkeeper
  // coming back for a field player, does not; a fragment without a clear team links.
  struct Case {
    std::optional<int> team5, team9;
    ObjectClass role9;
    bool team5_clear;
    int64_t want;
  };
  for (const Case& c :
       {Case{0, 0, ObjectClass::kPlayer, true, 5}, Case{0, 1, ObjectClass::kPlayer, true, 9},
        Case{0, 0, ObjectClass::kGoalkeeper, true, 9}, Case{0, 1, ObjectClass::kPlayer, false, 5},
        Case{std::nullopt, 1, ObjectClass::kPlayer, true, 5}}) {
    std::vector<std::vector<Track>> frames(200);
    for (int k = 0; k < 200; ++k) {
      const float cam = k < 100 ? 3.0f * k : 3.0f * (200 - k);
      for (int p = 1; p <= 4; ++p) frames[static_cast<size_t>(k)].push_back(trk(p, 400.0f + 150 * p - cam));
      const float x5 = 250.0f - cam;
      if (x5 <= 0) continue;
      Track t = trk(k < 100 ? 5 : 9, x5);
      if (k < 100) {
        t.team = c.team5;
        if (!c.team5_clear && k % 2 == 0) t.team = 1 - *c.team5;  // half its frames each team
      } else {
        t.team = c.team9;
        t.role = c.role9;
      }
      frames[static_cast<size_t>(k)].push_back(t);
    }
    auto out = stitch_tracklets(frames, StitchConfig{});
    EXPECT_EQ(out[195].back().track_id, c.want)
        << "team " << (c.team5 ? *c.team5 : -1) << " -> " << (c.team9 ? *c.team9 : -1) << ", role "
        << to_string(c.role9) << (c.team5_clear ? "" : ", leaver's team unclear");
  }
}

TEST(Stitching, AChainDoesNotJoinTwoTeamsThroughAnUnlabelledFragment) {
  // One walker's fragments: id 5 (team 0), a short id 6 without a team, id 7 (team 1). Each
  // link on its own is allowed (6 has no team), but the chain 5 -> 6 -> 7 would give one id to
  // boxes of both teams: it stops before 7.
  std::vector<std::vector<Track>> frames(150);
  for (int k = 0; k < 150; ++k) {
    if ((k >= 60 && k < 70) || (k >= 80 && k < 90)) continue;
    Track t = trk(k < 60 ? 5 : k < 80 ? 6 : 7, 200.0f + 2 * k);
    if (k < 60) t.team = 0;
    if (k >= 90) t.team = 1;
    frames[static_cast<size_t>(k)].push_back(t);
  }
  const auto out = stitch_tracklets(frames, StitchConfig{});
  EXPECT_EQ(out[75][0].track_id, out[0][0].track_id);  // 6 continues 5
  EXPECT_NE(out[149][0].track_id, out[0][0].track_id);
  StitchConfig no_labels;
  no_labels.label_share = 0;
  const auto joined = stitch_tracklets(frames, no_labels);
  EXPECT_EQ(joined[149][0].track_id, joined[0][0].track_id);  // without labels: one chain
}

TEST(Stitching, NoisyBoxHeightsDoNotDriftThePanorama) {
  // A still camera over twelve standing people whose boxes carry a detector's noise (heights
  // sd 3 px of 50, centres sd 1 px). Player 5, at the right edge, is unseen for 12 s and comes
  // back as id 99 where they left; id 98 appears 30 px (about 1 m) to their left at the same
  // moment. Chaining the zoom from the noisy heights alone drifted the panorama far enough over
  // the 300 frames to hand player 5's id to the decoy: for this seed, and for 6 of 9 seeds tried
  // (1-8, 11); the blend with the distances between people failed 1 of the 9 (seed 5).
  std::mt19937 rng(11);
  std::normal_distribution<float> height_noise(0.0f, 3.0f), centre_noise(0.0f, 1.0f);
  auto noisy = [&](int64_t id, float x) {
    Track t;
    t.track_id = id;
    t.box_px =
        BoxXyxy::from_cxcywh(x + centre_noise(rng), 300 + centre_noise(rng), 20, 50 + height_noise(rng));
    t.score = 0.9f;
    return t;
  };
  std::vector<std::vector<Track>> frames(400);
  for (int k = 0; k < 400; ++k) {
    auto& f = frames[static_cast<size_t>(k)];
    for (int p = 10; p < 22; ++p) f.push_back(noisy(p, 100.0f + 85.0f * static_cast<float>(p - 10)));
    if (k < 60) f.push_back(noisy(5, 1260));
    if (k >= 360) {
      f.push_back(noisy(99, 1260));
      f.push_back(noisy(98, 1230));
    }
  }
  auto out = stitch_tracklets(frames, StitchConfig{});
  int64_t back = -1, decoy = -1;
  for (const Track& t : out[380]) {
    if (std::abs(t.box_px.cx() - 1260) < 10) back = t.track_id;
    if (std::abs(t.box_px.cx() - 1230) < 10) decoy = t.track_id;
  }
  EXPECT_EQ(back, 5);
  EXPECT_NE(decoy, 5);
}

TEST(Stitching, OneBadBoxAtAFragmentEndDoesNotMisdirectIt) {
  // A still camera over four standing people. Two team-mates walk out of the view at the left
  // edge, one behind the other in depth (feet at y 300 and 360), and walk back in 1.2 s later
  // as ids 7 and 8, the second a little further up (350). Id 7's first two boxes cover both of
  // them (the detector saw one person over two), so its foot point starts 50 px low. Taken as
  // it comes, that box puts id 7's start on the other player's line with a velocity of 5 px per
  // frame towards its own, which the gap extrapolation carries further off: the leavers' ids
  // come back crossed. Fitted past it, each comes back to his own.
  auto at = [](int64_t id, float x, float foot, float h = 50.0f) {
    Track t;
    t.track_id = id;
    t.box_px = BoxXyxy{x - 10, foot - h, x + 10, foot};
    t.score = 0.9f;
    return t;
  };
  std::vector<std::vector<Track>> frames(120);
  for (int k = 0; k < 120; ++k) {
    auto& f = frames[static_cast<size_t>(k)];
    for (int p = 10; p < 14; ++p) f.push_back(at(p, 500.0f + 150.0f * static_cast<float>(p - 10), 330));
    const auto step = static_cast<float>(k);
    if (k < 40) {  // walking out: x 130 -> 13
      f.push_back(at(1, 130 - 3 * step, 300));
      f.push_back(at(2, 130 - 3 * step, 360));
    } else if (k >= 70) {  // walking back in from x 10
      const float x = 10 + 3 * static_cast<float>(k - 70);
      f.push_back(k < 72 ? at(7, x, 350, 100) : at(7, x, 300));
      f.push_back(at(8, x, 350));
    }
  }
  auto id_at = [](const std::vector<Track>& f, float foot) {
    for (const Track& t : f) {
      if (t.box_px.x1 < 400 && std::abs(t.box_px.y2 - foot) < 1 && t.box_px.height() < 60) return t.track_id;
    }
    return int64_t{-1};
  };
  const auto out = stitch_tracklets(frames, StitchConfig{});
  EXPECT_EQ(id_at(out[100], 300), 1);
  EXPECT_EQ(id_at(out[100], 350), 2);
  StitchConfig raw;  // every end sample used (the scheme before end_outlier_h)
  raw.end_outlier_h = 1e9;
  const auto crossed = stitch_tracklets(frames, raw);
  EXPECT_EQ(id_at(crossed[100], 300), 2);
  EXPECT_EQ(id_at(crossed[100], 350), 1);
}

TEST(Stitching, ShortOnlineMemoryLeavesTheReturnToStitching) {
  // A still camera over four people standing (swaying by a pixel). Player A (x 100) is unseen from frame 50
  // to 150; from frame 100 another player stands 12 px (about 0.35 m) from where A left. Online, A's lost
  // track takes that newcomer (the only detection near its stale box), so A comes back under a
  // new id. With the online memory cut to StitchConfig::online_max_lost_s, as `pitchtrack track`
  // and file runs do when stitching follows, the stitcher sees both starts and gives A's id to A.
  auto run = [](double max_lost_s) {
    TrackerConfig tc;
    tc.max_lost_s = max_lost_s;
    auto tr = make(tc);
    std::vector<std::vector<Track>> frames(200);
    for (int k = 0; k < 200; ++k) {
      // everyone sways by a pixel (identical detections would read as a repeated frame)
      const float sway = static_cast<float>(k % 3);
      std::vector<Detection> d;
      for (int p = 0; p < 4; ++p) d.push_back(person(600.0f + 150.0f * static_cast<float>(p) + sway, 400));
      if (k < 50 || k >= 150) d.push_back(person(100 + sway, 400));
      if (k >= 100) d.push_back(person(112 + sway, 400));
      frames[static_cast<size_t>(k)] = tr->update(d, {.frame_index = k});
    }
    auto out = stitch_tracklets(frames, StitchConfig{});
    // ids of A at frame 10 and at frame 175, and of the newcomer at frame 175 (-1: not seen)
    std::array<int64_t, 3> ids = {-1, -1, -1};
    for (const Track& t : out[10]) {
      if (t.box_px.cx() < 106.0f) ids[0] = t.track_id;
    }
    for (const Track& t : out[175]) {
      if (t.box_px.cx() < 106.0f) ids[1] = t.track_id;
      if (t.box_px.cx() >= 106.0f && t.box_px.cx() < 200.0f) ids[2] = t.track_id;
    }
    return ids;
  };
  const auto ids = run(StitchConfig{}.online_max_lost_s);
  ASSERT_GE(ids[0], 1);
  ASSERT_GE(ids[2], 1);
  EXPECT_EQ(ids[1], ids[0]) << "A keeps its id";
  EXPECT_NE(ids[2], ids[0]) << "the newcomer does not take it";
  const auto old = run(10.0);  // the online tracker's own default: the newcomer inherits A's id
  EXPECT_EQ(old[2], old[0]);
}

// Crossings: a box 20 px wide and 50 px tall (1.8 m) with its foot point at (x, foot_y).
Track box_at(int64_t id, float x, float foot_y, std::optional<int> team = std::nullopt) {
  Track t;
  t.track_id = id;
  t.box_px = BoxXyxy::from_cxcywh(x, foot_y - 25, 20, 50);
  t.score = 0.9f;
  t.team = team;
  return t;
}

// Three people standing still far from the action, so the panorama sees a still camera.
void add_bystanders(std::vector<Track>& f) {
  for (int p = 0; p < 3; ++p) f.push_back(box_at(20 + p, 900.0f + 100.0f * static_cast<float>(p), 500));
}

// Every box keeps an id >= 1, and no id appears twice in a frame.
void expect_valid_ids(const std::vector<std::vector<Track>>& frames) {
  for (size_t k = 0; k < frames.size(); ++k) {
    std::map<int64_t, int> seen;
    for (const Track& t : frames[k]) {
      EXPECT_GE(t.track_id, 1) << "frame " << k;
      EXPECT_EQ(++seen[t.track_id], 1) << "frame " << k << " id " << t.track_id;
    }
  }
}

// id of the box nearest x in frame k (-1: none within 3 px)
int64_t id_near(const std::vector<std::vector<Track>>& frames, size_t k, float x) {
  for (const Track& t : frames[k]) {
    if (std::abs(t.box_px.cx() - x) < 3.0f) return t.track_id;
  }
  return -1;
}

TEST(Crossings, IdsHandedAcrossWherePlayersPassAreHandedBack) {
  // A (id 1) runs right at 4 px/frame, B (id 2) left at 4 px/frame; they pass each other at
  // frame 50 and the tracker hands each one's id to the other there. Both keep running straight,
  // which fits only the exchanged pairing of the motion before and after.
  std::vector<std::vector<Track>> frames(100);
  for (int k = 0; k < 100; ++k) {
    auto& f = frames[static_cast<size_t>(k)];
    const bool handed = k >= 50;
    f.push_back(box_at(handed ? 2 : 1, 100.0f + 4.0f * k, 325));
    f.push_back(box_at(handed ? 1 : 2, 500.0f - 4.0f * k, 330));
    add_bystanders(f);
  }
  auto fixed = frames;
  EXPECT_EQ(resolve_crossings(fixed, StitchConfig{}), 1);
  expect_valid_ids(fixed);
  EXPECT_EQ(id_near(fixed, 90, 100.0f + 4.0f * 90), 1);
  EXPECT_EQ(id_near(fixed, 90, 500.0f - 4.0f * 90), 2);
  EXPECT_EQ(id_near(fixed, 90, 900.0f), 20);
  // Ids that were right stay so.
  std::vector<std::vector<Track>> right(100);
  for (int k = 0; k < 100; ++k) {
    auto& f = right[static_cast<size_t>(k)];
    f.push_back(box_at(1, 100.0f + 4.0f * k, 325));
    f.push_back(box_at(2, 500.0f - 4.0f * k, 330));
    add_bystanders(f);
  }
  auto same = right;
  EXPECT_EQ(resolve_crossings(same, StitchConfig{}), 0);
  EXPECT_EQ(id_near(same, 90, 100.0f + 4.0f * 90), 1);
  // Off, or a contact (3 frames here) longer than crossing_max_s: not judged.
  StitchConfig off;
  off.crossing_iou = 0;
  auto untouched = frames;
  EXPECT_EQ(resolve_crossings(untouched, off), 0);
  EXPECT_EQ(id_near(untouched, 90, 100.0f + 4.0f * 90), 2);
  StitchConfig short_contacts;
  short_contacts.crossing_max_s = 0.05;
  untouched = frames;
  EXPECT_EQ(resolve_crossings(untouched, short_contacts), 0);
  // A camera cut within the windows (frame 55 opens a shot): the panorama does not carry over.
  std::vector<bool> cuts(100);
  cuts[55] = true;
  untouched = frames;
  EXPECT_EQ(resolve_crossings(untouched, StitchConfig{}, cuts), 0);
  cuts[55] = false;
  cuts[70] = true;  // after the windows: judged
  untouched = frames;
  EXPECT_EQ(resolve_crossings(untouched, StitchConfig{}, cuts), 1);
}

TEST(Crossings, APlayerHiddenBehindAnotherGetsHisIdBack) {
  // A (id 1) runs right at 4 px/frame behind B (id 2), who runs left at 2 px/frame. Where they
  // meet the tracker hands the ids across (frames 49-50), then loses A behind B until frame 57,
  // and A comes back as id 9. B runs on under id 1.
  std::vector<std::vector<Track>> frames(100);
  for (int k = 0; k < 100; ++k) {
    auto& f = frames[static_cast<size_t>(k)];
    const float xa = 100.0f + 4.0f * k, xb = 400.0f - 2.0f * k;
    if (k < 51 || k >= 57) f.push_back(box_at(k < 49 ? 1 : (k < 51 ? 2 : 9), xa, 325));
    f.push_back(box_at(k < 49 ? 2 : 1, xb, 330));
    add_bystanders(f);
  }
  EXPECT_EQ(resolve_crossings(frames, StitchConfig{}), 1);
  expect_valid_ids(frames);
  EXPECT_EQ(id_near(frames, 40, 100.0f + 4.0f * 40), 1);
  EXPECT_EQ(id_near(frames, 50, 100.0f + 4.0f * 50), 1) << "from the closest approach on";
  EXPECT_EQ(id_near(frames, 80, 100.0f + 4.0f * 80), 1);
  EXPECT_EQ(id_near(frames, 40, 400.0f - 2.0f * 40), 2);
  EXPECT_EQ(id_near(frames, 80, 400.0f - 2.0f * 80), 2);
}

TEST(Crossings, PlayersOfTwoTeamsWhoMeetAndTurnBackKeepTheirIds) {
  // A (team 0) runs right and B (team 1) left; they meet at frame 50 and each turns back. By
  // motion alone this reads as two players passing each other; their teams say otherwise.
  std::vector<std::vector<Track>> frames(100);
  for (int k = 0; k < 100; ++k) {
    auto& f = frames[static_cast<size_t>(k)];
    const float d = 4.0f * static_cast<float>(k < 50 ? k : 100 - k);
    f.push_back(box_at(1, 100.0f + d, 325, 0));
    f.push_back(box_at(2, 500.0f - d, 330, 1));
    add_bystanders(f);
  }
  EXPECT_EQ(resolve_crossings(frames, StitchConfig{}), 0);
  EXPECT_EQ(id_near(frames, 90, 100.0f + 4.0f * 10), 1);
  EXPECT_EQ(id_near(frames, 90, 500.0f - 4.0f * 10), 2);
}

}  // namespace
}  // namespace pitchtrack
