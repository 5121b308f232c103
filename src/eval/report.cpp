#include "pitchtrack/eval/report.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace pitchtrack::eval {
namespace {

using Json = nlohmann::ordered_json;  // keys in the documented order

double round_to(double x, double scale) { return std::round(x * scale) / scale; }
// Ratios in [0, 1] become percentages with 4 decimals (1e-6 of the ratio).
Json pct(double ratio) { return round_to(100.0 * ratio, 1e4); }
Json pct(const std::optional<double>& ratio) { return ratio ? pct(*ratio) : Json(nullptr); }
Json num(const std::optional<double>& x) { return x ? Json(round_to(*x, 1e4)) : Json(nullptr); }

Json tracking_json(const TrackingMetrics& m) {
  const HotaMetrics& h = m.hota;
  const ClearMetrics& c = m.clear;
  const IdentityMetrics& id = m.identity;
  Json j;
  j["HOTA"] = pct(h.hota);
  j["DetA"] = pct(h.deta);
  j["AssA"] = pct(h.assa);
  j["LocA"] = pct(h.loca);
  j["DetRe"] = pct(h.detre);
  j["DetPr"] = pct(h.detpr);
  j["AssRe"] = pct(h.assre);
  j["AssPr"] = pct(h.asspr);
  j["MOTA"] = pct(c.mota);
  j["MOTP"] = pct(c.motp);
  j["MODA"] = pct(c.moda);
  j["IDF1"] = pct(id.idf1);
  j["IDP"] = pct(id.idp);
  j["IDR"] = pct(id.idr);
  j["id_switches"] = c.id_switches;
  j["fragmentations"] = c.fragmentations;
  j["precision"] = pct(c.precision);
  j["recall"] = pct(c.recall);
  j["tp"] = c.tp;
  j["fp"] = c.fp;
  j["fn"] = c.fn;
  j["mostly_tracked"] = c.mostly_tracked;
  j["partially_tracked"] = c.partially_tracked;
  j["mostly_lost"] = c.mostly_lost;
  j["IDTP"] = id.idtp;
  j["IDFP"] = id.idfp;
  j["IDFN"] = id.idfn;
  j["gt_boxes"] = m.gt_boxes;
  j["pred_boxes"] = m.pred_boxes;
  j["gt_ids"] = m.gt_ids;
  j["pred_ids"] = m.pred_ids;
  return j;
}

Json stats_json(const DistanceStats& s) {
  return {{"mean", num(s.mean)}, {"median", num(s.median)}, {"p95", num(s.p95)}, {"n", s.n}};
}

}  // namespace

std::vector<FrameBoxes> frame_boxes(const EvalSequence& seq) {
  std::vector<FrameBoxes> out(seq.frames.size());
  for (size_t t = 0; t < seq.frames.size(); ++t) {
    out[t].reserve(seq.frames[t].objects.size());
    for (const EvalObject& o : seq.frames[t].objects) out[t].push_back(IdBox{o.id, o.box_px});
  }
  return out;
}

Result<EvalReport> evaluate_sequence(const EvalSequence& gt, const EvalSequence& pred,
                                     const EvalOptions& options) {
  EvalReport r;
  r.gt = gt.name;
  r.pred = pred.name;
  r.processed_only = options.processed_only;
  for (size_t t = gt.frames.size(); t < pred.frames.size(); ++t) {
    r.pred_boxes_ignored += static_cast<int64_t>(pred.frames[t].objects.size());
  }
  // The frames to evaluate: all GT frames, or only those the pipeline processed.
  const EvalSequence* g = &gt;
  const EvalSequence* p = &pred;
  EvalSequence gt_subset, pred_subset;
  if (pred.marks_processed) {
    for (size_t t = 0; t < gt.frames.size(); ++t) {
      if (t >= pred.frames.size() || !pred.frames[t].processed) ++r.unprocessed_frames;
    }
    if (options.processed_only) {
      gt_subset = gt;
      pred_subset = pred;
      gt_subset.frames.clear();
      pred_subset.frames.clear();
      for (size_t t = 0; t < gt.frames.size() && t < pred.frames.size(); ++t) {
        if (!pred.frames[t].processed) continue;
        gt_subset.frames.push_back(gt.frames[t]);
        pred_subset.frames.push_back(pred.frames[t]);
      }
      g = &gt_subset;
      p = &pred_subset;
    }
  }
  const std::vector<FrameBoxes> gb = frame_boxes(*g);
  std::vector<FrameBoxes> pb = frame_boxes(*p);
  pb.resize(gb.size());
  auto tracking = evaluate_tracking(gb, pb);
  if (!tracking.is_ok()) return tracking.status().with_context("evaluate '" + pred.name + "'");
  r.tracking = std::move(tracking).value();
  if (options.ceiling) {
    auto ceiling = evaluate_tracking(gb, relabel_with_gt_ids(gb, pb, options.ceiling_iou));
    if (!ceiling.is_ok()) return ceiling.status().with_context("ceiling of '" + pred.name + "'");
    r.ceiling = std::move(ceiling).value();
  }
  r.scene = evaluate_scene(*g, *p, options.scene);
  return r;
}

