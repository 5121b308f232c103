// Detector evaluation on still images: COCO-style average precision per class and precision /
// recall at a score threshold. Pure functions; no I/O (YOLO label files: eval/yolo_labels.hpp).
//
// Matching (as pycocotools, without crowd boxes or area ranges): per image and class, the
// predictions in descending score order (at most max_dets_per_image) are each matched to the
// not yet matched GT box of the highest IoU, if that IoU >= t. AP at t: the precision/recall
// curve over all images (predictions ranked by score), precision made monotone, sampled at the
// 101 recall points 0, 0.01, ..., 1 (0 where the recall is not reached). AP50 uses t = 0.5;
// AP50-95 averages t = 0.50, 0.55, ..., 0.95. mAP averages the classes that have GT boxes.
// Precision and recall at `score_threshold`: the predictions with score >= threshold and their
// matches at IoU 0.5. A class without GT boxes has no AP (empty optional).
// Classes: the four ObjectClass values (ball, goalkeeper, player, referee), or with
// merge_persons two: ball and person (goalkeeper, player and referee merged), for detectors that
// only know persons.
// Boxes may be in any units (pixels or normalised) as long as GT and predictions of one image
// share them: IoU does not change under per-axis scaling.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pitchtrack/core/detection.hpp"

namespace pitchtrack::eval {

struct DetectionImage {
  std::string name;           // image stem, for messages
  std::vector<Detection> gt;  // score ignored
  std::vector<Detection> pred;
};

struct DetectionEvalOptions {
  bool merge_persons = false;
  double score_threshold = 0.25;  // for precision / recall
  int max_dets_per_image = 100;   // per class and image (COCO maxDets)
};

struct ClassDetectionMetrics {
  std::string name;
  int64_t gt = 0;                       // GT boxes
  int64_t pred = 0;                     // predictions (all scores, after the max_dets cap)
  std::optional<double> ap50, ap50_95;  // [0, 1]; empty without GT boxes
  int64_t pred_at_threshold = 0;
  int64_t tp_at_threshold = 0;
  std::optional<double> precision;  // at the threshold, IoU 0.5; empty without predictions
  std::optional<double> recall;     // empty without GT boxes
};

struct DetectionMetrics {
  std::vector<ClassDetectionMetrics> classes;
  std::optional<double> map50, map50_95;  // over classes with GT boxes
  int64_t images = 0;
};

DetectionMetrics evaluate_detections(std::span<const DetectionImage> images,
                                     const DetectionEvalOptions& options = {});

// COCO 101-point interpolated AP from ranked predictions: `is_tp` in descending score order,
// `num_gt` GT boxes. 0 when num_gt == 0.
double average_precision_101(std::span<const char> is_tp, int64_t num_gt);

}  // namespace pitchtrack::eval
