// Homography code against the 209 ground-truth broadcast homographies of WorldCup 2014
// (../shared/data/wc14-homographies: template in yards 115 x 74 -> image pixels, 1280x720).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "pitchtrack/pitch/calibration_error.hpp"
#include "pitchtrack/pitch/homography.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {

constexpr ImageSize kImage{1280, 720};

struct Wc14 {
  std::vector<std::string> names;
  std::vector<Homography> image_to_pitch;  // canonical, DESIGN.md pitch frame (metres, centred)
  std::vector<PitchPoint> line_points;     // the line model, metres, centred
};

// Row-major 3x3 product.
Homography mul(const Homography& a, const Homography& b) {
  Homography c{};
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) {
      double s = 0;
      for (int i = 0; i < 3; ++i) s += a[static_cast<size_t>(3 * r + i)] * b[static_cast<size_t>(3 * i + k)];
      c[static_cast<size_t>(3 * r + k)] = s;
    }
  return c;
}

Wc14 load(const std::string& dir) {
  Wc14 w;
  std::ifstream hf(dir + "/wc14_train_val_homographies.txt");
  std::string line;
  // Template yards (0..115, 0..74, y = 0 at the far touchline) from centred metres: x_yd =
  // (x + 52.5) * 115/105, y_yd = (y + 34) * 74/68. The file's H maps yards -> pixels.
  const Homography centred_m_to_yards = {
      115.0 / 105, 0, 52.5 * 115.0 / 105, 0, 74.0 / 68, 34.0 * 74.0 / 68, 0, 0, 1};
  while (std::getline(hf, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string name;
    Homography yards_to_px{};
    s >> name;
    for (auto& v : yards_to_px) s >> v;
    const auto inv = invert_homography(mul(yards_to_px, centred_m_to_yards));
    EXPECT_TRUE(inv.is_ok()) << name;
    if (!inv.is_ok()) continue;
    w.names.push_back(name);
    w.image_to_pitch.push_back(normalize_homography(*inv));
  }
  std::ifstream pf(dir + "/wc14_template_points_metres.txt");
  while (std::getline(pf, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    double x, y;
    if (s >> x >> y) w.line_points.push_back({x - 52.5, y - 34.0});
  }
  return w;
}

std::vector<PitchPoint> visible_grid(const Homography& h, double step) {
  std::vector<PitchPoint> out;
  for (double y = -34; y <= 34; y += step)
    for (double x = -52.5; x <= 52.5; x += step) {
      const auto q = pitch_to_image(h, {x, y});
      if (q && q->x_px >= 0 && q->y_px >= 0 && q->x_px < kImage.width_px && q->y_px < kImage.height_px) {
        out.push_back({x, y});
      }
    }
  return out;
}

TEST(PitchWc14, LineModelMatchesOurPitchModel) {
  PT_REQUIRE_SHARED_DATA(dir, "wc14-homographies");
  const Wc14 w = load(dir);
  ASSERT_EQ(w.line_points.size(), 302u);
  const auto pitch = PitchModel::create().value();
  const auto ours = pitch.sample_lines(0.05);
  int far = 0;
  for (const auto& p : w.line_points) {
    double best = 1e9;
    for (const auto& q : ours) best = std::min(best, std::hypot(p.x_m - q.x_m, p.y_m - q.y_m));
    far += best > 0.25 ? 1 : 0;
  }
  EXPECT_EQ(far, 0) << "WC14 line points farther than 0.25 m from our FIFA lines";
}

TEST(PitchWc14, GroundTruthProjectsTheLinesIntoTheImage) {
  PT_REQUIRE_SHARED_DATA(dir, "wc14-homographies");
  const Wc14 w = load(dir);
  ASSERT_EQ(w.image_to_pitch.size(), 209u);
  const auto pitch = PitchModel::create().value();
  const auto lines = pitch.sample_lines(0.5);
  HomographyChecks checks;
  checks.image = kImage;
  for (size_t i = 0; i < w.image_to_pitch.size(); ++i) {
    const Homography& h = w.image_to_pitch[i];
    EXPECT_TRUE(validate_homography(h, pitch, checks, w.names[i]).is_ok())
        << validate_homography(h, pitch, checks, w.names[i]).to_string();
    int in_image = 0, in_front = 0;
    for (const auto& p : lines) {
      const auto q = pitch_to_image(h, p);
      if (!q) continue;
      ++in_front;
      ASSERT_TRUE(std::isfinite(q->x_px) && std::isfinite(q->y_px)) << w.names[i];
      in_image += (q->x_px >= 0 && q->y_px >= 0 && q->x_px < 1280 && q->y_px < 720) ? 1 : 0;
    }
    // A broadcast view sees a good part of the markings, in front of the camera.
    EXPECT_GT(in_front, static_cast<int>(lines.size()) * 3 / 4) << w.names[i];
    EXPECT_GE(in_image, 40) << w.names[i];
    // The bottom centre of the frame is on the grass near the camera.
    const auto foot = image_to_pitch(h, 640.0, 700.0);
    ASSERT_TRUE(foot.has_value()) << w.names[i];
    EXPECT_TRUE(pitch.contains(*foot, 15.0)) << w.names[i] << " " << foot->x_m << "," << foot->y_m;
  }
}

TEST(PitchWc14, RecoversEachHomographyFromCorrespondences) {
  PT_REQUIRE_SHARED_DATA(dir, "wc14-homographies");
  const Wc14 w = load(dir);
  ASSERT_FALSE(w.image_to_pitch.empty());
  const auto pitch = PitchModel::create().value();
  std::mt19937_64 rng(2014);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> ux(0, 1280), uy(0, 720);
  double worst_rel = 0, sum_err = 0, worst_err = 0;
  int n = 0;
  for (size_t i = 0; i < w.image_to_pitch.size(); ++i) {
    const Homography& gt = w.image_to_pitch[i];
    auto grid = visible_grid(gt, 5.0);
    if (grid.size() < 12) grid = visible_grid(gt, 2.0);
    ASSERT_GE(grid.size(), 12u) << w.names[i];
    if (grid.size() > 40) {  // a spread subset of 40
      std::vector<PitchPoint> sub;
      for (size_t k = 0; k < 40; ++k) sub.push_back(grid[k * grid.size() / 40]);
      grid = sub;
    }
    // noise-free
    std::vector<PointPair> exact;
    for (const auto& p : grid) {
      const auto q = pitch_to_image(gt, p).value();
      exact.push_back({q.x_px, q.y_px, p});
    }
    auto h = estimate_homography(exact);
    ASSERT_TRUE(h.is_ok()) << w.names[i] << ": " << h.status().to_string();
    double diff = 0;
    for (size_t k = 0; k < 9; ++k) diff += ((*h)[k] - gt[k]) * ((*h)[k] - gt[k]);
    worst_rel = std::max(worst_rel, std::sqrt(diff));  // both have Frobenius norm 1
    // 1 px noise and 20% outliers through RANSAC
    std::vector<PointPair> noisy;
    for (size_t k = 0; k < exact.size(); ++k) {
      PointPair p = exact[k];
      if (k % 5 == 2) {
        p.x_px = ux(rng);
        p.y_px = uy(rng);
      } else {
        p.x_px += noise(rng);
        p.y_px += noise(rng);
      }
      noisy.push_back(p);
    }
    RansacConfig rc;
    rc.inlier_threshold_px = 3.0;
    auto r = estimate_homography_ransac(noisy, rc);
    ASSERT_TRUE(r.is_ok()) << w.names[i] << ": " << r.status().to_string();
    const auto e = pitch_grid_error(r->image_to_pitch, gt, pitch, kImage, 1.0);
    ASSERT_TRUE(e.has_value()) << w.names[i];
    sum_err += e->mean_m;
    worst_err = std::max(worst_err, e->mean_m);
    ++n;
  }
  const double mean_err = sum_err / n;
  std::cout << "wc14: " << n << " homographies; noise-free max relative error " << worst_rel
            << "; 1 px noise + 20% outliers: mean pitch-grid error " << mean_err << " m (worst frame "
            << worst_err << " m)\n";
  EXPECT_LT(worst_rel, 1e-6);
  EXPECT_LT(mean_err, 0.5);
}

}  // namespace
}  // namespace pitchtrack
