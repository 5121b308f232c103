// Hand-computed cases of HOTA / CLEAR / Identity. Boxes are 10 x 10 squares on a line, so the IoU of
// two of them shifted by d px is (10 - d) / (10 + d): d=0 -> 1, 1 -> 9/11, 2 -> 2/3, 5 -> 1/3,
// 6 -> 1/4, 8 -> 1/9; boxes 100 px apart do not overlap.
#include "pitchtrack/eval/tracking_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace pitchtrack::eval {
namespace {

constexpr double kTol = 1e-9;

BoxXyxy sq(float x) { return {x, 0, x + 10, 10}; }

TEST(HotaAlpha, NineteenValues) {
  EXPECT_DOUBLE_EQ(hota_alpha(0), 0.05);
  EXPECT_NEAR(hota_alpha(9), 0.5, 1e-15);
  EXPECT_NEAR(hota_alpha(18), 0.95, 1e-15);
}

TEST(TrackingMetrics, Perfect) {
  std::vector<FrameBoxes> gt, pred;
  for (int t = 0; t < 3; ++t) {
    gt.push_back({{1, sq(0)}, {2, sq(100)}});
    pred.push_back({{7, sq(0)}, {8, sq(100)}});
  }
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_NEAR(m->hota.hota, 1.0, kTol);
  EXPECT_NEAR(m->hota.deta, 1.0, kTol);
  EXPECT_NEAR(m->hota.assa, 1.0, kTol);
  EXPECT_NEAR(m->hota.loca, 1.0, kTol);
  EXPECT_NEAR(m->clear.mota, 1.0, kTol);
  EXPECT_NEAR(m->clear.motp, 1.0, kTol);
  EXPECT_NEAR(m->identity.idf1, 1.0, kTol);
  EXPECT_EQ(m->clear.id_switches, 0);
  EXPECT_EQ(m->clear.fragmentations, 0);
  EXPECT_EQ(m->clear.mostly_tracked, 2);
  EXPECT_EQ(m->gt_boxes, 6);
  EXPECT_EQ(m->pred_boxes, 6);
  EXPECT_EQ(m->gt_ids, 2);
}

TEST(TrackingMetrics, OneIdSwitch) {
  // GT 1 in frames 1-4; prediction id 1 in frames 1-2 and id 2 in frames 3-4, same boxes.
  std::vector<FrameBoxes> gt(4), pred(4);
  for (int t = 0; t < 4; ++t) {
    gt[t] = {{1, sq(0)}};
    pred[t] = {{t < 2 ? 1 : 2, sq(0)}};
  }
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok());
  // Every alpha: TP 4, FN 0, FP 0 -> DetA 1. Pairs (1,1) and (1,2) each 2 TPs; GT 1 has 4 boxes,
  // each prediction 2: Jaccard 2 / (4 + 2 - 2) = 1/2 for both -> AssA = (2 * 1/2 + 2 * 1/2) / 4 = 1/2.
  // HOTA = sqrt(1 * 1/2).
  EXPECT_NEAR(m->hota.deta, 1.0, kTol);
  EXPECT_NEAR(m->hota.assa, 0.5, kTol);
  EXPECT_NEAR(m->hota.hota, std::sqrt(0.5), kTol);
  EXPECT_NEAR(m->hota.loca, 1.0, kTol);
  // AssRe = (2 * 2/4 + 2 * 2/4) / 4 = 1/2; AssPr = (2 * 2/2 + 2 * 2/2) / 4 = 1.
  EXPECT_NEAR(m->hota.assre, 0.5, kTol);
  EXPECT_NEAR(m->hota.asspr, 1.0, kTol);
  // CLEAR: TP 4, one switch at frame 3: MOTA = (4 - 0 - 1) / 4. No fragmentation (matched every frame).
  EXPECT_EQ(m->clear.id_switches, 1);
  EXPECT_NEAR(m->clear.mota, 0.75, kTol);
  EXPECT_EQ(m->clear.fragmentations, 0);
  // Identity: the best id mapping keeps 2 of 4 frames: IDTP 2, IDFN 2, IDFP 2 -> IDF1 = 2 / (2 + 1 + 1).
  EXPECT_EQ(m->identity.idtp, 2);
  EXPECT_NEAR(m->identity.idf1, 0.5, kTol);
  EXPECT_NEAR(m->identity.idp, 0.5, kTol);
  EXPECT_NEAR(m->identity.idr, 0.5, kTol);
}

