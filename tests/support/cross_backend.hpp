// Cross-backend comparison of detection lists (header-only): pairs the detections of two
// backends on the same frame and measures how far apart they are.
#pragma once

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "pitchtrack/core/detection.hpp"

namespace pitchtrack::testing {

struct DetectionDiff {
  size_t count_a = 0;
  size_t count_b = 0;
  size_t matched = 0;
  size_t compared_a = 0;  // detections of `a` at or above min_score
  size_t compared_b = 0;  // detections of `b` at or above min_score
  float max_box_px = 0;   // largest |coordinate difference| over matched pairs
  float max_score = 0;    // largest |score difference| over matched pairs
  std::string unmatched;  // one line per detection at or above min_score without a partner
};

inline float max_coord_diff(const BoxXyxy& p, const BoxXyxy& q) {
  return std::max(
      {std::fabs(p.x1 - q.x1), std::fabs(p.y1 - q.y1), std::fabs(p.x2 - q.x2), std::fabs(p.y2 - q.y2)});
}

// Each detection of `a` (by descending score) takes the closest unused detection of `b` of the
// same class whose box is within `gate_px` on every coordinate. Detections below `min_score` on
// both sides may stay unmatched (a score that close to the threshold may fall on either side on
// another backend); every other unmatched detection is listed in `unmatched`.
inline DetectionDiff diff_detections(std::vector<Detection> a, std::vector<Detection> b, float gate_px = 8.0f,
                                     float min_score = 0.0f) {
  DetectionDiff d;
  d.count_a = a.size();
  d.count_b = b.size();
  auto by_score = [](const Detection& p, const Detection& q) { return p.score > q.score; };
  std::stable_sort(a.begin(), a.end(), by_score);
  std::stable_sort(b.begin(), b.end(), by_score);
  std::vector<bool> used(b.size(), false);
  std::ostringstream out;
  for (const Detection& p : a) {
    if (p.score >= min_score) ++d.compared_a;
    int best = -1;
    float best_diff = gate_px;
    for (size_t j = 0; j < b.size(); ++j) {
      if (used[j] || b[j].class_id != p.class_id) continue;
      const float diff = max_coord_diff(p.box_px, b[j].box_px);
      if (diff <= best_diff) {
        best_diff = diff;
        best = static_cast<int>(j);
      }
    }
    if (best < 0) {
      if (p.score >= min_score) {
        out << "only in a: " << to_string(p.class_id) << " score " << p.score << " box " << p.box_px.x1 << ","
            << p.box_px.y1 << "," << p.box_px.x2 << "," << p.box_px.y2 << "\n";
      }
      continue;
    }
    used[static_cast<size_t>(best)] = true;
    ++d.matched;
    d.max_box_px = std::max(d.max_box_px, best_diff);
    d.max_score = std::max(d.max_score, std::fabs(p.score - b[static_cast<size_t>(best)].score));
  }
  for (size_t j = 0; j < b.size(); ++j) {
    if (b[j].score >= min_score) ++d.compared_b;
    if (!used[j] && b[j].score >= min_score) {
      out << "only in b: " << to_string(b[j].class_id) << " score " << b[j].score << " box " << b[j].box_px.x1
          << "," << b[j].box_px.y1 << "," << b[j].box_px.x2 << "," << b[j].box_px.y2 << "\n";
    }
  }
  d.unmatched = out.str();
  return d;
}

}  // namespace pitchtrack::testing
