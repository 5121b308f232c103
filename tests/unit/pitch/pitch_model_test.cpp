#include "pitchtrack/pitch/pitch_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace pitchtrack {
namespace {

TEST(PitchModel, DefaultKeypointsSitOnFifaLines) {
  auto m = PitchModel::create();
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->keypoint(0), (PitchPoint{-52.5, -34.0}));
  EXPECT_EQ(m->keypoint(5), (PitchPoint{-52.5, 34.0}));
  EXPECT_EQ(m->keypoint(8), (PitchPoint{-41.5, 0.0}));
  EXPECT_EQ(m->keypoint(9), (PitchPoint{-36.0, -20.16}));
  EXPECT_NEAR(m->keypoint(10).y_m, -std::sqrt(9.15 * 9.15 - 5.5 * 5.5), 1e-12);
  EXPECT_EQ(m->keypoint(13), (PitchPoint{0.0, -34.0}));
  EXPECT_EQ(m->keypoint(14), (PitchPoint{0.0, -9.15}));
  EXPECT_EQ(m->keypoint(29), (PitchPoint{52.5, 34.0}));
  EXPECT_EQ(m->keypoint(31), (PitchPoint{9.15, 0.0}));
}

TEST(PitchModel, FlipIndexMirrorsKeypoints) {
  // data.yaml flip_idx of pitch-keypoints-v1: a horizontal image flip swaps left and right.
  const int flip[32] = {24, 25, 26, 27, 28, 29, 22, 23, 21, 17, 18, 19, 20, 13, 14, 15,
                        16, 9,  10, 11, 12, 8,  6,  7,  0,  1,  2,  3,  4,  5,  31, 30};
  auto m = PitchModel::create({100.0, 64.0});
  ASSERT_TRUE(m.is_ok());
  for (int k = 0; k < PitchModel::kNumKeypoints; ++k) {
    EXPECT_DOUBLE_EQ(m->keypoint(flip[k]).x_m, -m->keypoint(k).x_m) << k;
    EXPECT_DOUBLE_EQ(m->keypoint(flip[k]).y_m, m->keypoint(k).y_m) << k;
  }
}

TEST(PitchModel, NamesRoundTrip) {
  for (int k = 0; k < PitchModel::kNumKeypoints; ++k) {
    const auto name = PitchModel::keypoint_name(k);
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(PitchModel::keypoint_id(name), k);
  }
  EXPECT_TRUE(PitchModel::keypoint_name(32).empty());
  EXPECT_FALSE(PitchModel::keypoint_id("nope").has_value());
}

TEST(PitchModel, SizeIsConfigurable) {
  auto m = PitchModel::create({110.0, 70.0});
  ASSERT_TRUE(m.is_ok());
  EXPECT_EQ(m->corners()[2], (PitchPoint{55.0, 35.0}));
  EXPECT_EQ(m->keypoint(21), (PitchPoint{44.0, 0.0}));  // spot 11 m from the goal line
  EXPECT_TRUE(m->contains({55.0, 35.0}));
  EXPECT_FALSE(m->contains({56.0, 0.0}));
  EXPECT_TRUE(m->contains({56.0, 0.0}, 1.5));
}

TEST(PitchModel, LinesAreSampledOnThePitch) {
  auto m = PitchModel::create();
  ASSERT_TRUE(m.is_ok());
  const auto pts = m->sample_lines(1.0);
  EXPECT_GT(pts.size(), 500u);
  for (const auto& p : pts) EXPECT_TRUE(m->contains(p, 1e-9)) << p.x_m << "," << p.y_m;
  EXPECT_EQ(m->segments().size(), 17u);
  EXPECT_EQ(m->arcs().size(), 7u);
}

TEST(PitchModel, RejectsBadSizesNamingTheField) {
  auto a = PitchModel::create({20.0, 68.0});
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("pitch.length_m"), std::string::npos);
  auto b = PitchModel::create({105.0, 30.0});
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("pitch.width_m"), std::string::npos);
  auto c = PitchModel::create({105.0, std::nan("")});
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("pitch.width_m"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