std::string to_json(const EvalReport& report, int indent) {
  Json j;
  j["gt"] = report.gt;
  j["pred"] = report.pred;
  j["frames"] = report.tracking.frames;
  j.update(tracking_json(report.tracking));
  j["pred_boxes_ignored"] = report.pred_boxes_ignored;
  j["unprocessed_frames"] = report.unprocessed_frames;
  j["processed_only"] = report.processed_only;
  Json alphas = Json::array(), hota = Json::array(), deta = Json::array(), assa = Json::array(),
       loca = Json::array();
  for (int a = 0; a < kNumHotaAlphas; ++a) {
    alphas.push_back(round_to(hota_alpha(a), 100.0));
    hota.push_back(pct(report.tracking.hota.hota_at[a]));
    deta.push_back(pct(report.tracking.hota.deta_at[a]));
    assa.push_back(pct(report.tracking.hota.assa_at[a]));
    loca.push_back(pct(report.tracking.hota.loca_at[a]));
  }
  j["hota_per_alpha"] = {{"alpha", alphas}, {"HOTA", hota}, {"DetA", deta}, {"AssA", assa}, {"LocA", loca}};
  if (report.ceiling) {
    const Json c = tracking_json(*report.ceiling);
    j["ceiling"] = {{"HOTA", c["HOTA"]},
                    {"DetA", c["DetA"]},
                    {"AssA", c["AssA"]},
                    {"LocA", c["LocA"]},
                    {"MOTA", c["MOTA"]},
                    {"IDF1", c["IDF1"]},
                    {"id_switches", c["id_switches"]}};
  }
  const SceneMetrics& s = report.scene;
  if (s.team) {
    j["team_accuracy"] = pct(s.team->accuracy);
    j["team"] = {{"matched", s.team->matched}, {"assigned", s.team->assigned}, {"swapped", s.team->swapped}};
  }
  if (s.pitch) {
    Json p = stats_json(s.pitch->error_m);
    p["matched_with_gt"] = s.pitch->matched_with_gt;
    j["pitch_error_m"] = p;
  }
  if (s.ball) {
    const BallMetrics& b = *s.ball;
    j["ball"] = {{"detection_rate", pct(b.detection_rate)}, {"precision", pct(b.precision)},
                 {"error_px", num(b.error_px.mean)},        {"error_px_p95", num(b.error_px.p95)},
                 {"error_m", num(b.error_m.mean)},          {"error_m_n", b.error_m.n},
                 {"visible_frames", b.visible_frames},      {"predicted_frames", b.predicted_frames},
                 {"detected_frames", b.detected_frames}};
  }
  if (s.calibration) {
    const CalibrationMetrics& c = *s.calibration;
    j["calibration"] = {{"error_m_mean", num(c.error_m.mean)}, {"error_m_median", num(c.error_m.median)},
                        {"error_m_p95", num(c.error_m.p95)},   {"frames", c.frames},
                        {"coverage", pct(c.coverage)},         {"predicted_frames", c.predicted_frames},
                        {"total_frames", c.total_frames}};
  }
  return j.dump(indent);
}

std::string to_json(const DetectionMetrics& metrics, const DetectionReportInfo& info, int indent) {
  Json j;
  j["data"] = info.data;
  j["pred"] = info.pred;
  j["images"] = metrics.images;
  j["threshold"] = info.score_threshold;
  j["person_merged"] = info.merge_persons;
  j["unmatched_prediction_files"] = info.unmatched_prediction_files;
  Json classes = Json::object();
  for (const ClassDetectionMetrics& c : metrics.classes) {
    classes[c.name] = {{"AP50", pct(c.ap50)},
                       {"AP50_95", pct(c.ap50_95)},
                       {"precision", pct(c.precision)},
                       {"recall", pct(c.recall)},
                       {"gt", c.gt},
                       {"pred", c.pred},
                       {"pred_at_threshold", c.pred_at_threshold},
                       {"tp_at_threshold", c.tp_at_threshold}};
  }
  j["classes"] = classes;
  j["mAP50"] = pct(metrics.map50);
  j["mAP50_95"] = pct(metrics.map50_95);
  return j.dump(indent);
}

}  // namespace pitchtrack::eval
