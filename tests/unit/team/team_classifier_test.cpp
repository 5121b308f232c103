#include "pitchtrack/team/team_classifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <tuple>

namespace pitchtrack {
namespace {

using Bgr = std::array<uint8_t, 3>;

constexpr Bgr kRed{30, 30, 200};
constexpr Bgr kWhite{235, 235, 235};
constexpr Bgr kRefereeYellow{20, 210, 235};
constexpr Bgr kKeeperOrange{0, 140, 255};
constexpr Bgr kKeeperPurple{160, 40, 120};
constexpr Bgr kSkin{120, 160, 215};
constexpr Bgr kShorts{40, 40, 40};

// Cheap deterministic noise for painting (xorshift64).
class Noise {
 public:
  explicit Noise(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  int operator()(int amplitude) {  // uniform in [-amplitude, amplitude]
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return static_cast<int>(s_ % static_cast<uint64_t>(2 * amplitude + 1)) - amplitude;
  }

 private:
  uint64_t s_;
};

// A synthetic broadcast-like picture: striped, noisy grass with painted people. The grass of a
// given size and seed is drawn once and copied.
class Canvas {
 public:
  // yellowish: broadcast-like yellow-green grass (hue ~82 degrees) instead of green (~113).
  Canvas(int w, int h, uint64_t seed, bool yellowish = false)
      : w_(w), h_(h), px_(grass(w, h, seed % 4, yellowish)), noise_(seed) {}

  // Paints a person in `box`: head, shirt (lower part shaded), shorts, legs; grass stays at the sides.
  void person(const BoxXyxy& b, Bgr shirt) {
    const float h = b.height(), w = b.width(), cx = b.cx();
    fill(cx - 0.12f * w, b.y1, cx + 0.12f * w, b.y1 + 0.15f * h, kSkin, 1.0f);
    fill(cx - 0.3f * w, b.y1 + 0.15f * h, cx + 0.3f * w, b.y1 + 0.38f * h, shirt, 1.0f);
    fill(cx - 0.3f * w, b.y1 + 0.38f * h, cx + 0.3f * w, b.y1 + 0.55f * h, shirt, 0.6f);  // shadow
    fill(cx - 0.5f * w, b.y1 + 0.17f * h, cx - 0.3f * w, b.y1 + 0.45f * h, kSkin, 1.0f);  // arms
    fill(cx + 0.3f * w, b.y1 + 0.17f * h, cx + 0.5f * w, b.y1 + 0.45f * h, kSkin, 1.0f);
    fill(cx - 0.3f * w, b.y1 + 0.55f * h, cx + 0.3f * w, b.y1 + 0.7f * h, kShorts, 1.0f);
    fill(cx - 0.25f * w, b.y1 + 0.7f * h, cx - 0.05f * w, b.y2, kSkin, 0.8f);
    fill(cx + 0.05f * w, b.y1 + 0.7f * h, cx + 0.25f * w, b.y2, kSkin, 0.8f);
  }

  Frame frame() const { return Frame::copy_from(px_.data(), w_, h_, w_ * 3); }

 private:
  static uint8_t clamp8(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

  static const std::vector<uint8_t>& grass(int w, int h, uint64_t variant, bool yellowish) {
    static std::map<std::tuple<int, int, uint64_t, bool>, std::vector<uint8_t>> cache;
    auto& px = cache[{w, h, variant, yellowish}];
    if (!px.empty()) return px;
    px.resize(static_cast<size_t>(w) * h * 3);
    Noise noise(variant + 100);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const bool light = (x / 80) % 2 == 0;  // mown stripes
        int base[3] = {light ? 60 : 45, light ? 150 : 125, light ? 70 : 55};
        if (yellowish) {
          base[0] = light ? 40 : 30;
          base[1] = light ? 150 : 128;
          base[2] = light ? 110 : 95;
        }
        for (int c = 0; c < 3; ++c) px[(static_cast<size_t>(y) * w + x) * 3 + c] = clamp8(base[c] + noise(8));
      }
    }
    return px;
  }

