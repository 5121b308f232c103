// Robust statistics shared by the tracker and the stitching (internal).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace pitchtrack::track {

// The median (upper middle for an even count) of v, found in place (v is reordered, not
// copied, so member scratch vectors cost no allocation per frame); 0 when v is empty.
inline double median(std::vector<double>& v) {
  if (v.empty()) return 0.0;
  const size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end());
  return v[m];
}

// Median absolute deviation of v from m.
inline double mad(const std::vector<double>& v, double m) {
  std::vector<double> d;
  d.reserve(v.size());
  for (const double x : v) d.push_back(std::abs(x - m));
  return median(d);
}

}  // namespace pitchtrack::track
