// `pitchtrack eval`: tracking metrics of predictions against ground truth, as JSON.
// `pitchtrack eval-detect`: detector AP / precision / recall on a YOLO-format image set, as JSON.
// Output fields and units: docs/FORMATS.md.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "pitchtrack/eval/ground_truth.hpp"
#include "pitchtrack/eval/report.hpp"
#include "pitchtrack/eval/yolo_labels.hpp"

namespace pitchtrack::cli {
namespace {

struct EvalArgs {
  std::string gt;
  std::string pred;
  std::string json_out;
  bool ceiling = false;
  double ceiling_iou = 0.05;
  bool processed_only = false;
  std::string image_size;  // "WxH"
  double ball_max_px = 10.0;
  bool pitch_gt_h = false;
};

struct EvalDetectArgs {
  std::string data;
  std::string pred;
  std::string json_out;
  double threshold = 0.25;
  bool person = false;
};

// Prints the JSON and, when asked, writes it to a file too.
int emit(const std::string& command, const std::string& json, const std::string& path) {
  std::cout << json << std::endl;
  if (path.empty()) return 0;
  std::ofstream out(path);
  if (!(out << json << "\n")) return fail(command, "cannot write '" + path + "'");
  return 0;
}

}  // namespace

void register_eval(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* sub = app.add_subcommand(
      "eval", "Tracking metrics (HOTA, MOTA, IDF1, ...) of predictions against GT, as JSON");
  sub->add_option("--gt", args->gt,
                  "GT: a sequence folder (gt/gt.txt [+ seqinfo.ini, synthetic csv files]) or MOT txt")
      ->required();
  sub->add_option("--pred", args->pred, "predictions: tracks.jsonl or MOT txt")->required();
  sub->add_flag("--ceiling", args->ceiling, "also report the metrics of the same boxes with GT identities");
  sub->add_option("--ceiling-iou", args->ceiling_iou,
                  "min IoU for a predicted box to take the GT id (--ceiling)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_flag("--processed-only", args->processed_only,
                "evaluate only frames with a tracks.jsonl line (e.g. a run at a lower target_fps)");
  sub->add_option("--json", args->json_out, "also write the JSON to this file");
  sub->add_option("--image-size", args->image_size,
                  "WxH for the calibration error when the GT has no seqinfo.ini")
      ->check([](const std::string& s) {
        int w = 0, h = 0;
        char x = 0;
        return sscanf(s.c_str(), "%d%c%d", &w, &x, &h) == 3 && (x == 'x' || x == 'X') && w > 0 && h > 0
                   ? std::string()
                   : std::string("expected WxH, e.g. 1280x720");
      });
  sub->add_flag("--pitch-from-gt-homography", args->pitch_gt_h,
                "pitch error of the predicted boxes projected by the GT homography (calibration taken out)");
  sub->add_option("--ball-max-px", args->ball_max_px, "ball detected when centres are this close (px)")
      ->check(CLI::PositiveNumber);
  on_selected(sub, [args] {
    auto gt = eval::load_ground_truth(args->gt);
    if (!gt.is_ok()) return fail("eval", gt.status().to_string());
    auto pred = eval::load_predictions(args->pred);
    if (!pred.is_ok()) return fail("eval", pred.status().to_string());
    eval::EvalOptions options;
    options.ceiling = args->ceiling;
    options.ceiling_iou = args->ceiling_iou;
    options.processed_only = args->processed_only;
    options.scene.ball_max_distance_px = args->ball_max_px;
    options.scene.pitch_from_gt_homography = args->pitch_gt_h;
    if (!args->image_size.empty()) {
      char x = 0;
      sscanf(args->image_size.c_str(), "%d%c%d", &options.scene.default_image_width, &x,
             &options.scene.default_image_height);
    }
    auto report = eval::evaluate_sequence(*gt, *pred, options);
    if (!report.is_ok()) return fail("eval", report.status().to_string());
    return emit("eval", eval::to_json(*report), args->json_out);
  });

  auto dargs = std::make_shared<EvalDetectArgs>();
  CLI::App* det = app.add_subcommand("eval-detect",
                                     "Detector AP50 / mAP50-95 / precision / recall on YOLO labels, as JSON");
  det->add_option("--data", dargs->data, "YOLO-format folder with images/ and labels/")->required();
  det->add_option("--pred", dargs->pred,
                  "folder of predictions: <image-stem>.txt, lines 'class cx cy w h score'")
      ->required();
  det->add_option("--threshold", dargs->threshold, "score threshold for precision and recall")
      ->check(CLI::Range(0.0, 1.0));
  det->add_flag("--person", dargs->person, "merge goalkeeper, player and referee into one 'person' class");
  det->add_option("--json", dargs->json_out, "also write the JSON to this file");
  on_selected(det, [dargs] {
    auto set = eval::load_yolo_eval_set(dargs->data, dargs->pred);
    if (!set.is_ok()) return fail("eval-detect", set.status().to_string());
    eval::DetectionEvalOptions options;
    options.merge_persons = dargs->person;
    options.score_threshold = dargs->threshold;
    const eval::DetectionMetrics metrics = eval::evaluate_detections(set->images, options);
    eval::DetectionReportInfo info{.data = dargs->data,
                                   .pred = dargs->pred,
                                   .score_threshold = dargs->threshold,
                                   .merge_persons = dargs->person,
                                   .unmatched_prediction_files = set->unmatched_prediction_files};
    return emit("eval-detect", eval::to_json(metrics, info), dargs->json_out);
  });
}

}  // namespace pitchtrack::cli
