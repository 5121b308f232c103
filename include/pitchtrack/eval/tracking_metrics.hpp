// Multi-object tracking metrics of one sequence: HOTA (Luiten et al., IJCV 2021), CLEAR MOT
// (Bernardin & Stiefelhagen 2008) and the identity metrics IDF1/IDP/IDR (Ristani et al. 2016),
// computed as the reference implementation TrackEval does. Pure functions; no I/O.
//
// Input: ground truth and predictions as per-frame lists of (id, box); frame k of one list is
// frame k of the other (a shorter list is padded with empty frames). Similarity is box IoU.
// An id given twice in one frame is an invalid_argument error.
//
// HOTA: for alpha = 0.05, 0.10, ..., 0.95 (19 values) detections are matched per frame by a
// linear assignment that maximises  A(g, p) * IoU, where A is the global soft alignment
// (IoU-weighted co-occurrence Jaccard of the two ids over the sequence); a pair counts as a true
// positive at alpha when IoU >= alpha. DetA = TP / (TP + FN + FP); AssA = mean over TPs of the
// Jaccard |TPA| / (|TPA| + |FNA| + |FPA|) of the matched ids; HOTA = sqrt(DetA * AssA); LocA =
// mean IoU of the TPs. Reported values are the means over the 19 alphas.
// CLEAR: per frame, pairs with IoU >= 0.5; continuing the previous frame's match is preferred,
// then IoU. MOTA = 1 - (FN + FP + IDSW) / GT; MOTP = mean IoU of matches; an id switch is a GT
// matched to a different prediction id than the last time it was matched; a fragmentation is a
// GT track resuming being matched after a frame in which it was not (counted per GT id as the
// number of matched runs minus one).
// Identity: one global one-to-one mapping between GT and predicted ids that maximises the number
// of frames in which the mapped pair overlaps with IoU >= 0.5 (IDTP);
// IDF1 = 2 IDTP / (GT boxes + predicted boxes).
// All ratios are fractions in [0, 1]; MOTA can be negative.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack::eval {

struct IdBox {
  int64_t id = 0;
  BoxXyxy box_px;
};
using FrameBoxes = std::vector<IdBox>;

inline constexpr int kNumHotaAlphas = 19;
// alpha_k = 0.05 + 0.05 k, k = 0..18 (as numpy.arange(0.05, 0.99, 0.05)).
double hota_alpha(int k);

struct HotaMetrics {
  // Means over the 19 alphas.
  double hota = 0, deta = 0, assa = 0, loca = 0;
  double detre = 0, detpr = 0, assre = 0, asspr = 0;
  // Per alpha.
  std::array<double, kNumHotaAlphas> hota_at{}, deta_at{}, assa_at{}, loca_at{};
  std::array<int64_t, kNumHotaAlphas> tp{}, fn{}, fp{};
};

struct ClearMetrics {
  double mota = 0, motp = 0, moda = 0;
  double precision = 0, recall = 0;  // TP / (TP + FP), TP / (TP + FN) of the CLEAR matching
  int64_t tp = 0, fn = 0, fp = 0;
  int64_t id_switches = 0;
  int64_t fragmentations = 0;
  int64_t mostly_tracked = 0, partially_tracked = 0, mostly_lost = 0;  // > 80 %, 20-80 %, < 20 % matched
};

struct IdentityMetrics {
  double idf1 = 0, idp = 0, idr = 0;
  int64_t idtp = 0, idfn = 0, idfp = 0;
};

struct TrackingMetrics {
  HotaMetrics hota;
  ClearMetrics clear;
  IdentityMetrics identity;
  int64_t frames = 0;
  int64_t gt_boxes = 0, pred_boxes = 0;
  int64_t gt_ids = 0, pred_ids = 0;
};

Result<HotaMetrics> compute_hota(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred);
Result<ClearMetrics> compute_clear(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred);
Result<IdentityMetrics> compute_identity(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred);
// All three (the IoU matrices are computed once).
Result<TrackingMetrics> evaluate_tracking(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred);

// The perfect-association ceiling: the same predicted boxes with ground-truth identities. In each
// frame, predicted boxes are first paired with GT boxes at IoU >= 0.5 (most pairs, then largest
// IoU: the pairs CLEAR and IDF1 can match), then the remaining ones by largest total IoU among
// pairs with IoU >= min_iou. A paired box takes the GT id; the others keep their predicted id
// (renumbered outside the GT id range). The default min_iou 0.05 is HOTA's smallest alpha, so
// every box that can be a true positive at some alpha carries its GT id; with min_iou = 0.5,
// boxes matched only at lower alphas keep tracker ids and the "ceiling" can fall below the real
// HOTA when localisation is poor.
std::vector<FrameBoxes> relabel_with_gt_ids(std::span<const FrameBoxes> gt, std::span<const FrameBoxes> pred,
                                            double min_iou = 0.05);

}  // namespace pitchtrack::eval
