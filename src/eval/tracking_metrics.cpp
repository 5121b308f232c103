#include "pitchtrack/eval/tracking_metrics.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "pitchtrack/core/assignment.hpp"
#include "pitchtrack/eval/box_matching.hpp"

namespace pitchtrack::eval {
namespace {

constexpr double kEps = DBL_EPSILON;  // TrackEval's np.finfo('float').eps
constexpr double kClearIou = 0.5;
constexpr double kIdentityIou = 0.5;

// Ids made contiguous (0..n-1) and the IoU matrix of every frame, shared by the three metrics.
struct Prepared {
  struct Frame {
    std::vector<int> gt;      // contiguous GT ids of this frame
    std::vector<int> pred;    // contiguous predicted ids
    std::vector<double> sim;  // gt.size() x pred.size(), row-major IoU
    double at(size_t i, size_t j) const { return sim[i * pred.size() + j]; }
  };
  std::vector<Frame> frames;
  int num_gt_ids = 0;
  int num_pred_ids = 0;
  int64_t num_gt_dets = 0;
  int64_t num_pred_dets = 0;

  uint64_t key(int g, int p) const {
    return static_cast<uint64_t>(g) * static_cast<uint64_t>(num_pred_ids) + p;
  }
};

Status map_ids(const FrameBoxes& boxes, size_t frame, const char* what, std::unordered_map<int64_t, int>& ids,
               std::vector<int>& out) {
  out.clear();
  out.reserve(boxes.size());
  for (const IdBox& b : boxes) {
    const auto [it, inserted] = ids.emplace(b.id, static_cast<int>(ids.size()));
    const int id = it->second;
    if (std::find(out.begin(), out.end(), id) != out.end()) {
      return invalid_argument("frame " + std::to_string(frame + 1) + ": " + what + " id " +
                              std::to_string(b.id) + " appears more than once");
    }
    out.push_back(id);
  }
  return Status::ok();
}

Result<Prepared> prepare(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred) {
  Prepared s;
  const size_t n = std::max(gt.size(), pred.size());
  s.frames.resize(n);
  std::unordered_map<int64_t, int> gt_ids, pred_ids;
  static const FrameBoxes kEmpty;
  for (size_t t = 0; t < n; ++t) {
    const FrameBoxes& g = t < gt.size() ? gt[t] : kEmpty;
    const FrameBoxes& p = t < pred.size() ? pred[t] : kEmpty;
    Prepared::Frame& f = s.frames[t];
    PT_RETURN_IF_ERROR(map_ids(g, t, "ground-truth", gt_ids, f.gt));
    PT_RETURN_IF_ERROR(map_ids(p, t, "predicted", pred_ids, f.pred));
    f.sim.resize(g.size() * p.size());
    for (size_t i = 0; i < g.size(); ++i) {
      for (size_t j = 0; j < p.size(); ++j) f.sim[i * p.size() + j] = box_iou(g[i].box_px, p[j].box_px);
    }
    s.num_gt_dets += static_cast<int64_t>(g.size());
    s.num_pred_dets += static_cast<int64_t>(p.size());
  }
  s.num_gt_ids = static_cast<int>(gt_ids.size());
  s.num_pred_ids = static_cast<int>(pred_ids.size());
  return s;
}

// ---------------------------------------------------------------------------------------- HOTA

void finish_hota(HotaMetrics& r) {
  for (int a = 0; a < kNumHotaAlphas; ++a) {
    const double tp = static_cast<double>(r.tp[a]);
    r.deta_at[a] = tp / std::max(1.0, tp + r.fn[a] + r.fp[a]);
    r.hota_at[a] = std::sqrt(r.deta_at[a] * r.assa_at[a]);
  }
  auto mean = [](const std::array<double, kNumHotaAlphas>& v) {
    double sum = 0.0;
    for (double x : v) sum += x;
    return sum / kNumHotaAlphas;
  };
  r.hota = mean(r.hota_at);
  r.deta = mean(r.deta_at);
  r.assa = mean(r.assa_at);
  r.loca = mean(r.loca_at);
}

HotaMetrics hota_from(const Prepared& s) {
  HotaMetrics r;
  // Empty sequences: TrackEval reports LocA = 1 and zeros elsewhere.
  if (s.num_pred_dets == 0 || s.num_gt_dets == 0) {
    for (int a = 0; a < kNumHotaAlphas; ++a) {
      r.fn[a] = s.num_pred_dets == 0 ? s.num_gt_dets : 0;
      r.fp[a] = s.num_pred_dets == 0 ? 0 : s.num_pred_dets;
      r.loca_at[a] = 1.0;
    }
    r.loca = 1.0;
    return r;
  }
  const int G = s.num_gt_ids;
  const int P = s.num_pred_ids;

  // Pass 1 (Luiten et al. eq. for the global alignment): every co-occurring pair accumulates its
  // IoU normalised like a soft Jaccard within the frame, sim / (row sum + column sum - sim).
  std::vector<double> gt_count(G, 0.0), pred_count(P, 0.0);
  std::unordered_map<uint64_t, double> potential;
  std::vector<double> row_sum, col_sum;
  for (const Prepared::Frame& f : s.frames) {
    const size_t ng = f.gt.size(), np = f.pred.size();
    row_sum.assign(ng, 0.0);
    col_sum.assign(np, 0.0);
    for (size_t i = 0; i < ng; ++i) {
      for (size_t j = 0; j < np; ++j) {
        row_sum[i] += f.at(i, j);
        col_sum[j] += f.at(i, j);
      }
    }
    for (size_t i = 0; i < ng; ++i) {
      for (size_t j = 0; j < np; ++j) {
        const double sim = f.at(i, j);
        if (sim <= 0.0) continue;
        const double denom = row_sum[i] + col_sum[j] - sim;
        if (denom > kEps) potential[s.key(f.gt[i], f.pred[j])] += sim / denom;
      }
    }
    for (int g : f.gt) gt_count[g] += 1.0;
    for (int p : f.pred) pred_count[p] += 1.0;
  }
  auto alignment = [&](int g, int p) {
    const auto it = potential.find(s.key(g, p));
    if (it == potential.end()) return 0.0;
    return it->second / (gt_count[g] + pred_count[p] - it->second);
  };

  // Pass 2: per frame, the assignment maximising alignment * IoU, then thresholded at each alpha.
  std::array<double, kNumHotaAlphas> alpha{}, loca_sum{};
  for (int a = 0; a < kNumHotaAlphas; ++a) alpha[a] = hota_alpha(a);
  std::unordered_map<uint64_t, std::array<int64_t, kNumHotaAlphas>> matches;
  std::vector<double> score;
  for (const Prepared::Frame& f : s.frames) {
    const int ng = static_cast<int>(f.gt.size()), np = static_cast<int>(f.pred.size());
    if (ng == 0 || np == 0) {
      for (int a = 0; a < kNumHotaAlphas; ++a) {
        r.fp[a] += np;
        r.fn[a] += ng;
      }
      continue;
    }
    score.resize(static_cast<size_t>(ng) * np);
    for (int i = 0; i < ng; ++i) {
      for (int j = 0; j < np; ++j)
        score[static_cast<size_t>(i) * np + j] = alignment(f.gt[i], f.pred[j]) * f.at(i, j);
    }
    const Assignment assignment = linear_assignment(score, ng, np, /*maximize=*/true);
    std::array<int64_t, kNumHotaAlphas> matched{};
    for (const auto& [i, j] : assignment.pairs()) {
      const double sim = f.at(i, j);
      std::array<int64_t, kNumHotaAlphas>* counts = nullptr;
      for (int a = 0; a < kNumHotaAlphas; ++a) {
        if (sim < alpha[a] - kEps) break;  // alphas increase: no larger alpha accepts it either
        ++matched[a];
        loca_sum[a] += sim;
        if (counts == nullptr) counts = &matches[s.key(f.gt[i], f.pred[j])];
        ++(*counts)[a];
      }
    }
    for (int a = 0; a < kNumHotaAlphas; ++a) {
      r.tp[a] += matched[a];
      r.fn[a] += ng - matched[a];
      r.fp[a] += np - matched[a];
    }
  }

  // Association: each TP scores the Jaccard of its (gt id, pred id) pair; averaged over TPs.
  std::array<double, kNumHotaAlphas> assa_sum{}, assre_sum{}, asspr_sum{};
  for (const auto& [key, counts] : matches) {
    const int g = static_cast<int>(key / static_cast<uint64_t>(P));
    const int p = static_cast<int>(key % static_cast<uint64_t>(P));
    for (int a = 0; a < kNumHotaAlphas; ++a) {
      const double c = static_cast<double>(counts[a]);
      if (c == 0.0) continue;
      assa_sum[a] += c * c / std::max(1.0, gt_count[g] + pred_count[p] - c);
      assre_sum[a] += c * c / std::max(1.0, gt_count[g]);
      asspr_sum[a] += c * c / std::max(1.0, pred_count[p]);
    }
  }
  double detre = 0, detpr = 0, assre = 0, asspr = 0;
  for (int a = 0; a < kNumHotaAlphas; ++a) {
    const double tp = static_cast<double>(r.tp[a]);
    r.assa_at[a] = assa_sum[a] / std::max(1.0, tp);
    const double ar = assre_sum[a] / std::max(1.0, tp);
    const double ap = asspr_sum[a] / std::max(1.0, tp);
    r.loca_at[a] = std::max(1e-10, loca_sum[a]) / std::max(1e-10, tp);
    detre += tp / std::max(1.0, tp + r.fn[a]);
    detpr += tp / std::max(1.0, tp + r.fp[a]);
    assre += ar;
    asspr += ap;
  }
  r.detre = detre / kNumHotaAlphas;
  r.detpr = detpr / kNumHotaAlphas;
  r.assre = assre / kNumHotaAlphas;
  r.asspr = asspr / kNumHotaAlphas;
  finish_hota(r);
  return r;
}

// --------------------------------------------------------------------------------------- CLEAR

void finish_clear(ClearMetrics& r, double motp_sum) {
  const double tp = static_cast<double>(r.tp);
  const double gt = std::max(1.0, tp + r.fn);
  r.mota = (tp - r.fp - r.id_switches) / gt;
  r.moda = (tp - r.fp) / gt;
  r.motp = motp_sum / std::max(1.0, tp);
  r.recall = tp / gt;
  r.precision = tp / std::max(1.0, tp + r.fp);
}

ClearMetrics clear_from(const Prepared& s) {
  ClearMetrics r;
  const int G = s.num_gt_ids;
  std::vector<int64_t> gt_count(G, 0), gt_matched(G, 0), runs(G, 0);
  std::vector<int> last_pred(G, -1);       // prediction matched the last time this GT was matched
  std::vector<int> prev_step_pred(G, -1);  // prediction matched in the previous frame, or -1
  std::vector<double> score;
  double motp_sum = 0.0;
  for (const Prepared::Frame& f : s.frames) {
    const int ng = static_cast<int>(f.gt.size()), np = static_cast<int>(f.pred.size());
    for (int g : f.gt) ++gt_count[g];
    std::vector<std::pair<int, int>> pairs;
    if (ng > 0 && np > 0) {
      // Continuing the previous frame's match dominates (1000 + IoU), then IoU; pairs below the
      // threshold score 0 and are dropped after the assignment.
      score.resize(static_cast<size_t>(ng) * np);
      for (int i = 0; i < ng; ++i) {
        for (int j = 0; j < np; ++j) {
          const double sim = f.at(i, j);
          double v = 0.0;
          if (sim >= kClearIou - kEps) v = (prev_step_pred[f.gt[i]] == f.pred[j] ? 1000.0 : 0.0) + sim;
          score[static_cast<size_t>(i) * np + j] = v;
        }
      }
      for (const auto& [i, j] : linear_assignment(score, ng, np, /*maximize=*/true).pairs()) {
        if (score[static_cast<size_t>(i) * np + j] > kEps) pairs.emplace_back(i, j);
      }
    }
    for (const auto& [i, j] : pairs) {
      const int g = f.gt[i], p = f.pred[j];
      if (last_pred[g] >= 0 && last_pred[g] != p) ++r.id_switches;
      last_pred[g] = p;
      ++gt_matched[g];
      motp_sum += f.at(i, j);
    }
    // A run of matched frames starts where the GT was not matched in the previous frame. Unlike
    // TrackEval, frames without any GT or any prediction also end runs (see ARCHITECTURE.md).
    std::vector<int> next(G, -1);
    for (const auto& [i, j] : pairs) {
      const int g = f.gt[i];
      if (prev_step_pred[g] < 0) ++runs[g];
      next[g] = f.pred[j];
    }
    prev_step_pred.swap(next);
    const int64_t m = static_cast<int64_t>(pairs.size());
    r.tp += m;
    r.fn += ng - m;
    r.fp += np - m;
  }
  for (int g = 0; g < G; ++g) {
    if (runs[g] > 1) r.fragmentations += runs[g] - 1;
    if (gt_count[g] == 0) continue;
    const double ratio = static_cast<double>(gt_matched[g]) / static_cast<double>(gt_count[g]);
    if (ratio > 0.8) {
      ++r.mostly_tracked;
    } else if (ratio >= 0.2) {
      ++r.partially_tracked;
    }
  }
  r.mostly_lost = G - r.mostly_tracked - r.partially_tracked;
  finish_clear(r, motp_sum);
  return r;
}

// ------------------------------------------------------------------------------------ Identity

IdentityMetrics identity_from(const Prepared& s) {
  IdentityMetrics r;
  // Frames in which each (gt id, pred id) pair overlaps at IoU >= 0.5.
  std::unordered_map<uint64_t, int64_t> together;
  for (const Prepared::Frame& f : s.frames) {
    for (size_t i = 0; i < f.gt.size(); ++i) {
      for (size_t j = 0; j < f.pred.size(); ++j) {
        if (f.at(i, j) >= kIdentityIou) ++together[s.key(f.gt[i], f.pred[j])];
      }
    }
  }
  // Minimising IDFN + IDFP over one-to-one id mappings is maximising the matched co-occurrences
  // (IDFN + IDFP = GT boxes + predicted boxes - 2 IDTP); ids that never overlap cannot help.
  std::unordered_map<int, int> rows, cols;
  for (const auto& [key, n] : together) {
    rows.emplace(static_cast<int>(key / static_cast<uint64_t>(s.num_pred_ids)),
                 static_cast<int>(rows.size()));
    cols.emplace(static_cast<int>(key % static_cast<uint64_t>(s.num_pred_ids)),
                 static_cast<int>(cols.size()));
  }
  if (!together.empty()) {
    const int nr = static_cast<int>(rows.size()), nc = static_cast<int>(cols.size());
    std::vector<double> counts(static_cast<size_t>(nr) * nc, 0.0);
    for (const auto& [key, n] : together) {
      const int g = rows.at(static_cast<int>(key / static_cast<uint64_t>(s.num_pred_ids)));
      const int p = cols.at(static_cast<int>(key % static_cast<uint64_t>(s.num_pred_ids)));
      counts[static_cast<size_t>(g) * nc + p] = static_cast<double>(n);
    }
    r.idtp = std::llround(linear_assignment(counts, nr, nc, /*maximize=*/true).total);
  }
  r.idfn = s.num_gt_dets - r.idtp;
  r.idfp = s.num_pred_dets - r.idtp;
  const double tp = static_cast<double>(r.idtp);
  r.idr = tp / std::max(1.0, tp + r.idfn);
  r.idp = tp / std::max(1.0, tp + r.idfp);
  r.idf1 = tp / std::max(1.0, tp + 0.5 * r.idfp + 0.5 * r.idfn);
  return r;
}

}  // namespace

double hota_alpha(int k) { return 0.05 + 0.05 * k; }

Result<HotaMetrics> compute_hota(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred) {
  PT_ASSIGN_OR_RETURN(const Prepared s, prepare(gt, pred));
  return hota_from(s);
}

Result<ClearMetrics> compute_clear(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred) {
  PT_ASSIGN_OR_RETURN(const Prepared s, prepare(gt, pred));
  return clear_from(s);
}

Result<IdentityMetrics> compute_identity(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred) {
  PT_ASSIGN_OR_RETURN(const Prepared s, prepare(gt, pred));
  return identity_from(s);
}

Result<TrackingMetrics> evaluate_tracking(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred) {
  PT_ASSIGN_OR_RETURN(const Prepared s, prepare(gt, pred));
  TrackingMetrics m;
  m.hota = hota_from(s);
  m.clear = clear_from(s);
  m.identity = identity_from(s);
  m.frames = static_cast<int64_t>(s.frames.size());
  m.gt_boxes = s.num_gt_dets;
  m.pred_boxes = s.num_pred_dets;
  m.gt_ids = s.num_gt_ids;
  m.pred_ids = s.num_pred_ids;
  return m;
}

std::vector<FrameBoxes> relabel_with_gt_ids(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred,
                                            double min_iou) {
  int64_t next_id = 0;
  for (const FrameBoxes& f : gt) {
    for (const IdBox& b : f) next_id = std::max(next_id, b.id + 1);
  }
  std::unordered_map<int64_t, int64_t> own_id;  // predicted id -> its id outside the GT id range
  std::vector<FrameBoxes> out(pred.size());
  std::vector<double> score;
  for (size_t t = 0; t < pred.size(); ++t) {
    static const FrameBoxes kEmpty;
    const FrameBoxes& g = t < gt.size() ? gt[t] : kEmpty;
    const FrameBoxes& p = pred[t];
    const int ng = static_cast<int>(g.size()), np = static_cast<int>(p.size());
    out[t] = p;
    std::vector<char> relabelled(p.size(), 0), gt_used(g.size(), 0);
    // Stage 1: the pairs a 0.5-IoU evaluation matches (most pairs, then IoU), so CLEAR and IDF1
    // see GT ids exactly where they can match. Stage 2: the remaining boxes by largest total IoU
    // down to min_iou, for HOTA's lower alphas.
    for (const double threshold : {std::max(min_iou, kClearIou), min_iou}) {
      std::vector<int> rows, cols;
      for (int i = 0; i < ng; ++i) {
        if (!gt_used[i]) rows.push_back(i);
      }
      for (int j = 0; j < np; ++j) {
        if (!relabelled[j]) cols.push_back(j);
      }
      const int nr = static_cast<int>(rows.size()), nc = static_cast<int>(cols.size());
      const bool strict = threshold >= kClearIou;
      score.assign(static_cast<size_t>(nr) * nc, strict ? -std::numeric_limits<double>::infinity() : 0.0);
      for (int a = 0; a < nr; ++a) {
        for (int b = 0; b < nc; ++b) {
          const double iou = box_iou(g[rows[a]].box_px, p[cols[b]].box_px);
          if (iou >= threshold - kEps && iou > 0.0) score[static_cast<size_t>(a) * nc + b] = iou;
        }
      }
      for (const auto& [a, b] : linear_assignment(score, nr, nc, /*maximize=*/true).pairs()) {
        if (!(score[static_cast<size_t>(a) * nc + b] > 0.0)) continue;
        out[t][cols[b]].id = g[rows[a]].id;
        relabelled[cols[b]] = 1;
        gt_used[rows[a]] = 1;
      }
    }
    // Boxes that overlap no GT keep their predicted identity (moved out of the GT id range).
    for (int j = 0; j < np; ++j) {
      if (relabelled[j]) continue;
      const auto [it, inserted] = own_id.emplace(p[j].id, next_id);
      if (inserted) ++next_id;
      out[t][j].id = it->second;
    }
  }
  return out;
}

}  // namespace pitchtrack::eval
