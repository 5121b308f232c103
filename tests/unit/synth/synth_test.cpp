#include "pitchtrack/synth/match_synthesizer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pitchtrack/io/source.hpp"
#include "synth/pitch_lines.hpp"

namespace pitchtrack {
namespace {
namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Rows of a CSV file (header skipped when `header`), fields as strings.
std::vector<std::vector<std::string>> read_csv(const fs::path& p, bool header = true) {
  std::ifstream f(p);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  if (header) std::getline(f, line);
  while (std::getline(f, line)) {
    std::vector<std::string> fields;
    std::string field;
    std::stringstream ss(line);
    while (std::getline(ss, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

double num(const std::string& s) { return std::stod(s); }

struct Box {
  double x, y, w, h, vis;
};
struct PitchRow {
  std::string role;
  int team;
  double x, y;
  bool visible;
};

// The ground truth of one run, indexed by frame (1-based).
struct Truth {
  int frames = 0;
  std::map<int, std::map<int, Box>> boxes;        // frame -> id -> box
  std::map<int, std::map<int, PitchRow>> pitch;   // frame -> id -> row
  std::map<int, std::vector<std::string>> ball;   // frame -> row
  std::map<int, Eigen::Matrix3d> image_to_pitch;  // frame -> H
  std::vector<std::vector<std::string>> cuts;
};

Truth load_truth(const fs::path& gt) {
  Truth t;
  for (const auto& r : read_csv(gt / "gt.txt", false)) {
    t.boxes[std::stoi(r[0])][std::stoi(r[1])] = {num(r[2]), num(r[3]), num(r[4]), num(r[5]), num(r[8])};
  }
  for (const auto& r : read_csv(gt / "pitch.csv")) {
    t.pitch[std::stoi(r[0])][std::stoi(r[1])] = {r[2], std::stoi(r[3]), num(r[4]), num(r[5]), r[6] == "1"};
  }
  for (const auto& r : read_csv(gt / "ball.csv")) {
    EXPECT_EQ(t.ball.count(std::stoi(r[0])), 0u) << "two ball rows in frame " << r[0];
    t.ball[std::stoi(r[0])] = r;
  }
  for (const auto& r : read_csv(gt / "camera.csv")) {
    Eigen::Matrix3d h;
    for (int k = 0; k < 9; ++k) h(k / 3, k % 3) = num(r[1 + k]);
    t.image_to_pitch[std::stoi(r[0])] = h;
  }
  t.cuts = read_csv(gt / "cuts.csv");
  t.frames = static_cast<int>(t.image_to_pitch.size());
  return t;
}

Eigen::Vector2d apply(const Eigen::Matrix3d& h, double x, double y) {
  const Eigen::Vector3d p = h * Eigen::Vector3d(x, y, 1.0);
  return {p.x() / p.z(), p.y() / p.z()};
}

const uint8_t* pixel(const Frame& f, int x, int y) { return f.row(y) + 3 * x; }

SynthConfig small_config(const fs::path& dir) {
  SynthConfig c;
  c.out_dir = dir.string();
  c.seconds = 3.0;
  c.seed = 7;
  c.width = 960;
  c.height = 540;
  c.crf = 18;
  c.motion_blur = false;  // keeps the one-pixel lines crisp for the pixel checks
  return c;
}

class SynthRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("pitchtrack_synth_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    auto synth = MatchSynthesizer::create(small_config(root_ / "a"));
    ASSERT_TRUE(synth.is_ok()) << synth.status().to_string();
    auto summary = (*synth)->run();
    ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
    summary_ = *summary;
    truth_ = new Truth(load_truth(root_ / "a" / "gt"));
  }
  static void TearDownTestSuite() {
    delete truth_;
    truth_ = nullptr;
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  static fs::path root_;
  static SynthSummary summary_;
  static Truth* truth_;
};
fs::path SynthRun::root_;
SynthSummary SynthRun::summary_;
Truth* SynthRun::truth_ = nullptr;

TEST_F(SynthRun, WritesEveryFileAndOneRowPerFrame) {
  ASSERT_NE(truth_, nullptr);
  const Truth& t = *truth_;
  EXPECT_EQ(t.frames, 75);
  EXPECT_EQ(summary_.frames, 75);
  for (const char* f : {"gt.txt", "pitch.csv", "ball.csv", "camera.csv", "cuts.csv", "meta.json"}) {
    EXPECT_TRUE(fs::exists(root_ / "a" / "gt" / f)) << f;
  }
  EXPECT_EQ(read_text(root_ / "a" / "gt" / "pitch.csv").substr(0, 35),
            "frame,id,role,team,x_m,y_m,visible\n");
  EXPECT_EQ(t.ball.size(), 75u);  // exactly one ball per frame
  for (int f = 1; f <= t.frames; ++f) {
    EXPECT_EQ(t.image_to_pitch.count(f), 1u);
    EXPECT_DOUBLE_EQ(t.image_to_pitch.at(f)(2, 2), 1.0);
  }
  const std::string meta = read_text(root_ / "a" / "gt" / "meta.json");
  EXPECT_NE(meta.find("\"frames\": 75"), std::string::npos);
  EXPECT_NE(meta.find("\"seed\": 7"), std::string::npos);
}

TEST_F(SynthRun, HasTwoTeamsTwoKeepersAndOneToThreeReferees) {
  ASSERT_NE(truth_, nullptr);
  for (const auto& [frame, people] : truth_->pitch) {
    int players = 0, keepers = 0, referees = 0;
    std::array<int, 2> team{};
    for (const auto& [id, p] : people) {
      EXPECT_GE(id, 1);
      if (p.role == "player") ++players;
      if (p.role == "goalkeeper") ++keepers;
      if (p.role == "referee") {
        ++referees;
        EXPECT_EQ(p.team, -1);
      } else {
        ASSERT_TRUE(p.team == 0 || p.team == 1);
        ++team[p.team];
      }
    }
    EXPECT_EQ(players, 20) << "frame " << frame;
    EXPECT_EQ(keepers, 2) << "frame " << frame;
    EXPECT_EQ(team[0], 11);
    EXPECT_EQ(team[1], 11);
    EXPECT_GE(referees, 1);
    EXPECT_LE(referees, 3);
  }
}

TEST_F(SynthRun, SpeedsAndAccelerationsAreBounded) {
  ASSERT_NE(truth_, nullptr);
  const double dt = 1.0 / 25.0;
  std::map<int, std::vector<Eigen::Vector2d>> tracks;
  for (const auto& [frame, people] : truth_->pitch) {
    for (const auto& [id, p] : people) tracks[id].emplace_back(p.x, p.y);
  }
  double vmax = 0, amax = 0;
  for (const auto& [id, pts] : tracks) {
    ASSERT_EQ(pts.size(), 75u);
    for (size_t k = 1; k < pts.size(); ++k) vmax = std::max(vmax, (pts[k] - pts[k - 1]).norm() / dt);
    for (size_t k = 2; k < pts.size(); ++k) {
      amax = std::max(amax, (pts[k] - 2 * pts[k - 1] + pts[k - 2]).norm() / (dt * dt));
    }
  }
  EXPECT_LE(vmax, 9.5 + 0.01);
  EXPECT_LE(amax, 5.0 + 0.3);  // 5 m/s^2 bound plus 0.1 mm rounding of the positions
  EXPECT_GT(vmax, 2.0);        // people do move
}

TEST_F(SynthRun, BoxesStandOnTheProjectedFootPoints) {
  ASSERT_NE(truth_, nullptr);
  const Truth& t = *truth_;
  int checked = 0;
  for (const auto& [frame, boxes] : t.boxes) {
    const Eigen::Matrix3d to_image = t.image_to_pitch.at(frame).inverse();
    for (const auto& [id, b] : boxes) {
      EXPECT_GE(b.vis, 0.0);
      EXPECT_LE(b.vis, 1.0);
      EXPECT_GE(b.x, 0.0);
      EXPECT_GE(b.y, 0.0);
      EXPECT_LE(b.x + b.w, 960.0 + 1e-6);
      EXPECT_LE(b.y + b.h, 540.0 + 1e-6);
      const PitchRow& p = t.pitch.at(frame).at(id);
      // Only boxes not clipped by the image border have their true bottom centre.
      if (b.x < 0.5 || b.y < 0.5 || b.x + b.w > 959.5 || b.y + b.h > 539.5) continue;
      const Eigen::Vector2d foot = apply(to_image, p.x, p.y);
      EXPECT_NEAR(foot.x(), b.x + 0.5 * b.w, 2.0) << "frame " << frame << " id " << id;
      EXPECT_NEAR(foot.y(), b.y + b.h, 2.0) << "frame " << frame << " id " << id;
      EXPECT_GT(b.h, 1.2 * b.w);  // people are upright
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST_F(SynthRun, VisibleFlagsAgreeWithBoxes) {
  ASSERT_NE(truth_, nullptr);
  for (const auto& [frame, people] : truth_->pitch) {
    const auto it = truth_->boxes.find(frame);
    for (const auto& [id, p] : people) {
      const bool has_box = it != truth_->boxes.end() && it->second.count(id) > 0;
      if (p.visible) {
        EXPECT_TRUE(has_box) << "frame " << frame << " id " << id;
        if (has_box) {
          EXPECT_GT(it->second.at(id).vis, 0.0);
        }
      } else if (has_box) {
        EXPECT_EQ(it->second.at(id).vis, 0.0);
      }
    }
  }
}

TEST_F(SynthRun, VideoHasOneFramePerGroundTruthFrame) {
  auto src = open_source(summary_.video_path);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ((*src)->info().width, 960);
  EXPECT_EQ((*src)->info().height, 540);
  EXPECT_NEAR((*src)->info().fps, 25.0, 0.01);
  int n = 0;
  while ((*src)->read().is_ok()) ++n;
  EXPECT_EQ(n, truth_->frames);
}

TEST_F(SynthRun, SameSeedGivesIdenticalGroundTruth) {
  auto again = MatchSynthesizer::create(small_config(root_ / "b"));
  ASSERT_TRUE(again.is_ok());
  ASSERT_TRUE((*again)->run().is_ok());
  for (const char* f : {"gt.txt", "pitch.csv", "ball.csv", "camera.csv", "cuts.csv", "meta.json"}) {
    EXPECT_EQ(read_text(root_ / "a" / "gt" / f), read_text(root_ / "b" / "gt" / f)) << f;
  }
  SynthConfig other = small_config(root_ / "c");
  other.seed = 8;
  other.seconds = 0.4;
  auto different = MatchSynthesizer::create(other);
  ASSERT_TRUE(different.is_ok());
  ASSERT_TRUE((*different)->run().is_ok());
  EXPECT_NE(read_text(root_ / "a" / "gt" / "pitch.csv").substr(0, 2000),
            read_text(root_ / "c" / "gt" / "pitch.csv").substr(0, 2000));
}

TEST_F(SynthRun, PitchLineModelLiesInsideThePitch) {
  const synth::PitchLines lines = synth::make_pitch_lines(105.0, 68.0);
  EXPECT_EQ(lines.markings.size(), 16u);  // 4 central + 6 per half
  for (const auto& m : lines.markings) {
    for (const auto& contour : lines.polygons(m)) {
      for (const auto& p : contour) {
        EXPECT_LE(std::abs(p.x()), 52.5 + 1e-9) << m.name;
        EXPECT_LE(std::abs(p.y()), 34.0 + 1e-9) << m.name;
      }
    }
  }
}

// Pixel checks on the exact rendered frames: a second synthesizer with the same configuration
// renders the same frames (render_next) that the first one encoded.
TEST_F(SynthRun, RenderedLinesAndGrassMatchTheCamera) {
  ASSERT_NE(truth_, nullptr);
  const Truth& t = *truth_;
  auto synth = MatchSynthesizer::create(small_config(root_ / "unused"));
  ASSERT_TRUE(synth.is_ok());
  const synth::PitchLines lines = synth::make_pitch_lines(105.0, 68.0);
  int line_samples = 0, white_samples = 0, grass_checked = 0, bright_on_grass = 0, bright_off_lines = 0;
  for (int frame = 1; frame <= t.frames; ++frame) {
    auto f = (*synth)->render_next();
    ASSERT_TRUE(f.is_ok());
    if (frame % 25 != 1) continue;
    const Eigen::Matrix3d h = t.image_to_pitch.at(frame);
    const Eigen::Matrix3d to_image = h.inverse();
    const auto& ball = t.ball.at(frame);
    auto in_box = [&](double x, double y) {
      if (ball[8] == "1") {
        const double bx = num(ball[1]), by = num(ball[2]), bw = num(ball[3]), bh = num(ball[4]);
        if (x >= bx - 3 && x <= bx + bw + 3 && y >= by - 3 && y <= by + bh + 3) return true;
      }
      const auto it = t.boxes.find(frame);
      if (it == t.boxes.end()) return false;
      for (const auto& [id, b] : it->second) {
        if (x >= b.x - 4 && x <= b.x + b.w + 4 && y >= b.y - 4 && y <= b.y + b.h + 4) return true;
      }
      return false;
    };
    // (1) Points on the painted line model, projected through the ground truth, are white.
    for (const auto& m : lines.markings) {
      if (m.spot) continue;
      for (size_t k = 0; k + 1 < m.points.size() + (m.closed ? 1 : 0); ++k) {
        const auto& a = m.points[k];
        const auto& b = m.points[(k + 1) % m.points.size()];
        for (double s = 0.1; s < 0.95; s += 0.2) {
          const Eigen::Vector2d g = a + (b - a) * s;
          const Eigen::Vector2d px = apply(to_image, g.x(), g.y());
          const int x = static_cast<int>(std::floor(px.x())), y = static_cast<int>(std::floor(px.y()));
          if (x < 2 || y < 2 || x >= 958 || y >= 538 || in_box(px.x(), px.y())) continue;
          ++line_samples;
          const uint8_t* p = pixel(*f, x, y);
          if (p[0] > 140 && p[1] > 140 && p[2] > 140) ++white_samples;
        }
      }
    }
    // (2) Bright grey pixels on the grass lie on the lines, inside the pitch.
    for (int y = 0; y < 540; y += 2) {
      for (int x = 0; x < 960; x += 2) {
        const uint8_t* p = pixel(*f, x, y);
        const int lo = std::min({p[0], p[1], p[2]}), hi = std::max({p[0], p[1], p[2]});
        if (lo < 190 || hi - lo > 40 || in_box(x + 0.5, y + 0.5)) continue;
        const Eigen::Vector2d g = apply(h, x + 0.5, y + 0.5);
        const bool on_grass = std::abs(g.x()) < 52.5 + 5.0 && g.y() > -34.0 - 4.0 && g.y() < 34.0 + 4.0;
        // Posts and nets stand up, so their pixels map to ground points behind the goal.
        const bool goal = std::abs(g.x()) > 52.0 && std::abs(g.y()) < 25.0;
        if (!on_grass || goal) continue;
        const bool horizon = (h.row(2) * Eigen::Vector3d(x + 0.5, y + 0.5, 1.0))(0) <= 0;
        if (horizon) continue;
        ++bright_on_grass;
        // Tolerance: anti-aliasing reaches about a pixel, whose footprint on the far side of the
        // pitch is tens of centimetres.
        const double footprint =
            std::max((apply(h, x + 0.5, y + 1.5) - g).norm(), (apply(h, x + 1.5, y + 0.5) - g).norm());
        const double tol = 0.1 + 1.5 * footprint;
        if (std::abs(g.x()) > 52.5 + tol || std::abs(g.y()) > 34.0 + tol) {
          ++bright_off_lines;
          ADD_FAILURE() << "frame " << frame << " pixel " << x << "," << y << " -> " << g.transpose();
        }
      }
    }
    // (3) A point on the grass between the lines is green.
    for (const Eigen::Vector2d& g : {Eigen::Vector2d(-30, 5), Eigen::Vector2d(30, -5), Eigen::Vector2d(6, 20),
                                     Eigen::Vector2d(-6, -20), Eigen::Vector2d(20, 12)}) {
      const Eigen::Vector2d px = apply(to_image, g.x(), g.y());
      const int x = static_cast<int>(px.x()), y = static_cast<int>(px.y());
      if (x < 0 || y < 0 || x >= 960 || y >= 540 || in_box(px.x(), px.y())) continue;
      const uint8_t* p = pixel(*f, x, y);
      EXPECT_GT(p[1], p[0] + 25) << "frame " << frame << " at " << g.transpose();
      EXPECT_GT(p[1], p[2] + 25) << "frame " << frame << " at " << g.transpose();
      ++grass_checked;
    }
  }
  EXPECT_GT(line_samples, 50);
  EXPECT_GE(white_samples, 0.85 * line_samples) << white_samples << " of " << line_samples;
  EXPECT_GT(bright_on_grass, 100);
  EXPECT_EQ(bright_off_lines, 0);
  EXPECT_GT(grass_checked, 2);
}

TEST(Synth, CutsToCloseUpsAndBack) {
  const fs::path dir = fs::temp_directory_path() / ("pitchtrack_synth_cuts_" + std::to_string(::getpid()));
  SynthConfig c;
  c.out_dir = dir.string();
  c.seconds = 16.0;
  c.seed = 3;
  c.width = 320;
  c.height = 180;
  c.cuts = true;
  c.overlay = true;
  c.preset = "ultrafast";
  auto synth = MatchSynthesizer::create(c);
  ASSERT_TRUE(synth.is_ok());
  auto summary = (*synth)->run();
  ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
  const auto cuts = read_csv(dir / "gt" / "cuts.csv");
  ASSERT_GE(cuts.size(), 2u);
  EXPECT_EQ(cuts[0][1], "close_up");
  EXPECT_EQ(cuts[1][1], "wide");
  EXPECT_EQ(summary->cuts, static_cast<int>(cuts.size()));
  // The camera jumps at a cut: the image centre lands somewhere else on the pitch.
  const Truth t = load_truth(dir / "gt");
  const int f = std::stoi(cuts[0][0]);
  const Eigen::Vector2d before = apply(t.image_to_pitch.at(f - 1), 160, 150);
  const Eigen::Vector2d after = apply(t.image_to_pitch.at(f), 160, 150);
  EXPECT_GT((after - before).norm(), 1.0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(Synth, BadConfigurationsAreClearErrors) {
  SynthConfig c;
  c.out_dir = "/tmp/unused";
  c.width = 641;
  auto odd = MatchSynthesizer::create(c);
  ASSERT_FALSE(odd.is_ok());
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(odd.status().message().find("synth.width/height"), std::string::npos);
  c.width = 640;
  c.seconds = 0;
  EXPECT_EQ(MatchSynthesizer::create(c).status().code(), StatusCode::kInvalidArgument);
  c.seconds = 1;
  c.pitch_width_m = 100;
  EXPECT_NE(MatchSynthesizer::create(c).status().message().find("pitch_width_m"), std::string::npos);

  // An output directory that cannot be created (a regular file is in the way).
  const fs::path file = fs::temp_directory_path() / ("pitchtrack_synth_file_" + std::to_string(::getpid()));
  std::ofstream(file) << "x";
  SynthConfig ok;
  ok.out_dir = (file / "sub").string();
  ok.width = 64;
  ok.height = 64;
  ok.seconds = 0.2;
  auto synth = MatchSynthesizer::create(ok);
  ASSERT_TRUE(synth.is_ok());
  auto run = (*synth)->run();
  EXPECT_FALSE(run.is_ok());
  EXPECT_NE(run.status().message().find(ok.out_dir), std::string::npos) << run.status().to_string();
  fs::remove(file);
}

}  // namespace
}  // namespace pitchtrack
