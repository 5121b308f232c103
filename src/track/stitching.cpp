#include "pitchtrack/track/stitching.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include "pitchtrack/core/assignment.hpp"
#include "track/robust_stats.hpp"

namespace pitchtrack {
namespace {

using track::mad;
using track::median;

// p_ref = s * p + t : frame pixels to first-frame ("panorama") pixels.
struct Similarity {
  double s = 1.0, tx = 0.0, ty = 0.0;
  std::pair<double, double> apply(double x, double y) const { return {s * x + tx, s * y + ty}; }
};

struct Fragment {
  int64_t id = 0;
  size_t first = 0, last = 0;  // frames
  int length = 0;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;      // panorama foot points at first/last frame
  double h0 = 0, h1 = 0;                      // panorama box heights there
  double vx0 = 0, vy0 = 0, vx1 = 0, vy1 = 0;  // panorama foot velocity (px/frame) at start/end
  std::array<int, kNumObjectClasses> role_frames{};
  std::array<int, 2> team_frames{};
};

// The label held in at least `share` of the counted frames, or -1.
template <size_t N>
int clear_majority(const std::array<int, N>& frames, double share) {
  int total = 0, best = 0;
  for (size_t i = 0; i < N; ++i) {
    total += frames[i];
    if (frames[i] > frames[static_cast<size_t>(best)]) best = static_cast<int>(i);
  }
  return total > 0 && frames[static_cast<size_t>(best)] >= share * total ? best : -1;
}

// Two fragments that each clearly hold a role (or a team) and differ in it are two people.
bool labels_differ(const Fragment& a, const Fragment& b, double share) {
  const int ra = clear_majority(a.role_frames, share), rb = clear_majority(b.role_frames, share);
  if (ra >= 0 && rb >= 0 && ra != rb) return true;
  const int ta = clear_majority(a.team_frames, share), tb = clear_majority(b.team_frames, share);
  return ta >= 0 && tb >= 0 && ta != tb;
}

}  // namespace

std::vector<std::vector<Track>> stitch_tracklets(const std::vector<std::vector<Track>>& frames,
                                                 const StitchConfig& cfg) {
  const size_t n = frames.size();
  // 1. Per-frame camera motion from ids seen in consecutive frames, chained to the first frame.
  std::vector<Similarity> to_ref(n);
  for (size_t k = 1; k < n; ++k) {
    std::map<int64_t, const Track*> prev;
    for (const Track& t : frames[k - 1]) prev[t.track_id] = &t;
    std::vector<double> ratio, heights;
    std::vector<std::pair<const Track*, const Track*>> pairs;
    for (const Track& t : frames[k]) {
      auto it = prev.find(t.track_id);
      if (it == prev.end() || it->second->box_px.height() <= 0) continue;
      ratio.push_back(t.box_px.height() / it->second->box_px.height());
      heights.push_back(it->second->box_px.height());
      pairs.emplace_back(it->second, &t);
    }
    // Motion from frame k-1 to k: p_k = z * p_{k-1} + d (about the origin).
    double z = 1.0, dx = 0.0, dy = 0.0;
    if (pairs.size() >= 3) {
      // Zoom: the median ratio of box heights and the median ratio of the distances between
      // people (box centres) where they are far apart, blended by how well each agrees with
      // itself (weights 1 / MAD^2), since the zoom is chained over the whole sequence. Exact
      // boxes (annotations) give consistent heights while people's own running changes their
      // distances; a detector's few pixels of noise are a large fraction of a 40-px height but a
      // small one of a 100-px distance. On SportsMOT with degraded boxes (2 px jitter) heights
      // alone lost ids at re-entries (docs/PERFORMANCE.md).
      std::vector<double> spread;
      const double min_dist = 2.0 * median(heights);
      for (size_t i = 0; i < pairs.size(); ++i) {
        for (size_t j = i + 1; j < pairs.size(); ++j) {
          const double before = std::hypot(pairs[i].first->box_px.cx() - pairs[j].first->box_px.cx(),
                                           pairs[i].first->box_px.cy() - pairs[j].first->box_px.cy());
          if (before < min_dist) continue;
          spread.push_back(std::hypot(pairs[i].second->box_px.cx() - pairs[j].second->box_px.cx(),
                                      pairs[i].second->box_px.cy() - pairs[j].second->box_px.cy()) /
                           before);
        }
      }
      const double by_height = median(ratio);
      z = by_height;
      if (spread.size() >= 3) {
        const double by_spread = median(spread);
        // A floor keeps the weight of a perfectly consistent estimate finite.
        const double wh = 1.0 / std::pow(std::max(mad(ratio, by_height), 1e-4), 2);
        const double ws = 1.0 / std::pow(std::max(mad(spread, by_spread), 1e-4), 2);
        z = (wh * by_height + ws * by_spread) / (wh + ws);
      }
      z = std::clamp(z, 0.8, 1.25);
      std::vector<double> rx, ry;
      for (auto [a, b] : pairs) {
        rx.push_back(b->box_px.cx() - z * a->box_px.cx());
        ry.push_back(b->box_px.y2 - z * a->box_px.y2);
      }
      dx = median(rx);
      dy = median(ry);
    }
    // p_{k-1} = (p_k - d) / z ; to_ref[k] = to_ref[k-1] o that.
    const Similarity& P = to_ref[k - 1];
    to_ref[k] = {P.s / z, P.s * (-dx / z) + P.tx, P.s * (-dy / z) + P.ty};
  }

  // 2. Fragments.
  std::map<int64_t, Fragment> frags;
  for (size_t k = 0; k < n; ++k) {
    for (const Track& t : frames[k]) {
      auto [x, y] = to_ref[k].apply(t.box_px.cx(), t.box_px.y2);
      const double h = to_ref[k].s * t.box_px.height();
      auto it = frags.find(t.track_id);
      if (it == frags.end()) {
        it = frags.emplace(t.track_id, Fragment{}).first;
        Fragment& f = it->second;
        f.id = t.track_id;
        f.first = f.last = k;
        f.x0 = f.x1 = x;
        f.y0 = f.y1 = y;
        f.h0 = f.h1 = h;
        f.length = 1;
      } else {
        Fragment& f = it->second;
        f.last = k;
        f.x1 = x;
        f.y1 = y;
        f.h1 = h;
        ++f.length;
      }
      ++it->second.role_frames[static_cast<size_t>(t.role)];
      if (t.team && (*t.team == 0 || *t.team == 1)) ++it->second.team_frames[static_cast<size_t>(*t.team)];
    }
  }
  if (cfg.extrapolate_s > 0) {
    // Per-fragment panorama foot points, for the velocities at both ends.
    std::map<int64_t, std::vector<std::pair<size_t, std::pair<double, double>>>> pts;
    for (size_t k = 0; k < n; ++k) {
      for (const Track& t : frames[k])
        pts[t.track_id].push_back({k, to_ref[k].apply(t.box_px.cx(), t.box_px.y2)});
    }
    const size_t vf = static_cast<size_t>(std::max(1, cfg.velocity_frames));
    for (auto& [id, f] : frags) {
      const auto& p = pts[id];
      if (p.size() < 2) continue;
      const size_t m = std::min(vf, p.size() - 1);
      const auto& a0 = p[0];
      const auto& a1 = p[m];
      const double dt0 = static_cast<double>(a1.first - a0.first);
      f.vx0 = (a1.second.first - a0.second.first) / dt0;
      f.vy0 = (a1.second.second - a0.second.second) / dt0;
      const auto& b0 = p[p.size() - 1 - m];
      const auto& b1 = p.back();
      const double dt1 = static_cast<double>(b1.first - b0.first);
      f.vx1 = (b1.second.first - b0.second.first) / dt1;
      f.vy1 = (b1.second.second - b0.second.second) / dt1;
    }
  }
  std::vector<const Fragment*> list;
  for (const auto& [id, f] : frags) {
    if (f.length >= cfg.min_length) list.push_back(&f);
  }

  // 3. Assignment of fragment ends to fragment starts.
  const int m = static_cast<int>(list.size());
  std::vector<double> cost(static_cast<size_t>(m) * static_cast<size_t>(m),
                           std::numeric_limits<double>::infinity());
  for (int a = 0; a < m; ++a) {
    for (int b = 0; b < m; ++b) {
      const Fragment& A = *list[static_cast<size_t>(a)];
      const Fragment& B = *list[static_cast<size_t>(b)];
      if (B.first <= A.last) continue;
      if (cfg.label_share > 0 && labels_differ(A, B, cfg.label_share)) continue;
      const double gap_s = static_cast<double>(B.first - A.last) / cfg.fps;
      if (gap_s > cfg.max_gap_s) continue;
      const double px_per_m = 0.5 * (A.h1 + B.h0) / cfg.person_height_m;
      if (px_per_m <= 0) continue;
      const double te = 0.5 * std::min(gap_s, cfg.extrapolate_s) * cfg.fps;  // frames, each side
      const double ax = A.x1 + A.vx1 * te, ay = A.y1 + A.vy1 * te;
      const double bx = B.x0 - B.vx0 * te, by = B.y0 - B.vy0 * te;
      const double dist_m = std::hypot(bx - ax, by - ay) / px_per_m;
      const double reach_m = cfg.max_speed_mps * gap_s + cfg.slack_m;
      if (dist_m > reach_m) continue;
      const double c = dist_m / reach_m;  // in [0, 1]
      cost[static_cast<size_t>(a * m + b)] = c;
    }
  }
  const Assignment links =
      linear_assignment(cost, m, m, AssignmentOptions{.maximize = false, .limit = 1.0 + 1e-9});

  // 4. Follow chains: each fragment takes the id of the head of its chain. A chain is one
  // person, so it does not go on into a fragment whose clear team differs from the clear team
  // of the chain so far (a link through a fragment without a clear team could join two teams):
  // that fragment heads a chain of its own.
  std::map<int64_t, int64_t> new_id;
  for (int b = 0; b < m; ++b) {
    if (links.col_to_row[static_cast<size_t>(b)] >= 0) continue;  // not a chain head
    int64_t head = -1;
    std::array<int, 2> teams{};  // labelled frames of the chain since its head
    for (int cur = b; cur >= 0; cur = links.row_to_col[static_cast<size_t>(cur)]) {
      const Fragment& f = *list[static_cast<size_t>(cur)];
      const int chain_team = clear_majority(teams, cfg.label_share);
      const int own_team = clear_majority(f.team_frames, cfg.label_share);
      if (head < 0 || (cfg.label_share > 0 && chain_team >= 0 && own_team >= 0 && chain_team != own_team)) {
        head = f.id;
        teams = {};
      }
      new_id[f.id] = head;
      teams[0] += f.team_frames[0];
      teams[1] += f.team_frames[1];
    }
  }
  std::vector<std::vector<Track>> out = frames;
  for (auto& fr : out) {
    for (Track& t : fr) {
      auto it = new_id.find(t.track_id);
      if (it != new_id.end()) t.track_id = it->second;
    }
  }
  return out;
}

}  // namespace pitchtrack