  uint8_t* at(int x, int y) { return &px_[(static_cast<size_t>(y) * w_ + x) * 3]; }
  void fill(float x1, float y1, float x2, float y2, Bgr c, float shade) {
    for (int y = std::max(0, static_cast<int>(y1)); y < std::min(h_, static_cast<int>(y2)); ++y) {
      for (int x = std::max(0, static_cast<int>(x1)); x < std::min(w_, static_cast<int>(x2)); ++x) {
        for (int k = 0; k < 3; ++k)
          at(x, y)[k] = clamp8(static_cast<int>(c[static_cast<size_t>(k)] * shade) + noise_(10));
      }
    }
  }

  int w_, h_;
  std::vector<uint8_t> px_;
  Noise noise_;
};

struct Person {
  int64_t id;
  ObjectClass role;
  Bgr kit;
  int truth;  // 0: red, 1: white, -1: no team
  double pitch_x;
};

// 11 red players on the left half, 11 white on the right, a referee, two keepers.
std::vector<Person> cast(Bgr kit0 = kRed, Bgr kit1 = kWhite) {
  std::vector<Person> p;
  for (int i = 0; i < 11; ++i) p.push_back({1 + i, ObjectClass::kPlayer, kit0, 0, -45.0 + 4.0 * i});
  for (int i = 0; i < 11; ++i) p.push_back({20 + i, ObjectClass::kPlayer, kit1, 1, 5.0 + 4.0 * i});
  p.push_back({40, ObjectClass::kReferee, kRefereeYellow, -1, 0.0});
  p.push_back({41, ObjectClass::kGoalkeeper, kKeeperOrange, 0, -50.0});
  p.push_back({42, ObjectClass::kGoalkeeper, kKeeperPurple, 1, 50.0});
  return p;
}

// Draws everyone at jittered positions on a 5 x 5 grid of cells; returns the frame and tracks.
std::pair<Frame, std::vector<Track>> scene(const std::vector<Person>& people, uint64_t seed,
                                           const std::map<int64_t, Bgr>& kit_override = {},
                                           bool yellowish_grass = false) {
  Canvas canvas(1280, 720, seed, yellowish_grass);
  std::mt19937_64 rng(seed * 7 + 1);
  std::uniform_real_distribution<float> jitter(-20.0f, 20.0f), height(70.0f, 130.0f);
  std::vector<Track> tracks;
  for (size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const float h = height(rng);
    const float cx = 120.0f + 250.0f * static_cast<float>(i % 5) + jitter(rng);
    const float foot = 160.0f + 130.0f * static_cast<float>(i / 5) + jitter(rng);
    Track t;
    t.track_id = p.id;
    t.role = p.role;
    t.state = TrackState::kConfirmed;
    t.box_px = BoxXyxy::from_cxcywh(cx, foot - h / 2, 0.45f * h, h);
    t.pitch_m = PitchPoint{p.pitch_x, 0.0};
    const auto o = kit_override.find(p.id);
    canvas.person(t.box_px, o != kit_override.end() ? o->second : p.kit);
    tracks.push_back(t);
  }
  return {canvas.frame(), tracks};
}

std::unique_ptr<TeamClassifier> make(TeamClassifierConfig c = {}) {
  auto r = TeamClassifier::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

// Runs `frames` frames and returns the label that red players got (to undo the permutation).
int run(TeamClassifier& tc, const std::vector<Person>& people, int frames, uint64_t seed0 = 1) {
  for (int f = 0; f < frames; ++f) {
    auto [frame, tracks] = scene(people, seed0 + static_cast<uint64_t>(f));
    EXPECT_TRUE(tc.assign(frame, tracks, {.frame_index = f}).is_ok());
  }
  auto [frame, tracks] = scene(people, seed0 + 1000);
  EXPECT_TRUE(tc.assign(frame, tracks, {}).is_ok());
  return tracks[0].team.value_or(-1);
}

TEST(TeamClassifier, TwoKitsAreSeparatedPerfectly) {
  auto tc = make();
  const auto people = cast();
  int correct = 0, scored = 0, red_label = -1;
  for (int f = 0; f < 100; ++f) {
    auto [frame, tracks] = scene(people, 100 + static_cast<uint64_t>(f));
    ASSERT_TRUE(tc->assign(frame, tracks, {.frame_index = f}).is_ok());
    if (f < 49) {  // 2 s at 25 fps: still collecting
      EXPECT_FALSE(tc->fitted());
      for (const Track& t : tracks) EXPECT_FALSE(t.team.has_value());
      continue;
    }
    ASSERT_TRUE(tc->fitted()) << "frame " << f;
    for (size_t i = 0; i < tracks.size(); ++i) {
      const Track& t = tracks[i];
      if (people[i].truth < 0) {
        EXPECT_FALSE(t.team.has_value()) << "referee got a team";
        EXPECT_FALSE(t.team_confidence.has_value());
        continue;
      }
      ASSERT_TRUE(t.team.has_value()) << "track " << t.track_id << " frame " << f;
      ASSERT_TRUE(t.team_confidence.has_value());
      EXPECT_GE(*t.team_confidence, 0.0f);
      EXPECT_LE(*t.team_confidence, 1.0f);
      if (red_label < 0 && people[i].truth == 0) red_label = *t.team;
      const int expected = people[i].truth == 0 ? red_label : 1 - red_label;
      ++scored;
      if (*t.team == expected) ++correct;
    }
  }
  EXPECT_EQ(correct, scored);
  EXPECT_GT(scored, 1000);
  // Team 0 is the darker kit: red is darker than white.
  EXPECT_EQ(red_label, 0);
}

// Harder pairs: the kits differ mostly in brightness, or are neighbouring hues.
class KitPairs : public ::testing::TestWithParam<std::pair<Bgr, Bgr>> {};

TEST_P(KitPairs, AreSeparated) {
  auto tc = make();
  const auto people = cast(GetParam().first, GetParam().second);
  run(*tc, people, 50);
  ASSERT_TRUE(tc->fitted());
  int label0 = -1;
  for (int f = 0; f < 10; ++f) {
    auto [frame, tracks] = scene(people, 400 + static_cast<uint64_t>(f));
    ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
    for (size_t i = 0; i < 22; ++i) {
      ASSERT_TRUE(tracks[i].team.has_value());
      if (label0 < 0) label0 = *tracks[i].team;
      EXPECT_EQ(*tracks[i].team, people[i].truth == 0 ? label0 : 1 - label0)
          << "track " << tracks[i].track_id;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    TeamClassifier, KitPairs,
    ::testing::Values(std::make_pair(Bgr{90, 25, 10}, Bgr{235, 190, 130}),     // navy / sky blue
                      std::make_pair(Bgr{25, 25, 25}, Bgr{235, 235, 235}),     // black / white
                      std::make_pair(Bgr{30, 30, 200}, Bgr{40, 20, 100}),      // red / maroon
                      std::make_pair(Bgr{0, 200, 240}, Bgr{0, 120, 250}),      // yellow / orange
                      std::make_pair(Bgr{120, 160, 0}, Bgr{235, 235, 235})));  // emerald / white

// Yellow-green broadcast grass (~81 degrees) and a lime-yellow kit (~68 degrees, as saturated as
// the grass): the adaptive grass window keeps the kit (a fixed 22 degree window removes it as
// grass and this test fails).
TEST(TeamClassifier, YellowKitOnYellowGreenGrass) {
  auto tc = make();
  const auto people = cast(Bgr{70, 230, 210}, Bgr{110, 30, 20});
  for (int f = 0; f < 50; ++f) {
    auto [frame, tracks] = scene(people, 600 + static_cast<uint64_t>(f), {}, true);
    ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
  }
  ASSERT_TRUE(tc->fitted());
  auto [frame, tracks] = scene(people, 700, {}, true);
  auto feats = tc->extract(frame, tracks);
  ASSERT_TRUE(feats.is_ok());
  ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
  const int yellow = tracks[0].team.value_or(-1);
  ASSERT_GE(yellow, 0);
  for (size_t i = 0; i < 22; ++i) {
    EXPECT_TRUE((*feats)[i].valid);
    ASSERT_TRUE(tracks[i].team.has_value());
    EXPECT_EQ(*tracks[i].team, people[i].truth == 0 ? yellow : 1 - yellow) << tracks[i].track_id;
  }
}

// A referee the detector labelled a player matches neither kit: no team.
TEST(TeamClassifier, PlayerMatchingNeitherKitGetsNoTeam) {
  auto tc = make();
  auto people = cast();
  people[22].role = ObjectClass::kPlayer;  // the yellow referee
  run(*tc, people, 55);
  ASSERT_TRUE(tc->fitted());
  for (int f = 0; f < 5; ++f) {
    auto [frame, tracks] = scene(people, 800 + static_cast<uint64_t>(f));
    ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
    EXPECT_FALSE(tracks[22].team.has_value());
    for (size_t i = 0; i < 22; ++i) EXPECT_TRUE(tracks[i].team.has_value());
  }
}

TEST(TeamClassifier, KeepersFollowTheirHalfWhenPitchPositionsAreKnown) {
  auto tc = make();
  const auto people = cast();
  const int red = run(*tc, people, 60);
  auto [frame, tracks] = scene(people, 5000);
  ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
  const Track& gk_red = tracks[23];
  const Track& gk_white = tracks[24];
  ASSERT_EQ(gk_red.role, ObjectClass::kGoalkeeper);
  ASSERT_TRUE(gk_red.team && gk_white.team);
  EXPECT_EQ(*gk_red.team, red);
  EXPECT_EQ(*gk_white.team, 1 - red);
  EXPECT_GT(*gk_red.team_confidence, 0.5f);
}

TEST(TeamClassifier, KeepersWithoutPitchPositionsGetLowConfidence) {
  auto tc = make();
  auto people = cast();
  run(*tc, people, 60);
  auto [frame, tracks] = scene(people, 6000);
  for (Track& t : tracks) t.pitch_m.reset();
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
  for (const Track& t : tracks) {
    if (t.role != ObjectClass::kGoalkeeper) continue;
    ASSERT_TRUE(t.team_confidence.has_value());
    EXPECT_LE(*t.team_confidence, 0.3f + 1e-6f);
  }
}

TEST(TeamClassifier, AFewWrongFramesDoNotFlipATeam) {
  auto tc = make();
  const auto people = cast();
  const int red = run(*tc, people, 70);
  // Player 1 (red) looks white for 4 frames (occlusion by an opponent, say).
  for (int f = 0; f < 4; ++f) {
    auto [frame, tracks] = scene(people, 7000 + static_cast<uint64_t>(f), {{1, kWhite}});
    ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
    ASSERT_TRUE(tracks[0].team.has_value());
    EXPECT_EQ(*tracks[0].team, red) << "flipped after " << f + 1 << " wrong frames";
  }
  // A lasting change (an id switch to a white player) does flip it, within about a second.
  int flipped_at = -1;
  for (int f = 0; f < 40 && flipped_at < 0; ++f) {
    auto [frame, tracks] = scene(people, 8000 + static_cast<uint64_t>(f), {{1, kWhite}});
    ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
    if (*tracks[0].team != red) flipped_at = f;
  }
  EXPECT_GE(flipped_at, 0);
  EXPECT_LT(flipped_at, 25);
}

TEST(TeamClassifier, NotFittedIsAStatus) {
  auto tc = make();
  TeamFeature f;
  f.valid = true;
  f.hist[0] = 1.0f;
  const std::vector<TeamFeature> feats{f};
  auto p = tc->predict(feats);
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.status().message(), "team classifier not fitted");
  tc->update(feats);  // no-op, no crash
  EXPECT_FALSE(tc->fitted());
  // assign() before the fit is not an error, and gives no team.
  auto [frame, tracks] = scene(cast(), 1);
  EXPECT_TRUE(tc->assign(frame, tracks, {}).is_ok());
  for (const Track& t : tracks) EXPECT_FALSE(t.team.has_value());
  EXPECT_GT(tc->buffered_samples(), 0u);
}

TEST(TeamClassifier, ExplicitFitAndPredict) {
  auto tc = make();
  const auto people = cast();
  std::vector<TeamFeature> train;
  std::vector<int> truth;
  for (int f = 0; f < 5; ++f) {
    auto [frame, tracks] = scene(people, 300 + static_cast<uint64_t>(f));
    auto feats = tc->extract(frame, tracks);
    ASSERT_TRUE(feats.is_ok());
    ASSERT_EQ(feats->size(), tracks.size());
    for (size_t i = 0; i < tracks.size(); ++i) {
      if (people[i].role != ObjectClass::kPlayer) continue;
      EXPECT_TRUE((*feats)[i].valid);
      train.push_back((*feats)[i]);
      truth.push_back(people[i].truth);
    }
  }
  ASSERT_TRUE(tc->fit(train).is_ok());
  auto pred = tc->predict(train);
  ASSERT_TRUE(pred.is_ok());
  const int red = (*pred)[0].team;
  for (size_t i = 0; i < train.size(); ++i) {
    EXPECT_EQ((*pred)[i].team, truth[i] == 0 ? red : 1 - red);
    EXPECT_GT((*pred)[i].confidence, 0.3f);
  }
  // Online update keeps the labels.
  tc->update(train);
  auto again = tc->predict(train);
  ASSERT_TRUE(again.is_ok());
  for (size_t i = 0; i < train.size(); ++i) EXPECT_EQ((*again)[i].team, (*pred)[i].team);
}

TEST(TeamClassifier, DetectionEvidenceForTheTracker) {
  // Before the fit: no evidence. After: per detection, the sign is the team (- team 0, + team 1),
  // the size the confidence; the referee's and keepers' kits match neither team (0).
  auto tc = make();
  const auto people = cast();
  auto [frame0, tracks0] = scene(people, 1);
  std::vector<Detection> dets;
  for (const Track& t : tracks0) dets.push_back({t.box_px, 0.9f, t.role});
  std::vector<Track> scratch;
  std::vector<float> evidence{1.0f};
  ASSERT_TRUE(detection_team_evidence(*tc, frame0, dets, scratch, evidence).is_ok());
  EXPECT_TRUE(evidence.empty());
  const int red = run(*tc, people, 75);
  ASSERT_TRUE(tc->fitted());
  ASSERT_TRUE(detection_team_evidence(*tc, frame0, dets, scratch, evidence).is_ok());
  ASSERT_EQ(evidence.size(), dets.size());
  for (size_t i = 0; i < people.size(); ++i) {
    if (people[i].role != ObjectClass::kPlayer) {
      EXPECT_EQ(evidence[i], 0.0f) << "person " << people[i].id;
      continue;
    }
    const int team = people[i].truth == 0 ? red : 1 - red;
    EXPECT_GT(team == 1 ? evidence[i] : -evidence[i], 0.3f) << "person " << people[i].id;
  }
}

TEST(TeamClassifier, FitErrors) {
  auto tc = make();
  EXPECT_EQ(tc->fit({}).code(), StatusCode::kInvalidArgument);
  const auto people = cast();
  auto [frame, tracks] = scene(people, 9);
  auto feats = tc->extract(frame, tracks);
  ASSERT_TRUE(feats.is_ok());
  // One kit only: not separable.
  std::vector<TeamFeature> reds(feats->begin(), feats->begin() + 11);
  const Status s = tc->fit(reds);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.to_string();
  EXPECT_FALSE(tc->fitted());
}

TEST(TeamClassifier, GrassOnlyAndOutsideBoxesAreInvalid) {
  auto tc = make();
  Canvas canvas(640, 360, 3);
  const Frame frame = canvas.frame();
  std::vector<Track> tracks(3);
  tracks[0].box_px = {100, 100, 140, 200};  // only grass
  tracks[1].box_px = {700, 100, 760, 200};  // outside the image
  tracks[2].box_px = {10, 10, 10, 10};      // empty box
  auto feats = tc->extract(frame, tracks);
  ASSERT_TRUE(feats.is_ok());
  for (const TeamFeature& f : *feats) EXPECT_FALSE(f.valid);
  EXPECT_EQ((*feats)[0].pixels, 0);
  auto bad = tc->extract(Frame{}, tracks);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tc->assign(Frame{}, tracks, {}).code(), StatusCode::kInvalidArgument);
}

TEST(TeamClassifier, PerTrackStateIsBounded) {
  TeamClassifierConfig c;
  c.max_track_states = 64;
  c.forget_after_s = 1.0;
  auto tc = make(c);
  auto people = cast();
  run(*tc, people, 55);
  ASSERT_TRUE(tc->fitted());
  // Every frame brings 25 new ids (a tracker that keeps losing everyone).
  int64_t next_id = 1000;
  for (int f = 0; f < 200; ++f) {
    for (Person& p : people) p.id = next_id++;
    auto [frame, tracks] = scene(people, 20000 + static_cast<uint64_t>(f));
    ASSERT_TRUE(tc->assign(frame, tracks, {}).is_ok());
    EXPECT_LE(tc->track_states(), 64u);
  }
  // Nobody seen for longer than forget_after_s: all state goes.
  c.max_track_states = 10000;
  auto tc2 = make(c);
  run(*tc2, cast(), 55);
  EXPECT_GT(tc2->track_states(), 0u);
  const std::vector<Person> nobody;
  for (int f = 0; f < 30; ++f) {
    auto [frame, tracks] = scene(nobody, 1);
    ASSERT_TRUE(tc2->assign(frame, tracks, {}).is_ok());
  }
  EXPECT_EQ(tc2->track_states(), 0u);
  tc2->reset();
  EXPECT_FALSE(tc2->fitted());
}

TEST(TeamClassifier, CameraCutDampsOldVotes) {
  auto tc = make();
  const auto people = cast();
  const int red = run(*tc, people, 70);
  // After a cut, id 1 belongs to a white player: the team follows within a few frames.
  int flipped_at = -1;
  for (int f = 0; f < 20 && flipped_at < 0; ++f) {
    auto [frame, tracks] = scene(people, 9000 + static_cast<uint64_t>(f), {{1, kWhite}});
    ASSERT_TRUE(tc->assign(frame, tracks, {.camera_cut = f == 0}).is_ok());
    if (*tracks[0].team != red) flipped_at = f;
  }
  EXPECT_GE(flipped_at, 0);
  EXPECT_LE(flipped_at, 5);
}

TEST(TeamClassifier, ConfigValidationNamesTheField) {
  auto expect_bad = [](TeamClassifierConfig c, const std::string& field) {
    auto r = TeamClassifier::create(c);
    ASSERT_FALSE(r.is_ok()) << field;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  };
  TeamClassifierConfig c;
  c.fps = 0;
  expect_bad(c, "team.fps");
  c = {};
  c.torso_bottom = 0.1f;
  expect_bad(c, "torso_bottom");
  c = {};
  c.torso_width = 1.5f;
  expect_bad(c, "team.torso_width");
  c = {};
  c.min_samples = 1;
  expect_bad(c, "team.min_samples");
  c = {};
  c.max_fit_samples = 10;
  expect_bad(c, "team.max_fit_samples");
  c = {};
  c.switch_ratio = 0.5f;
  expect_bad(c, "team.switch_ratio");
  c = {};
  c.min_cluster_fraction = 0.5f;
  expect_bad(c, "team.min_cluster_fraction");
  c = {};
  c.update_rate = -0.1f;
  expect_bad(c, "team.update_rate");
  c = {};
  c.max_track_states = 0;
  expect_bad(c, "team.max_track_states");
  c = {};
  c.vote_memory_s = 0;
  expect_bad(c, "team.vote_memory_s");
  EXPECT_TRUE(TeamClassifier::create({}).is_ok());
}

}  // namespace
}  // namespace pitchtrack
