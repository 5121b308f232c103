// Golden test of the shipped football detector on a generated frame: a synthetic broadcast frame
// (MatchSynthesizer, seed 1, 1280x720, frame 25 — deterministic, no data needed) through the ONNX
// model must give the recorded boxes (tests/golden/football_det_synth_seed1_f25.txt) within
// 1 px and 0.02 score. A change of model, letterbox, decoding or NMS shows up here.
// Re-record with PITCHTRACK_UPDATE_GOLDEN=1 (then review the diff).
#include <gtest/gtest.h>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/synth/match_synthesizer.hpp"
#include "support/detection_golden.hpp"

namespace pitchtrack {
namespace {

TEST(DetectorGolden, ShippedModelOnGeneratedFrame) {
  SynthConfig sc;
  sc.seed = 1;
  sc.width = 1280;
  sc.height = 720;
  sc.seconds = 2.0;
  auto synth = MatchSynthesizer::create(sc);
  ASSERT_TRUE(synth.is_ok()) << synth.status().to_string();
  Result<Frame> frame = internal_error("no frame rendered");
  for (int i = 0; i <= 25; ++i) frame = (*synth)->render_next();
  ASSERT_TRUE(frame.is_ok()) << frame.status().to_string();

  DetectorConfig dc;
  dc.backend = "onnx";
  dc.thresholds = {0.3f, 0.3f, 0.3f, 0.3f};
  auto det = create_detector(dc);
  ASSERT_TRUE(det.is_ok()) << det.status().to_string();
  auto out = (*det)->detect(std::span<const Frame>(&*frame, 1));
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& dets = (*out)[0];

  const std::string path = testing::golden_path("football_det_synth_seed1_f25.txt");
  if (testing::update_golden_requested()) {
    ASSERT_TRUE(
        testing::write_golden(path, dets,
                              "models/football_det.onnx on MatchSynthesizer seed 1, 1280x720, frame 25;\n"
                              "backend onnx, thresholds 0.3 for every class")
            .is_ok());
    GTEST_SKIP() << "rewrote " << path << " (" << dets.size() << " detections)";
  }
  auto golden = testing::read_golden(path);
  ASSERT_TRUE(golden.is_ok()) << golden.status().to_string();
  ASSERT_GE(golden->size(), 10u) << "a broadcast frame with 20+ people should give many detections";
  const auto problems = testing::compare_golden(dets, *golden);
  for (const auto& p : problems) ADD_FAILURE() << p;
}

}  // namespace
}  // namespace pitchtrack
