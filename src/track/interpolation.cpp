#include "pitchtrack/track/interpolation.hpp"

#include <map>

namespace pitchtrack {

std::vector<std::vector<Track>> interpolate_gaps(const std::vector<std::vector<Track>>& frames, int max_gap) {
  std::vector<std::vector<Track>> out = frames;
  if (max_gap <= 0) return out;
  // Last frame and state at which each id was seen.
  std::map<int64_t, std::pair<size_t, Track>> last;
  for (size_t k = 0; k < frames.size(); ++k) {
    for (const Track& t : frames[k]) {
      auto it = last.find(t.track_id);
      if (it != last.end()) {
        const size_t k0 = it->second.first;
        const size_t gap = k - k0 - 1;
        if (gap > 0 && gap <= static_cast<size_t>(max_gap)) {
          const Track& a = it->second.second;
          for (size_t j = k0 + 1; j < k; ++j) {
            const float w = static_cast<float>(j - k0) / static_cast<float>(k - k0);
            Track m = a;
            m.box_px = {
                a.box_px.x1 + w * (t.box_px.x1 - a.box_px.x1), a.box_px.y1 + w * (t.box_px.y1 - a.box_px.y1),
                a.box_px.x2 + w * (t.box_px.x2 - a.box_px.x2), a.box_px.y2 + w * (t.box_px.y2 - a.box_px.y2)};
            m.score = std::min(a.score, t.score);
            m.det_index = -1;
            m.pitch_m.reset();
            m.velocity_mps.reset();
            out[j].push_back(m);
          }
        }
      }
      last[t.track_id] = {k, t};
    }
  }
  return out;
}

}  // namespace pitchtrack
