// COCO-style AP on hand cases, and the YOLO label reader.
#include "pitchtrack/eval/detection_metrics.hpp"

#include <gtest/gtest.h>

#include "pitchtrack/eval/yolo_labels.hpp"
#include "temp_dir.hpp"

namespace pitchtrack::eval {
namespace {

Detection det(ObjectClass c, BoxXyxy b, float score = 1.0f) { return Detection{b, score, c}; }
BoxXyxy sq(float x) { return {x, 0, x + 10, 10}; }

TEST(AveragePrecision, HundredAndOnePoints) {
  // Ranked TP, FP, TP with 3 GT: recall 1/3, 1/3, 2/3; precision 1, 1/2, 2/3 -> monotone 1, 2/3, 2/3.
  // Recall points 0.00..0.33 (34) take precision 1, 0.34..0.66 (33) take 2/3, 0.67..1 (34) take 0:
  // AP = (34 + 33 * 2/3) / 101 = 56/101.
  const std::vector<char> ranked = {1, 0, 1};
  EXPECT_NEAR(average_precision_101(ranked, 3), 56.0 / 101.0, 1e-12);
  EXPECT_NEAR(average_precision_101(std::vector<char>{1}, 1), 1.0, 1e-12);
  EXPECT_EQ(average_precision_101(std::vector<char>{}, 3), 0.0);
  EXPECT_EQ(average_precision_101(std::vector<char>{1}, 0), 0.0);
}

std::vector<DetectionImage> hand_case() {
  std::vector<DetectionImage> images(2);
  // Players: image 1 has GT at 0 and 100, image 2 at 0. Predictions: image 1 exact on GT 0 (0.9)
  // and one on nothing (0.8); image 2 exact (0.7) and one on nothing at a low score (0.1).
  images[0].gt = {det(ObjectClass::kPlayer, sq(0)), det(ObjectClass::kPlayer, sq(100))};
  images[0].pred = {det(ObjectClass::kPlayer, sq(300), 0.8f), det(ObjectClass::kPlayer, sq(0), 0.9f)};
  images[1].gt = {det(ObjectClass::kPlayer, sq(0))};
  images[1].pred = {det(ObjectClass::kPlayer, sq(0), 0.7f), det(ObjectClass::kPlayer, sq(500), 0.1f)};
  // Ball: one GT, one prediction with IoU 0.625 (matched at IoU thresholds 0.50, 0.55, 0.60 only).
  images[1].gt.push_back(det(ObjectClass::kBall, {0, 20, 10, 30}));
  images[1].pred.push_back(det(ObjectClass::kBall, {0, 20, 10, 26.25f}, 0.6f));
  return images;
}

TEST(DetectionMetrics, HandCase) {
  const DetectionMetrics m = evaluate_detections(hand_case());
  ASSERT_EQ(m.classes.size(), 4u);
  const ClassDetectionMetrics& ball = m.classes[0];
  const ClassDetectionMetrics& player = m.classes[2];
  EXPECT_EQ(player.name, "player");
  EXPECT_EQ(player.gt, 3);
  EXPECT_EQ(player.pred, 4);
  // Ranked 0.9 TP, 0.8 FP, 0.7 TP, 0.1 FP: AP = 56/101 at every IoU threshold (matches are exact).
  EXPECT_NEAR(*player.ap50, 56.0 / 101.0, 1e-12);
  EXPECT_NEAR(*player.ap50_95, 56.0 / 101.0, 1e-12);
  // Score >= 0.25: 3 predictions, 2 TP -> precision 2/3, recall 2/3.
  EXPECT_EQ(player.pred_at_threshold, 3);
  EXPECT_NEAR(*player.precision, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(*player.recall, 2.0 / 3.0, 1e-12);
  // Ball: AP 1 at 3 of the 10 thresholds -> AP50 1, AP50-95 0.3.
  EXPECT_NEAR(*ball.ap50, 1.0, 1e-12);
  EXPECT_NEAR(*ball.ap50_95, 0.3, 1e-12);
  // Classes without GT have no AP and do not enter the mean.
  EXPECT_FALSE(m.classes[1].ap50.has_value());
  EXPECT_FALSE(m.classes[3].recall.has_value());
  EXPECT_NEAR(*m.map50, (56.0 / 101.0 + 1.0) / 2.0, 1e-12);
  EXPECT_NEAR(*m.map50_95, (56.0 / 101.0 + 0.3) / 2.0, 1e-12);
}

TEST(DetectionMetrics, MergedPersons) {
  std::vector<DetectionImage> images(1);
  images[0].gt = {det(ObjectClass::kPlayer, sq(0)), det(ObjectClass::kReferee, sq(100))};
  images[0].pred = {det(ObjectClass::kGoalkeeper, sq(0), 0.9f), det(ObjectClass::kPlayer, sq(100), 0.8f)};
  const DetectionMetrics per_class = evaluate_detections(images);
  EXPECT_NEAR(*per_class.classes[2].ap50, 0.0, 1e-12);  // the player GT was found as a goalkeeper
  const DetectionMetrics merged = evaluate_detections(images, {.merge_persons = true});
  ASSERT_EQ(merged.classes.size(), 2u);
  EXPECT_EQ(merged.classes[1].name, "person");
  EXPECT_NEAR(*merged.classes[1].ap50, 1.0, 1e-12);
  EXPECT_NEAR(*merged.map50, 1.0, 1e-12);  // no ball GT: only "person" counts
}

TEST(YoloLabels, ReadsASetAndReportsErrors) {
  testing::TempDir dir;
  dir.write("data/images/a.jpg", "");
  dir.write("data/images/b.png", "");
  dir.write("data/labels/a.txt", "2 0.5 0.5 0.1 0.2\n0 0.25 0.25 0.01 0.01\n");
  dir.write("pred/a.txt", "2 0.5 0.5 0.1 0.2 0.9\n");
  dir.write("pred/zzz.txt", "2 0.5 0.5 0.1 0.2 0.9\n");
  auto set = load_yolo_eval_set(dir.path("data"), dir.path("pred"));
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  ASSERT_EQ(set->images.size(), 2u);
  EXPECT_EQ(set->images[0].name, "a");
  ASSERT_EQ(set->images[0].gt.size(), 2u);
  EXPECT_NEAR(set->images[0].gt[0].box_px.x1, 0.45f, 1e-6);
  EXPECT_NEAR(set->images[0].gt[0].box_px.y2, 0.6f, 1e-6);
  EXPECT_EQ(set->images[0].gt[1].class_id, ObjectClass::kBall);
  EXPECT_FLOAT_EQ(set->images[0].pred[0].score, 0.9f);
  EXPECT_TRUE(set->images[1].gt.empty());  // b has no label file
  EXPECT_EQ(set->unmatched_prediction_files, 1);

  const std::string bad = dir.write("pred/a.txt", "2 0.5 0.5 0.1 0.2 0.9\n7 0.5 0.5 0.1 0.2 0.9\n");
  set = load_yolo_eval_set(dir.path("data"), dir.path("pred"));
  ASSERT_FALSE(set.is_ok());
  EXPECT_EQ(set.status().message().rfind(bad + ":2: class '7'", 0), 0u) << set.status().message();
  dir.write("pred/a.txt", "2 0.5 0.5 0.1 0.2\n");
  set = load_yolo_eval_set(dir.path("data"), dir.path("pred"));
  ASSERT_FALSE(set.is_ok());
  EXPECT_NE(set.status().message().find(":1: expected 'class cx cy w h score', got 5 fields"),
            std::string::npos)
      << set.status().message();
}

}  // namespace
}  // namespace pitchtrack::eval
