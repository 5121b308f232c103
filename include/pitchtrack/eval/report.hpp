// Evaluation of one sequence end to end (tracking metrics, optional perfect-association
// ceiling, football metrics) and the JSON the CLI prints (docs/FORMATS.md,
// "pitchtrack eval output" and "pitchtrack eval-detect output").
//
// Contract: evaluate_sequence evaluates the GT frames; predicted boxes in frames after the last
// GT frame are not evaluated and are counted in pred_boxes_ignored. GT frames the pipeline did
// not process (no tracks.jsonl line, e.g. skipped by target_fps) are counted in
// unprocessed_frames; they are evaluated as frames without predictions unless processed_only is
// set, which evaluates only the processed frames, as consecutive frames. In the JSON every ratio is
// a percentage (0..100); distances are metres (_m) or pixels (_px); null where not measurable.
// Threading: pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "pitchtrack/core/status.hpp"
#include "pitchtrack/eval/detection_metrics.hpp"
#include "pitchtrack/eval/scene_metrics.hpp"
#include "pitchtrack/eval/sequence.hpp"
#include "pitchtrack/eval/tracking_metrics.hpp"

namespace pitchtrack::eval {

struct EvalOptions {
  bool ceiling = false;         // also evaluate the predictions relabelled with GT ids
  double ceiling_iou = 0.05;    // pairing threshold of the relabelling (relabel_with_gt_ids)
  bool processed_only = false;  // evaluate only frames with a tracks.jsonl line
  SceneOptions scene;
};

struct EvalReport {
  std::string gt;
  std::string pred;
  TrackingMetrics tracking;
  std::optional<TrackingMetrics> ceiling;
  SceneMetrics scene;
  int64_t pred_boxes_ignored = 0;  // predicted boxes in frames after the last GT frame
  int64_t unprocessed_frames = 0;  // GT frames without a tracks.jsonl line
  bool processed_only = false;     // only processed frames were evaluated
};

// Per-frame (id, box) lists of a sequence, for the tracking metrics.
std::vector<FrameBoxes> frame_boxes(const EvalSequence& seq);

Result<EvalReport> evaluate_sequence(const EvalSequence& gt, const EvalSequence& pred,
                                     const EvalOptions& options = {});

std::string to_json(const EvalReport& report, int indent = 2);

struct DetectionReportInfo {
  std::string data;
  std::string pred;
  double score_threshold = 0.25;
  bool merge_persons = false;
  int64_t unmatched_prediction_files = 0;
};
std::string to_json(const DetectionMetrics& metrics, const DetectionReportInfo& info, int indent = 2);

}  // namespace pitchtrack::eval
