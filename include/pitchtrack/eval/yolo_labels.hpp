// YOLO-format label files for the detector evaluation.
//
// Contract:
// - A label file has one box per line `class cx cy w h` (GT) or `class cx cy w h score`
//   (predictions), centre and size normalised to [0, 1] by the image size; class ids follow
//   ObjectClass (0 ball, 1 goalkeeper, 2 player, 3 referee). Boxes come back as BoxXyxy in the
//   same normalised units (IoU does not depend on the image size).
// - A data folder holds images/ and labels/ (YOLO layout, e.g. football-players-v1/valid); an
//   image without a label file has no GT boxes. The prediction folder holds <image-stem>.txt per
//   image; a missing file means no predictions; files naming no image are counted, not read.
// - Errors name the file and the 1-based line.
// Threading: free functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/eval/detection_metrics.hpp"

namespace pitchtrack::eval {

Result<std::vector<Detection>> read_yolo_labels(const std::string& path, bool with_score);

struct YoloEvalSet {
  std::vector<DetectionImage> images;  // sorted by name
  int64_t unmatched_prediction_files = 0;
};
Result<YoloEvalSet> load_yolo_eval_set(const std::string& data_dir, const std::string& pred_dir);

}  // namespace pitchtrack::eval
