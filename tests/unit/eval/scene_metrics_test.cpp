// Team accuracy, pitch error, ball and calibration metrics on hand cases.
#include "pitchtrack/eval/scene_metrics.hpp"

#include <gtest/gtest.h>

#include "pitchtrack/eval/report.hpp"

namespace pitchtrack::eval {
namespace {

BoxXyxy sq(float x) { return {x, 0, x + 10, 10}; }

EvalObject person(int64_t id, float x, std::optional<int> team, std::optional<PitchPoint> pitch = {},
                  ObjectClass role = ObjectClass::kPlayer) {
  return EvalObject{.id = id, .box_px = sq(x), .score = 1.0f, .role = role, .team = team, .pitch_m = pitch};
}

TEST(SceneMetrics, TeamAccuracyIsPermutationInvariant) {
  EvalSequence gt, pred;
  gt.has_roles = gt.has_teams = true;
  gt.frames.resize(1);
  pred.frames.resize(1);
  // GT teams 0 0 1 1 0; predicted 1 1 0 0 and one without a team: the swapped mapping gets 4 of 5.
  const int gt_team[] = {0, 0, 1, 1, 0};
  const std::optional<int> pred_team[] = {1, 1, 0, 0, std::nullopt};
  for (int i = 0; i < 5; ++i) {
    gt.frames[0].objects.push_back(person(i, 100.0f * i, gt_team[i]));
    pred.frames[0].objects.push_back(person(50 + i, 100.0f * i + 1, pred_team[i]));  // IoU 9/11
  }
  // A referee with a team label is not a player: not counted.
  gt.frames[0].objects.push_back(person(9, 900, 0, {}, ObjectClass::kReferee));
  pred.frames[0].objects.push_back(person(99, 900, 1));
  const SceneMetrics m = evaluate_scene(gt, pred);
  ASSERT_TRUE(m.team.has_value());
  EXPECT_EQ(m.team->matched, 5);
  EXPECT_EQ(m.team->assigned, 4);
  EXPECT_TRUE(m.team->swapped);
  EXPECT_DOUBLE_EQ(*m.team->accuracy, 0.8);
  EXPECT_FALSE(m.pitch.has_value());
  EXPECT_FALSE(m.ball.has_value());
  EXPECT_FALSE(m.calibration.has_value());
}

TEST(SceneMetrics, PitchErrorOverMatchedPairs) {
  EvalSequence gt, pred;
  gt.has_pitch = true;
  gt.frames.resize(1);
  pred.frames.resize(1);
  gt.frames[0].objects = {person(1, 0, {}, PitchPoint{0, 0}), person(2, 100, {}, PitchPoint{1, 1}),
                          person(3, 200, {}, PitchPoint{5, 5})};
  pred.frames[0].objects = {person(7, 0, {}, PitchPoint{3, 4}), person(8, 100, {}, PitchPoint{1, 1}),
                            person(9, 200, {}, std::nullopt), person(10, 500, {}, PitchPoint{0, 0})};
  const SceneMetrics m = evaluate_scene(gt, pred);
  ASSERT_TRUE(m.pitch.has_value());
  EXPECT_EQ(m.pitch->matched_with_gt, 3);
  // Errors 5 and 0 m: mean 2.5, median 2.5, p95 = 0 + 0.95 * (5 - 0) = 4.75.
  EXPECT_EQ(m.pitch->error_m.n, 2);
  EXPECT_DOUBLE_EQ(*m.pitch->error_m.mean, 2.5);
  EXPECT_DOUBLE_EQ(*m.pitch->error_m.median, 2.5);
  EXPECT_DOUBLE_EQ(*m.pitch->error_m.p95, 4.75);
}

TEST(SceneMetrics, PitchErrorFromGtHomographyIgnoresPredictedPositions) {
  EvalSequence gt, pred;
  gt.has_pitch = true;
  gt.frames.resize(2);
  pred.frames.resize(2);
  // GT homography: pitch = image px / 10. Foot point of sq(x) is (x + 5, 10) -> (x/10 + 0.5, 1).
  gt.frames[0].homography = Homography{0.1, 0, 0, 0, 0.1, 0, 0, 0, 1};
  gt.frames[0].objects = {person(1, 0, {}, PitchPoint{0.5, 1}), person(2, 100, {}, PitchPoint{10.5, 4})};
  // predicted positions are wrong or missing: they must not matter
  pred.frames[0].objects = {person(7, 0, {}, PitchPoint{50, 50}), person(8, 100, {}, std::nullopt)};
  // frame 1 has no GT homography: its pairs are skipped
  gt.frames[1].objects = {person(3, 0, {}, PitchPoint{0.5, 1})};
  pred.frames[1].objects = {person(9, 0, {}, PitchPoint{0.5, 1})};
  SceneOptions options;
  options.pitch_from_gt_homography = true;
  const SceneMetrics m = evaluate_scene(gt, pred, options);
  ASSERT_TRUE(m.pitch.has_value());
  EXPECT_EQ(m.pitch->matched_with_gt, 2);
  ASSERT_EQ(m.pitch->error_m.n, 2);  // errors 0 m and |(10.5, 1) - (10.5, 4)| = 3 m
  EXPECT_DOUBLE_EQ(*m.pitch->error_m.mean, 1.5);
}

TEST(SceneMetrics, Ball) {
  EvalSequence gt, pred;
  gt.has_ball = true;
  gt.frames.resize(3);
  pred.frames.resize(3);
  // Frame 1: centres (105,105) and (108,109): 5 px, detected; pitch (1,2) vs (1,3): 1 m.
  gt.frames[0].ball = EvalBall{BoxXyxy{100, 100, 110, 110}, PitchPoint{1, 2}, 0.0};
  pred.frames[0].ball = EvalBall{BoxXyxy{103, 104, 113, 114}, PitchPoint{1, 3}, std::nullopt};
  // Frame 2: 20 px away: missed.
  gt.frames[1].ball = EvalBall{BoxXyxy{100, 100, 110, 110}, PitchPoint{1, 2}, 0.0};
  pred.frames[1].ball = EvalBall{BoxXyxy{120, 100, 130, 110}, std::nullopt, std::nullopt};
  // Frame 3: GT ball not visible; a predicted ball is a false alarm.
  gt.frames[2].ball = EvalBall{std::nullopt, PitchPoint{1, 2}, 3.0};
  pred.frames[2].ball = EvalBall{BoxXyxy{100, 100, 110, 110}, std::nullopt, std::nullopt};
  const SceneMetrics m = evaluate_scene(gt, pred);
  ASSERT_TRUE(m.ball.has_value());
  EXPECT_EQ(m.ball->visible_frames, 2);
  EXPECT_EQ(m.ball->predicted_frames, 3);
  EXPECT_EQ(m.ball->detected_frames, 1);
  EXPECT_DOUBLE_EQ(*m.ball->detection_rate, 0.5);
  EXPECT_DOUBLE_EQ(*m.ball->precision, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*m.ball->error_px.mean, 5.0);
  EXPECT_EQ(m.ball->error_m.n, 1);
  EXPECT_DOUBLE_EQ(*m.ball->error_m.mean, 1.0);
}

TEST(SceneMetrics, CalibrationGrid) {
  // Every 5 m from the centre plus the lines: x 23 values (-52.5, -50 .. 50, 52.5), y 15 values.
  const auto grid = calibration_grid();
  EXPECT_EQ(grid.size(), 23u * 15u);
}

TEST(SceneMetrics, CalibrationError) {
  // GT: pitch = (pixel - centre) / 10, so the whole pitch is in a 1280x720 image. The prediction
  // shifted by 1 m along x is 1 m off at every grid point.
  const Homography gt_h = {0.1, 0, -64, 0, 0.1, -36, 0, 0, 1};
  const Homography shifted = {0.1, 0, -63, 0, 0.1, -36, 0, 0, 1};
  EXPECT_NEAR(*calibration_error_m(gt_h, gt_h, 1280, 720), 0.0, 1e-9);
  EXPECT_NEAR(*calibration_error_m(gt_h, shifted, 1280, 720), 1.0, 1e-9);
  // A degenerate prediction is capped per point.
  const Homography zero{};
  EXPECT_NEAR(*calibration_error_m(gt_h, zero, 1280, 720), 100.0, 1e-9);
  // Grid points outside the image are not compared: a 100x100 image sees none of them here.
  EXPECT_FALSE(calibration_error_m(gt_h, shifted, 100, 100).has_value());
  // A perspective GT (horizon above the image): the identical prediction is exact.
  const Homography persp = {0.1, 0, -64, 0, 0.1, -36, 0, 0.0005, 1};
  const auto e = calibration_error_m(persp, persp, 1280, 720);
  ASSERT_TRUE(e.has_value());
  EXPECT_NEAR(*e, 0.0, 1e-9);

  EvalSequence gt, pred;
  gt.has_camera = true;
  gt.image_width = 1280;
  gt.image_height = 720;
  gt.frames.resize(3);
  pred.frames.resize(3);
  for (auto& f : gt.frames) f.homography = gt_h;
  pred.frames[0].homography = shifted;  // 1 m
  pred.frames[1].homography = gt_h;     // 0 m
  const SceneMetrics m = evaluate_scene(gt, pred);
  ASSERT_TRUE(m.calibration.has_value());
  EXPECT_EQ(m.calibration->frames, 2);
  EXPECT_NEAR(*m.calibration->error_m.mean, 0.5, 1e-9);
  EXPECT_NEAR(m.calibration->coverage, 2.0 / 3.0, 1e-12);
}

TEST(EvalReport, JsonHasPercentagesAndSections) {
  EvalSequence gt, pred;
  gt.name = "gt";
  pred.name = "pred";
  gt.has_teams = true;
  gt.frames.resize(2);
  pred.frames.resize(3);  // the third frame is past the GT: ignored
  for (int t = 0; t < 2; ++t) {
    gt.frames[t].objects = {person(1, 0, 0)};
    pred.frames[t].objects = {person(5, 0, 1)};
  }
  pred.frames[2].objects = {person(5, 0, 1)};
  EvalOptions options;
  options.ceiling = true;
  auto report = evaluate_sequence(gt, pred, options);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->pred_boxes_ignored, 1);
  const std::string json = to_json(*report);
  EXPECT_NE(json.find("\"HOTA\": 100.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"team_accuracy\": 100.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"ceiling\""), std::string::npos);
  EXPECT_EQ(json.find("\"ball\""), std::string::npos);  // no ball GT: no section
}

TEST(EvalReport, ProcessedOnlyEvaluatesFramesWithALine) {
  // A run at a lower frame rate: tracks.jsonl has lines for source frames 0 and 2 only.
  EvalSequence gt;
  gt.frames.resize(3);
  for (auto& f : gt.frames) f.objects = {person(1, 0, {})};
  FrameResult a, b;
  a.frame_index = 0;
  b.frame_index = 2;
  Track t;
  t.track_id = 4;
  t.box_px = sq(0);
  a.tracks = b.tracks = {t};
  const EvalSequence pred = sequence_from_frame_results({a, b});
  ASSERT_EQ(pred.frames.size(), 3u);
  EXPECT_FALSE(pred.frames[1].processed);

  auto all = evaluate_sequence(gt, pred);
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->unprocessed_frames, 1);
  EXPECT_EQ(all->tracking.frames, 3);
  EXPECT_EQ(all->tracking.clear.fn, 1);  // the skipped frame counts as a miss

  EvalOptions options;
  options.processed_only = true;
  auto processed = evaluate_sequence(gt, pred, options);
  ASSERT_TRUE(processed.is_ok());
  EXPECT_EQ(processed->unprocessed_frames, 1);
  EXPECT_EQ(processed->tracking.frames, 2);
  EXPECT_DOUBLE_EQ(processed->tracking.hota.hota, 1.0);
  EXPECT_EQ(processed->tracking.clear.fragmentations, 0);  // processed frames are consecutive
}

}  // namespace
}  // namespace pitchtrack::eval
