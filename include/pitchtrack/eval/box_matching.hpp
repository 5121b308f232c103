// Box overlap and one-to-one box matching used by the evaluation.
//
// box_iou computes intersection over union in double precision (0 when the union is empty),
// as TrackEval does, so thresholds at exact fractions behave predictably.
// match_boxes pairs boxes of two sets one-to-one among pairs with IoU >= min_iou: the largest
// number of pairs first, then the largest total IoU (linear assignment).
// Threading: pure functions, thread-safe.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "pitchtrack/core/detection.hpp"

namespace pitchtrack::eval {

double box_iou(const BoxXyxy& a, const BoxXyxy& b);

// Returns (index in a, index in b) pairs, ordered by index in a.
std::vector<std::pair<int, int>> match_boxes(std::span<const BoxXyxy> a, std::span<const BoxXyxy> b,
                                             double min_iou);

}  // namespace pitchtrack::eval
