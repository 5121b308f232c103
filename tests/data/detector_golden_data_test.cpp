// Golden test of the shipped football detector on a real broadcast frame of the valid split of
// football-players-v1 (label data; skips without ../shared/data). The recorded boxes are in
// tests/golden/football_det_valid_08fd33_3_1.txt (the data itself is not committed).
// Besides agreeing with the recording, the frame's labelled people must be found: the check ties
// the golden file to the ground truth so a wrong recording cannot pass.
// Re-record with PITCHTRACK_UPDATE_GOLDEN=1 (then review the diff).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/io/image.hpp"
#include "support/detection_golden.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {

constexpr const char* kImage = "08fd33_3_1_png.rf.31f0922e675aab6629145b036a601884";

TEST(DetectorGoldenData, ShippedModelOnRealValidFrame) {
  PT_REQUIRE_SHARED_DATA(valid, "football-players-v1/valid");
  auto image = read_image(valid + "/images/" + kImage + ".jpg");
  ASSERT_TRUE(image.is_ok()) << image.status().to_string();
  const Frame& frame = *image;
  ASSERT_EQ(frame.width(), 1280);

  DetectorConfig dc;
  dc.backend = "onnx";
  dc.thresholds = {0.3f, 0.3f, 0.3f, 0.3f};
  auto det = create_detector(dc);
  ASSERT_TRUE(det.is_ok()) << det.status().to_string();
  auto out = (*det)->detect(std::span<const Frame>(&frame, 1));
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& dets = (*out)[0];

  const std::string path = testing::golden_path("football_det_valid_08fd33_3_1.txt");
  if (testing::update_golden_requested()) {
    ASSERT_TRUE(testing::write_golden(path, dets,
                                      std::string("models/football_det.onnx on football-players-v1 valid/") +
                                          kImage +
                                          ".jpg (1280x720);\nbackend onnx, thresholds 0.3 for every class")
                    .is_ok());
    GTEST_SKIP() << "rewrote " << path << " (" << dets.size() << " detections)";
  }
  auto golden = testing::read_golden(path);
  ASSERT_TRUE(golden.is_ok()) << golden.status().to_string();
  for (const auto& p : testing::compare_golden(dets, *golden)) ADD_FAILURE() << p;

  // Tie to the labels: people (YOLO txt, class ids 0 ball, 1 goalkeeper, 2 player, 3 referee)
  std::ifstream labels(valid + "/labels/" + kImage + ".txt");
  ASSERT_TRUE(labels.good());
  int people = 0, found = 0;
  for (std::string line; std::getline(labels, line);) {
    std::istringstream s(line);
    int c = 0;
    float cx = 0, cy = 0, w = 0, h = 0;
    if (!(s >> c >> cx >> cy >> w >> h) || c == 0) continue;
    const BoxXyxy gt{(cx - w / 2) * 1280, (cy - h / 2) * 720, (cx + w / 2) * 1280, (cy + h / 2) * 720};
    ++people;
    for (const auto& d : dets) {
      if (is_person(d.class_id) && iou(d.box_px, gt) >= 0.5f) {
        ++found;
        break;
      }
    }
  }
  ASSERT_GT(people, 10);
  EXPECT_GE(found, people * 9 / 10) << found << " of " << people << " labelled people found";
}

}  // namespace
}  // namespace pitchtrack
