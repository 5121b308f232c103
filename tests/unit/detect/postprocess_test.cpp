#include "detect/postprocess.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pitchtrack::detect {
namespace {

TEST(Nms, SuppressesOverlapsWithinAClassOnly) {
  std::vector<Detection> dets = {
      {{0, 0, 10, 10}, 0.9f, ObjectClass::kPlayer},
      {{1, 1, 11, 11}, 0.8f, ObjectClass::kPlayer},   // IoU 0.68 with the first: dropped
      {{1, 1, 11, 11}, 0.7f, ObjectClass::kReferee},  // other class: kept
      {{20, 20, 30, 30}, 0.6f, ObjectClass::kPlayer},
  };
  auto kept = nms_per_class(dets, 0.5f, 100);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_EQ(kept[1].class_id, ObjectClass::kReferee);
  EXPECT_FLOAT_EQ(kept[2].score, 0.6f);
  EXPECT_EQ(nms_per_class(dets, 0.5f, 2).size(), 2u);
}

TEST(Nms, KeepsTouchingBoxesBelowThreshold) {
  std::vector<Detection> dets = {{{0, 0, 10, 10}, 0.9f, ObjectClass::kPlayer},
                                 {{5, 0, 15, 10}, 0.8f, ObjectClass::kPlayer}};  // IoU 1/3
  EXPECT_EQ(nms_per_class(dets, 0.5f, 10).size(), 2u);
  EXPECT_EQ(nms_per_class(dets, 0.3f, 10).size(), 1u);
}

// One 8 x 6 output map, stride 4: a player peak at cell (row 2, col 3) with offset (0.5, 0.25)
// and size 8 x 16 input px; input scale 0.5 (network px per frame px).
TEST(CenterNet, DecodesPeaksToFramePixels) {
  const int H = 6, W = 8;
  std::vector<float> out(static_cast<size_t>(8 * H * W), 0.0f);
  auto at = [&](int c, int y, int x) -> float& { return out[static_cast<size_t>((c * H + y) * W + x)]; };
  at(2, 2, 3) = 0.9f;  // player peak
  at(2, 2, 4) = 0.6f;  // neighbour: not a local max
  at(2, 5, 7) = 0.2f;  // below threshold
  at(0, 4, 1) = 0.5f;  // ball peak
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      at(4, y, x) = 8.0f;
      at(5, y, x) = 16.0f;
      at(6, y, x) = 0.5f;
      at(7, y, x) = 0.25f;
    }
  }
  CenterNetOutput o{out.data(), 8, H, W, 4};
  const std::array<float, 4> thr = {0.3f, 0.3f, 0.3f, 0.3f};
  auto dets = decode_centernet(o, thr, 0.5f, 1000, 1000);
  ASSERT_EQ(dets.size(), 2u);
  const Detection* player = dets[0].class_id == ObjectClass::kPlayer ? &dets[0] : &dets[1];
  const Detection* ball = dets[0].class_id == ObjectClass::kBall ? &dets[0] : &dets[1];
  // centre in input px: ((3 + 0.5) * 4, (2 + 0.25) * 4) = (14, 9); frame px = / 0.5 = (28, 18)
  EXPECT_FLOAT_EQ(player->box_px.cx(), 28.0f);
  EXPECT_FLOAT_EQ(player->box_px.cy(), 18.0f);
  EXPECT_FLOAT_EQ(player->box_px.width(), 16.0f);
  EXPECT_FLOAT_EQ(player->box_px.height(), 32.0f);
  EXPECT_FLOAT_EQ(player->score, 0.9f);
  EXPECT_FLOAT_EQ(ball->box_px.cx(), (1 + 0.5f) * 4 / 0.5f);
}

TEST(CenterNet, ClipsToTheFrameAndDropsEmptyBoxes) {
  const int H = 2, W = 2;
  std::vector<float> out(static_cast<size_t>(8 * H * W), 0.0f);
  out[0] = 0.9f;                // ball heatmap at (0,0)
  out[4 * H * W + 0] = 100.0f;  // w
  out[5 * H * W + 0] = 100.0f;  // h
  CenterNetOutput o{out.data(), 8, H, W, 4};
  const std::array<float, 4> thr = {0.3f, 0.3f, 0.3f, 0.3f};
  auto dets = decode_centernet(o, thr, 1.0f, 20, 10);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_FLOAT_EQ(dets[0].box_px.x1, 0.0f);
  EXPECT_FLOAT_EQ(dets[0].box_px.x2, 20.0f);
  EXPECT_FLOAT_EQ(dets[0].box_px.y2, 10.0f);
}

}  // namespace
}  // namespace pitchtrack::detect
