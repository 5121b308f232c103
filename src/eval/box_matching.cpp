#include "pitchtrack/eval/box_matching.hpp"

#include <algorithm>
#include <cfloat>
#include <limits>

#include "pitchtrack/core/assignment.hpp"

namespace pitchtrack::eval {

double box_iou(const BoxXyxy& a, const BoxXyxy& b) {
  const double ix = std::max(0.0, std::min<double>(a.x2, b.x2) - std::max<double>(a.x1, b.x1));
  const double iy = std::max(0.0, std::min<double>(a.y2, b.y2) - std::max<double>(a.y1, b.y1));
  const double inter = ix * iy;
  const double area_a =
      std::max(0.0, static_cast<double>(a.x2) - a.x1) * std::max(0.0, static_cast<double>(a.y2) - a.y1);
  const double area_b =
      std::max(0.0, static_cast<double>(b.x2) - b.x1) * std::max(0.0, static_cast<double>(b.y2) - b.y1);
  const double uni = area_a + area_b - inter;
  return uni > DBL_EPSILON ? inter / uni : 0.0;
}

std::vector<std::pair<int, int>> match_boxes(std::span<const BoxXyxy> a, std::span<const BoxXyxy> b,
                                             double min_iou) {
  const int na = static_cast<int>(a.size());
  const int nb = static_cast<int>(b.size());
  if (na == 0 || nb == 0) return {};
  // Pairs below the threshold are forbidden (non-finite); the solver then maximises the number
  // of pairs first and the total IoU second.
  std::vector<double> score(static_cast<size_t>(na) * nb);
  for (int i = 0; i < na; ++i) {
    for (int j = 0; j < nb; ++j) {
      const double s = box_iou(a[i], b[j]);
      score[static_cast<size_t>(i) * nb + j] =
          s >= min_iou - DBL_EPSILON && s > 0.0 ? s : -std::numeric_limits<double>::infinity();
    }
  }
  return linear_assignment(score, na, nb, /*maximize=*/true).pairs();
}

}  // namespace pitchtrack::eval