TEST(TrackingMetrics, OneMiss) {
  // GT 1 in frames 1-4; prediction 5 in frames 1, 2 and 4 (frame 3 has no prediction at all).
  std::vector<FrameBoxes> gt(4), pred(4);
  for (int t = 0; t < 4; ++t) {
    gt[t] = {{1, sq(0)}};
    if (t != 2) pred[t] = {{5, sq(0)}};
  }
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok());
  // Every alpha: TP 3, FN 1, FP 0 -> DetA 3/4. Pair (1,5): 3 TPs, Jaccard 3 / (4 + 3 - 3) = 3/4 ->
  // AssA 3/4; HOTA = sqrt(3/4 * 3/4) = 3/4.
  EXPECT_NEAR(m->hota.deta, 0.75, kTol);
  EXPECT_NEAR(m->hota.assa, 0.75, kTol);
  EXPECT_NEAR(m->hota.hota, 0.75, kTol);
  EXPECT_EQ(m->clear.fn, 1);
  EXPECT_NEAR(m->clear.mota, 0.75, kTol);
  EXPECT_NEAR(m->clear.recall, 0.75, kTol);
  EXPECT_NEAR(m->clear.precision, 1.0, kTol);
  EXPECT_EQ(m->clear.id_switches, 0);
  // Two matched runs (frames 1-2, frame 4): one fragmentation. (TrackEval reports 0 here because it
  // skips frames without any prediction when tracking runs; documented deviation.)
  EXPECT_EQ(m->clear.fragmentations, 1);
  // IDTP 3, IDFN 1 -> IDF1 = 3 / (3 + 0.5) = 6/7.
  EXPECT_NEAR(m->identity.idf1, 6.0 / 7.0, kTol);
}

TEST(TrackingMetrics, FragmentedTrack) {
  // As OneMiss, but frame 3 has a false positive far away (id 9), so TrackEval agrees on Frag.
  std::vector<FrameBoxes> gt(4), pred(4);
  for (int t = 0; t < 4; ++t) {
    gt[t] = {{1, sq(0)}};
    pred[t] = {{t == 2 ? 9 : 5, t == 2 ? sq(200) : sq(0)}};
  }
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok());
  // TP 3, FN 1, FP 1 -> DetA = 3/5; pair (1,5) Jaccard 3 / (4 + 3 - 3) = 3/4 -> AssA 3/4;
  // HOTA = sqrt(3/5 * 3/4) = sqrt(0.45).
  EXPECT_NEAR(m->hota.deta, 0.6, kTol);
  EXPECT_NEAR(m->hota.assa, 0.75, kTol);
  EXPECT_NEAR(m->hota.hota, std::sqrt(0.45), kTol);
  // MOTA = (3 - 1 - 0) / 4; re-matched to the same id: no switch, one fragmentation.
  EXPECT_NEAR(m->clear.mota, 0.5, kTol);
  EXPECT_EQ(m->clear.id_switches, 0);
  EXPECT_EQ(m->clear.fragmentations, 1);
  // IDTP 3, IDFN 1, IDFP 1 -> IDF1 = 3 / (3 + 0.5 + 0.5).
  EXPECT_NEAR(m->identity.idf1, 0.75, kTol);
}

TEST(TrackingMetrics, OneFalsePositive) {
  // GT 1 in frames 1-2 matched exactly by prediction 1; prediction 2 in frame 2 overlaps nothing.
  const std::vector<FrameBoxes> gt = {{{1, sq(0)}}, {{1, sq(0)}}};
  const std::vector<FrameBoxes> pred = {{{1, sq(0)}}, {{1, sq(0)}, {2, sq(50)}}};
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok());
  // TP 2, FP 1 -> DetA = 2/3; (1,1): Jaccard 2 / (2 + 2 - 2) = 1 -> AssA 1; HOTA = sqrt(2/3).
  EXPECT_NEAR(m->hota.deta, 2.0 / 3.0, kTol);
  EXPECT_NEAR(m->hota.assa, 1.0, kTol);
  EXPECT_NEAR(m->hota.hota, std::sqrt(2.0 / 3.0), kTol);
  EXPECT_NEAR(m->hota.detpr, 2.0 / 3.0, kTol);
  EXPECT_NEAR(m->hota.detre, 1.0, kTol);
  // MOTA = (2 - 1) / 2; precision 2/3, recall 1; IDF1 = 2 / (2 + 0.5).
  EXPECT_NEAR(m->clear.mota, 0.5, kTol);
  EXPECT_NEAR(m->clear.precision, 2.0 / 3.0, kTol);
  EXPECT_NEAR(m->clear.recall, 1.0, kTol);
  EXPECT_NEAR(m->identity.idf1, 0.8, kTol);
}

