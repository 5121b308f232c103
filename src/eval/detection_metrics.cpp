#include "pitchtrack/eval/detection_metrics.hpp"

#include <algorithm>
#include <numeric>

#include "pitchtrack/eval/box_matching.hpp"

namespace pitchtrack::eval {
namespace {

constexpr int kNumIouThresholds = 10;  // 0.50, 0.55, ..., 0.95

double iou_threshold(int k) { return 0.5 + 0.05 * k; }

struct Ranked {
  float score;
  std::array<char, kNumIouThresholds> tp;
};

}  // namespace

double average_precision_101(std::span<const char> is_tp, int64_t num_gt) {
  if (num_gt <= 0 || is_tp.empty()) return 0.0;
  const size_t n = is_tp.size();
  std::vector<double> recall(n), precision(n);
  double tp = 0, fp = 0;
  for (size_t i = 0; i < n; ++i) {
    (is_tp[i] ? tp : fp) += 1.0;
    recall[i] = tp / static_cast<double>(num_gt);
    precision[i] = tp / (tp + fp);
  }
  for (size_t i = n - 1; i > 0; --i) precision[i - 1] = std::max(precision[i - 1], precision[i]);
  double sum = 0.0;
  for (int k = 0; k <= 100; ++k) {
    const double r = k == 100 ? 1.0 : 0.01 * k;  // numpy.linspace(0, 1, 101)
    const auto it = std::lower_bound(recall.begin(), recall.end(), r);
    if (it != recall.end()) sum += precision[static_cast<size_t>(it - recall.begin())];
  }
  return sum / 101.0;
}

DetectionMetrics evaluate_detections(std::span<const DetectionImage> images,
                                     const DetectionEvalOptions& options) {
  const std::vector<std::string> names =
      options.merge_persons ? std::vector<std::string>{"ball", "person"}
                            : std::vector<std::string>{"ball", "goalkeeper", "player", "referee"};
  const int num_classes = static_cast<int>(names.size());
  auto class_of = [&](ObjectClass c) {
    if (options.merge_persons) return c == ObjectClass::kBall ? 0 : 1;
    return static_cast<int>(c);
  };

  DetectionMetrics out;
  out.images = static_cast<int64_t>(images.size());
  std::vector<std::vector<Ranked>> ranked(num_classes);
  std::vector<int64_t> num_gt(num_classes, 0);
  std::vector<BoxXyxy> gt_boxes;
  std::vector<const Detection*> preds;
  std::vector<double> ious;
  for (const DetectionImage& image : images) {
    for (int c = 0; c < num_classes; ++c) {
      gt_boxes.clear();
      for (const Detection& d : image.gt) {
        if (class_of(d.class_id) == c) gt_boxes.push_back(d.box_px);
      }
      num_gt[c] += static_cast<int64_t>(gt_boxes.size());
      preds.clear();
      for (const Detection& d : image.pred) {
        if (class_of(d.class_id) == c) preds.push_back(&d);
      }
      std::stable_sort(preds.begin(), preds.end(),
                       [](const Detection* a, const Detection* b) { return a->score > b->score; });
      if (static_cast<int>(preds.size()) > options.max_dets_per_image)
        preds.resize(options.max_dets_per_image);
      const size_t ng = gt_boxes.size();
      ious.resize(preds.size() * ng);
      for (size_t i = 0; i < preds.size(); ++i) {
        for (size_t g = 0; g < ng; ++g) ious[i * ng + g] = box_iou(preds[i]->box_px, gt_boxes[g]);
      }
      std::vector<Ranked> local(preds.size());
      for (size_t i = 0; i < preds.size(); ++i) local[i].score = preds[i]->score;
      std::vector<char> used(ng);
      for (int t = 0; t < kNumIouThresholds; ++t) {
        std::fill(used.begin(), used.end(), 0);
        for (size_t i = 0; i < preds.size(); ++i) {
          // The unmatched GT of highest IoU, if at least the threshold (pycocotools' loop).
          double best = std::min(iou_threshold(t), 1.0 - 1e-10);
          int match = -1;
          for (size_t g = 0; g < ng; ++g) {
            if (used[g] || ious[i * ng + g] < best) continue;
            best = ious[i * ng + g];
            match = static_cast<int>(g);
          }
          local[i].tp[t] = match >= 0;
          if (match >= 0) used[match] = 1;
        }
      }
      ranked[c].insert(ranked[c].end(), local.begin(), local.end());
    }
  }

  double sum50 = 0, sum5095 = 0;
  int with_gt = 0;
  std::vector<char> flags;
  for (int c = 0; c < num_classes; ++c) {
    std::vector<Ranked>& r = ranked[c];
    std::stable_sort(r.begin(), r.end(), [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
    ClassDetectionMetrics m;
    m.name = names[c];
    m.gt = num_gt[c];
    m.pred = static_cast<int64_t>(r.size());
    for (const Ranked& x : r) {
      if (x.score < options.score_threshold) continue;
      ++m.pred_at_threshold;
      m.tp_at_threshold += x.tp[0];
    }
    if (m.pred_at_threshold > 0) {
      m.precision = static_cast<double>(m.tp_at_threshold) / static_cast<double>(m.pred_at_threshold);
    }
    if (m.gt > 0) {
      m.recall = static_cast<double>(m.tp_at_threshold) / static_cast<double>(m.gt);
      double sum = 0.0;
      for (int t = 0; t < kNumIouThresholds; ++t) {
        flags.resize(r.size());
        for (size_t i = 0; i < r.size(); ++i) flags[i] = r[i].tp[t];
        const double ap = average_precision_101(flags, m.gt);
        if (t == 0) m.ap50 = ap;
        sum += ap;
      }
      m.ap50_95 = sum / kNumIouThresholds;
      sum50 += *m.ap50;
      sum5095 += *m.ap50_95;
      ++with_gt;
    }
    out.classes.push_back(std::move(m));
  }
  if (with_gt > 0) {
    out.map50 = sum50 / with_gt;
    out.map50_95 = sum5095 / with_gt;
  }
  return out;
}

}  // namespace pitchtrack::eval
