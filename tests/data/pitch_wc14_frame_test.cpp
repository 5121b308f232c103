// Label `data`: keypoint model + calibrator on a frame from another league and broadcaster than
// the training data (WorldCup 2014, train_val_16.jpg, 1280x720) against its ground-truth homography.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "pitchtrack/detect/pitch_keypoint_detector.hpp"
#include "pitchtrack/io/image.hpp"
#include "pitchtrack/pitch/calibration_error.hpp"
#include "pitchtrack/pitch/calibrator.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {

TEST(DataPitchWc14Frame, CalibratesAnUnseenBroadcastFrame) {
  PT_REQUIRE_SHARED_DATA(dir, "wc14-homographies");
  // Ground truth: template yards -> pixels; centred metres -> yards.
  std::ifstream hf(dir + "/wc14_train_val_homographies.txt");
  std::string line;
  Homography yards_to_px{};
  bool found = false;
  while (std::getline(hf, line)) {
    std::istringstream s(line);
    std::string name;
    s >> name;
    if (name != "16.jpg") continue;
    for (auto& v : yards_to_px) s >> v;
    found = true;
  }
  ASSERT_TRUE(found);
  const double sx = 115.0 / 105, sy = 74.0 / 68;
  Homography m_to_px{};  // yards_to_px * [sx 0 52.5 sx; 0 sy 34 sy; 0 0 1]
  for (int r = 0; r < 3; ++r) {
    const double a = yards_to_px[static_cast<size_t>(3 * r)], b = yards_to_px[static_cast<size_t>(3 * r + 1)],
                 c = yards_to_px[static_cast<size_t>(3 * r + 2)];
    m_to_px[static_cast<size_t>(3 * r)] = a * sx;
    m_to_px[static_cast<size_t>(3 * r + 1)] = b * sy;
    m_to_px[static_cast<size_t>(3 * r + 2)] = a * sx * 52.5 + b * sy * 34.0 + c;
  }
  const Homography gt = normalize_homography(invert_homography(m_to_px).value());

  auto image = read_image(dir + "/train_val_16.jpg");
  ASSERT_TRUE(image.is_ok()) << image.status().to_string();
  const Frame& frame = *image;
  auto det = PitchKeypointDetector::create({});
  ASSERT_TRUE(det.is_ok()) << det.status().to_string();
  auto kps = (*det)->detect(frame);
  ASSERT_TRUE(kps.is_ok()) << kps.status().to_string();
  auto cal = PitchCalibrator::create({});
  ASSERT_TRUE(cal.is_ok());
  const auto r = (*cal)->update(*kps, {frame.width(), frame.height()}, 0, true);
  ASSERT_TRUE(r.image_to_pitch.has_value()) << kps->size() << " keypoints";
  const auto pitch = PitchModel::create().value();
  const auto e = pitch_grid_error(*r.image_to_pitch, gt, pitch, {frame.width(), frame.height()});
  ASSERT_TRUE(e.has_value());
  std::cout << "wc14 16.jpg: " << kps->size() << " keypoints, " << r.inliers << " inliers, quality "
            << r.quality << ", pitch-grid error mean " << e->mean_m << " m (max " << e->max_m << " m over "
            << e->points << " points)\n";
  EXPECT_LT(e->mean_m, 1.0);
}

}  // namespace
}  // namespace pitchtrack