TEST(TrackingMetrics, AlphaThresholdsMatter) {
  // Frame 1 exact (IoU 1), frame 2 shifted by 5 px (IoU 1/3).
  const std::vector<FrameBoxes> gt = {{{1, sq(0)}}, {{1, sq(0)}}};
  const std::vector<FrameBoxes> pred = {{{1, sq(0)}}, {{1, sq(5)}}};
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok());
  // alpha 0.05 .. 0.30 (6 values, 1/3 >= alpha): TP 2 -> DetA 1, AssA 1, HOTA 1, LocA (1 + 1/3) / 2 = 2/3.
  // alpha 0.35 .. 0.95 (13 values): TP 1, FN 1, FP 1 -> DetA 1/3; (1,1) 1 TP, Jaccard 1 / (2 + 2 - 1)
  // = 1/3 -> AssA 1/3; HOTA = sqrt(1/9) = 1/3; LocA 1.
  // Means: HOTA = DetA = AssA = (6 + 13/3) / 19 = 31/57; LocA = (6 * 2/3 + 13) / 19 = 17/19.
  for (int a = 0; a < kNumHotaAlphas; ++a) {
    EXPECT_EQ(m->hota.tp[a], a <= 5 ? 2 : 1) << "alpha " << hota_alpha(a);
    EXPECT_NEAR(m->hota.hota_at[a], a <= 5 ? 1.0 : 1.0 / 3.0, kTol);
  }
  EXPECT_NEAR(m->hota.hota, 31.0 / 57.0, kTol);
  EXPECT_NEAR(m->hota.deta, 31.0 / 57.0, kTol);
  EXPECT_NEAR(m->hota.assa, 31.0 / 57.0, kTol);
  EXPECT_NEAR(m->hota.loca, 17.0 / 19.0, kTol);
  // CLEAR needs IoU >= 0.5: frame 2 is a miss plus a false positive; MOTA = (1 - 1) / 2 = 0, MOTP 1.
  EXPECT_NEAR(m->clear.mota, 0.0, kTol);
  EXPECT_NEAR(m->clear.motp, 1.0, kTol);
  EXPECT_NEAR(m->identity.idf1, 0.5, kTol);
}

TEST(TrackingMetrics, HotaMatchingFollowsGlobalAlignment) {
  // Frames 1-3: GT a at 0 and b at 100, predictions x at 0 and y at 100 (exact). Frame 4: a at 0,
  // b at 6, x at 8, y at 1. Frame-4 IoUs: a-x 1/9, a-y 9/11, b-x 2/3, b-y 1/3. By IoU alone the
  // swap (a-y, b-x) wins; HOTA weights IoU by the global alignment A (about 0.6 for a-x and b-y,
  // about 0.1 for a-y and b-x), so it keeps a-x and b-y; CLEAR (IoU >= 0.5) must take the swap.
  std::vector<FrameBoxes> gt(3, FrameBoxes{{1, sq(0)}, {2, sq(100)}});
  std::vector<FrameBoxes> pred(3, FrameBoxes{{10, sq(0)}, {20, sq(100)}});
  gt.push_back({{1, sq(0)}, {2, sq(6)}});
  pred.push_back({{10, sq(8)}, {20, sq(1)}});
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok());
  // alpha 0.05, 0.10 (1/9 >= alpha): TP 8 -> DetA 1, AssA 1, LocA (6 + 1/9 + 1/3) / 8 = 29/36.
  // alpha 0.15 .. 0.30 (4 values): only b-y in frame 4: TP 7, FN 1, FP 1 -> DetA 7/9;
  //   (a,x) 3 TPs, Jaccard 3/5; (b,y) 4 TPs, Jaccard 1 -> AssA (3 * 3/5 + 4) / 7 = 29/35;
  //   LocA (6 + 1/3) / 7 = 19/21.
  // alpha 0.35 .. 0.95 (13 values): TP 6, FN 2, FP 2 -> DetA 3/5; AssA 3/5; LocA 1.
  // HOTA = (2 + 4 sqrt(7/9 * 29/35) + 13 * 3/5) / 19 = (9.8 + 4 sqrt(29/45)) / 19.
  // DetA = (2 + 4 * 7/9 + 13 * 3/5) / 19 = 581/855; AssA = (2 + 4 * 29/35 + 39/5) / 19 = 459/665;
  // LocA = (2 * 29/36 + 4 * 19/21 + 13) / 19 = 2297/2394.
  EXPECT_NEAR(m->hota.hota, (9.8 + 4.0 * std::sqrt(29.0 / 45.0)) / 19.0, kTol);
  EXPECT_NEAR(m->hota.deta, 581.0 / 855.0, kTol);
  EXPECT_NEAR(m->hota.assa, 459.0 / 665.0, kTol);
  EXPECT_NEAR(m->hota.loca, 2297.0 / 2394.0, kTol);
  // CLEAR: frame 4 matches a-y and b-x: 2 switches, MOTA = (8 - 0 - 2) / 8.
  EXPECT_EQ(m->clear.id_switches, 2);
  EXPECT_NEAR(m->clear.mota, 0.75, kTol);
  // Identity: (a,x) 3, (b,y) 3, (a,y) 1, (b,x) 1 -> IDTP 6 of 8 -> IDF1 0.75.
  EXPECT_EQ(m->identity.idtp, 6);
  EXPECT_NEAR(m->identity.idf1, 0.75, kTol);
}

TEST(TrackingMetrics, EmptyPredictions) {
  const std::vector<FrameBoxes> gt = {{{1, sq(0)}}, {{1, sq(0)}}};
  const std::vector<FrameBoxes> pred(2);
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_TRUE(m.is_ok());
  EXPECT_EQ(m->hota.hota, 0.0);
  EXPECT_EQ(m->hota.loca, 1.0);  // TrackEval's convention
  EXPECT_EQ(m->hota.fn[0], 2);
  EXPECT_EQ(m->clear.mota, 0.0);
  EXPECT_EQ(m->clear.mostly_lost, 1);
  EXPECT_EQ(m->identity.idf1, 0.0);
}

TEST(TrackingMetrics, DuplicateIdInAFrameIsAnError) {
  const std::vector<FrameBoxes> gt = {{{1, sq(0)}}, {{1, sq(0)}}};
  const std::vector<FrameBoxes> pred = {{{1, sq(0)}}, {{3, sq(0)}, {3, sq(50)}}};
  const auto m = evaluate_tracking(gt, pred);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("frame 2: predicted id 3"), std::string::npos) << m.status().message();
}

TEST(TrackingMetrics, CeilingRelabelsWithGtIds) {
  // The id switch case: with GT identities the same boxes score AssA = 1 and no switch.
  std::vector<FrameBoxes> gt(4), pred(4);
  for (int t = 0; t < 4; ++t) {
    gt[t] = {{1, sq(0)}};
    pred[t] = {{t < 2 ? 1 : 2, sq(0)}, {77, sq(300)}};  // plus a box on nothing, always id 77
  }
  const auto relabelled = relabel_with_gt_ids(gt, pred);
  ASSERT_EQ(relabelled.size(), 4u);
  for (const FrameBoxes& f : relabelled) {
    EXPECT_EQ(f[0].id, 1);
    EXPECT_EQ(f[1].id, relabelled[0][1].id);  // keeps one identity of its own ...
    EXPECT_NE(f[1].id, 1);                    // ... outside the GT ids
  }
  const auto m = evaluate_tracking(gt, relabelled);
  ASSERT_TRUE(m.is_ok());
  EXPECT_NEAR(m->hota.assa, 1.0, kTol);
  EXPECT_EQ(m->clear.id_switches, 0);
  // TP 4, FP 4 -> DetA = 4/8; HOTA = sqrt(1/2).
  EXPECT_NEAR(m->hota.hota, std::sqrt(0.5), kTol);
}

TEST(TrackingMetrics, CeilingRelabelsLowIouBoxes) {
  // Frame 2's box overlaps the GT with IoU 1/3 and carries another id. With the default threshold
  // (0.05, HOTA's smallest alpha) it takes the GT id: alphas up to 0.30 see one track, AssA 1
  // there. With 0.5 it keeps its own id and stays a separate track.
  const std::vector<FrameBoxes> gt = {{{1, sq(0)}}, {{1, sq(0)}}};
  const std::vector<FrameBoxes> pred = {{{1, sq(0)}}, {{2, sq(5)}}};
  const auto low = relabel_with_gt_ids(gt, pred);
  EXPECT_EQ(low[1][0].id, 1);
  const auto high = relabel_with_gt_ids(gt, pred, 0.5);
  EXPECT_NE(high[1][0].id, 1);
  const auto real = evaluate_tracking(gt, pred);
  const auto ceiling = evaluate_tracking(gt, low);
  ASSERT_TRUE(real.is_ok() && ceiling.is_ok());
  // Ceiling = the AlphaThresholdsMatter case: 31/57. Real: alphas <= 0.30 (6): TP 2 in two pairs
  // of 1 TP, each Jaccard 1 / (2 + 1 - 1) = 1/2 -> DetA 1, AssA 1/2, HOTA sqrt(1/2); alphas >= 0.35
  // (13): TP 1, FN 1, FP 1 -> DetA 1/3, pair (1,1) Jaccard 1/2 -> HOTA sqrt(1/6).
  // HOTA = (6 sqrt(1/2) + 13 sqrt(1/6)) / 19.
  EXPECT_NEAR(ceiling->hota.hota, 31.0 / 57.0, kTol);
  EXPECT_NEAR(real->hota.hota, (6.0 * std::sqrt(0.5) + 13.0 * std::sqrt(1.0 / 6.0)) / 19.0, kTol);
  EXPECT_GT(ceiling->hota.hota, real->hota.hota);
}

}  // namespace
}  // namespace pitchtrack::eval
