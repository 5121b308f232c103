#include "pitchtrack/track/stitching.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

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

// Frames counted under each role and each team (0 or 1).
struct Labels {
  std::array<int, kNumObjectClasses> roles{};
  std::array<int, 2> teams{};
  void add(const Track& t) {
    ++roles[static_cast<size_t>(t.role)];
    if (t.team && (*t.team == 0 || *t.team == 1)) ++teams[static_cast<size_t>(*t.team)];
  }
};

struct Fragment {
  int64_t id = 0;
  size_t first = 0, last = 0;  // frames
  int length = 0;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;      // panorama foot points at first/last frame (fitted)
  double h0 = 0, h1 = 0;                      // panorama box heights there
  double vx0 = 0, vy0 = 0, vx1 = 0, vy1 = 0;  // panorama foot velocity (px/frame) at start/end
  Labels labels;
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

// Two tracks that each clearly hold a role (or a team) and differ in it are two people.
bool labels_differ(const Labels& a, const Labels& b, double share) {
  const int ra = clear_majority(a.roles, share), rb = clear_majority(b.roles, share);
  if (ra >= 0 && rb >= 0 && ra != rb) return true;
  const int ta = clear_majority(a.teams, share), tb = clear_majority(b.teams, share);
  return ta >= 0 && tb >= 0 && ta != tb;
}

// Per-frame camera motion from ids seen in consecutive frames, chained to the first frame.
std::vector<Similarity> panorama(const std::vector<std::vector<Track>>& frames) {
  const size_t n = frames.size();
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
  return to_ref;
}

// A fragment's motion at one end, from the samples of its first (start) or last frames, in
// frame order: the secant between the outermost two that lie within `tolerance_h` times the
// samples' median box height of a robust line through all of them (Theil-Sen: the median of
// the pairwise slopes, then the median of the samples carried to the end frame), carried to the
// end frame `k_end`. With clean boxes that is the end sample and the secant over the window; a
// bad end box (two players entering the view under one box) is passed over instead of turning
// a 5 m foot-point error into a 12 m/s velocity. Fewer than two samples on the line: the robust
// line itself.
struct Sample {
  double k, x, y, h;  // frame, panorama foot point, panorama box height
};
struct Motion {
  double x = 0, y = 0, vx = 0, vy = 0;  // at the end frame; per frame
};
Motion end_motion(const std::vector<Sample>& s, double k_end, bool start, double tolerance_h) {
  std::vector<double> sx, sy, heights;
  for (const Sample& p : s) heights.push_back(p.h);
  const double tolerance = tolerance_h * median(heights);
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t j = i + 1; j < s.size(); ++j) {
      const double dk = s[j].k - s[i].k;
      if (dk == 0) continue;
      sx.push_back((s[j].x - s[i].x) / dk);
      sy.push_back((s[j].y - s[i].y) / dk);
    }
  }
  Motion line;
  line.vx = median(sx);
  line.vy = median(sy);
  std::vector<double> px, py;
  for (const Sample& p : s) {
    px.push_back(p.x + line.vx * (k_end - p.k));
    py.push_back(p.y + line.vy * (k_end - p.k));
  }
  line.x = median(px);
  line.y = median(py);
  const Sample* first = nullptr;  // outermost on the line (the end's side) ...
  const Sample* last = nullptr;   // ... and innermost
  for (const Sample& p : s) {
    if (std::hypot(p.x - (line.x + line.vx * (p.k - k_end)), p.y - (line.y + line.vy * (p.k - k_end))) >
        tolerance) {
      continue;
    }
    if (first == nullptr) first = &p;
    last = &p;
  }
  if (first == nullptr || first == last) return line;
  if (!start) std::swap(first, last);
  Motion m;
  m.vx = (last->x - first->x) / (last->k - first->k);
  m.vy = (last->y - first->y) / (last->k - first->k);
  m.x = first->x + m.vx * (k_end - first->k);
  m.y = first->y + m.vy * (k_end - first->k);
  return m;
}

// ---------------------------------------------------------------------------- crossings
// (stitching.hpp): a sweep over the frames finds contacts between two ids, and each contact is
// judged once the window after it has passed.
class CrossingResolver {
 public:
  CrossingResolver(std::vector<std::vector<Track>>& frames, const std::vector<Similarity>& to_ref,
                   const StitchConfig& cfg, const std::vector<bool>& cuts)
      : frames_(frames), to_ref_(to_ref), cfg_(cfg) {
    // shot_[k]: cuts up to frame k, so two frames are in one shot when their counts are equal
    shot_.resize(frames_.size());
    for (size_t k = 0, c = 0; k < frames_.size(); ++k) {
      if (k < cuts.size() && cuts[k]) ++c;
      shot_[k] = c;
    }
    window_ = static_cast<size_t>(std::max(2L, std::lround(cfg.crossing_window_s * cfg.fps)));
    max_len_ = static_cast<size_t>(std::max(0L, std::lround(cfg.crossing_max_s * cfg.fps)));
    for (size_t k = 0; k < frames_.size(); ++k) {
      for (const Track& t : frames_[k]) at_[t.track_id].push_back(k);
    }
  }

  int run() {
    const size_t n = frames_.size();
    for (size_t k = 0; k < n; ++k) {
      std::vector<std::pair<Key, Span>> due;
      const auto& f = frames_[k];
      for (size_t a = 0; a < f.size(); ++a) {
        for (size_t b = a + 1; b < f.size(); ++b) {
          if (f[a].track_id < 1 || f[b].track_id < 1) continue;  // tentative: no identity yet
          if (iou(f[a].box_px, f[b].box_px) < cfg_.crossing_iou) continue;
          // A contact still open here ended at most a window ago (older ones were judged below,
          // in an earlier frame), so this frame extends it.
          const auto [it, opened] = open_.try_emplace(ordered(f[a].track_id, f[b].track_id), k, k);
          if (!opened) it->second.second = k;
        }
      }
      // Contacts whose window after has passed.
      for (auto it = open_.begin(); it != open_.end();) {
        if (k >= it->second.second + window_) {
          due.emplace_back(*it);
          it = open_.erase(it);
        } else {
          ++it;
        }
      }
      judge_all(due);
    }
    std::vector<std::pair<Key, Span>> rest(open_.begin(), open_.end());
    open_.clear();
    judge_all(rest);
    return exchanged_;
  }

 private:
  using Key = std::pair<int64_t, int64_t>;  // two ids, ascending
  using Span = std::pair<size_t, size_t>;   // first and last frame of a contact
  static Key ordered(int64_t a, int64_t b) { return a < b ? Key{a, b} : Key{b, a}; }

  // Judged in the order the contacts ended; a renaming applies to those still waiting.
  void judge_all(std::vector<std::pair<Key, Span>>& due) {
    std::sort(due.begin(), due.end(),
              [](const auto& x, const auto& y) { return x.second.second < y.second.second; });
    for (size_t i = 0; i < due.size(); ++i) {
      const auto relabel =
          judge(due[i].first.first, due[i].first.second, due[i].second.first, due[i].second.second);
      if (relabel.empty()) continue;
      for (size_t j = i + 1; j < due.size(); ++j) {
        due[j].first = ordered(renamed(relabel, due[j].first.first), renamed(relabel, due[j].first.second));
      }
    }
  }

  static int64_t renamed(const std::map<int64_t, int64_t>& relabel, int64_t id) {
    const auto it = relabel.find(id);
    return it == relabel.end() ? id : it->second;
  }

  struct Side {  // one track's motion over a window: x(t) = x + vx (t - t0)
    int64_t id = 0;
    size_t first = 0;  // first frame in the window
    double t0 = 0, x = 0, y = 0, vx = 0, vy = 0, h = 0;
    Labels labels;
    std::pair<double, double> at(double t) const { return {x + vx * (t - t0), y + vy * (t - t0)}; }
  };

  const Track* find(size_t k, int64_t id) const {
    for (const Track& t : frames_[k]) {
      if (t.track_id == id) return &t;
    }
    return nullptr;
  }

  std::pair<double, double> foot(size_t k, const Track& t) const {
    return to_ref_[k].apply(t.box_px.cx(), t.box_px.y2);
  }

  // The id's motion over frames [k0, k1] (least-squares line); nullopt with fewer than half a
  // window of boxes there.
  std::optional<Side> side(int64_t id, int64_t k0, int64_t k1) const {
    Side sd;
    sd.id = id;
    std::vector<Sample> pts;
    auto it = at_.find(id);
    if (it == at_.end()) return std::nullopt;
    const auto& ks = it->second;
    for (auto p = std::lower_bound(ks.begin(), ks.end(), static_cast<size_t>(std::max<int64_t>(0, k0)));
         p != ks.end() && static_cast<int64_t>(*p) <= k1; ++p) {
      const Track* t = find(*p, id);
      if (t == nullptr) continue;
      const auto [x, y] = foot(*p, *t);
      pts.push_back({static_cast<double>(*p), x, y, to_ref_[*p].s * t->box_px.height()});
      sd.labels.add(*t);
    }
    if (pts.size() < std::max<size_t>(2, window_ / 2)) return std::nullopt;
    sd.first = static_cast<size_t>(pts.front().k);
    double st = 0, sx = 0, sy = 0, sh = 0;
    for (const Sample& q : pts) {
      st += q.k;
      sx += q.x;
      sy += q.y;
      sh += q.h;
    }
    const double m = static_cast<double>(pts.size());
    sd.t0 = st / m;
    sd.x = sx / m;
    sd.y = sy / m;
    sd.h = sh / m;
    double stt = 0, stx = 0, sty = 0;
    for (const Sample& q : pts) {
      stt += (q.k - sd.t0) * (q.k - sd.t0);
      stx += (q.k - sd.t0) * (q.x - sd.x);
      sty += (q.k - sd.t0) * (q.y - sd.y);
    }
    if (stt > 0) {
      sd.vx = stx / stt;
      sd.vy = sty / stt;
    }
    return sd;
  }

  // How far `before`, continued, and `after`, traced back, miss each other (panorama px).
  static double miss(const Side& before, const Side& after) {
    const auto [ax, ay] = before.at(after.t0);
    const auto [bx, by] = after.at(before.t0);
    return std::hypot(ax - after.x, ay - after.y) + std::hypot(bx - before.x, by - before.y);
  }

  bool compatible(const Side& before, const Side& after) const {
    return cfg_.label_share <= 0 || !labels_differ(before.labels, after.labels, cfg_.label_share);
  }

  // The track that carries `id` on after the contact [s, e]: itself, or, when it ends there, the
  // nearest track starting within a window after e, within a box height of `place` (the
  // contact's mean panorama foot point).
  std::optional<Side> after(int64_t id, int64_t other, size_t e, std::pair<double, double> place) const {
    const int64_t w = static_cast<int64_t>(window_);
    if (auto own = side(id, static_cast<int64_t>(e) + 1, static_cast<int64_t>(e) + w)) return own;
    const auto& ks = at_.at(id);
    if (ks.empty() || ks.back() > e + window_) return std::nullopt;
    const auto [px, py] = place;
    std::optional<Side> best;
    double best_d = 1.0;  // box heights
    for (const auto& [c, cks] : at_) {
      if (c < 1 || c == id || c == other || cks.empty() || cks.front() <= ks.back() ||
          cks.front() > e + window_)
        continue;
      const Track* t = find(cks.front(), c);
      const auto [fx, fy] = foot(cks.front(), *t);
      const double h = std::max(1.0, to_ref_[cks.front()].s * t->box_px.height());
      const double d = std::hypot(fx - px, fy - py) / h;
      if (d >= best_d) continue;
      if (auto sd = side(c, static_cast<int64_t>(cks.front()), static_cast<int64_t>(cks.front()) + w - 1)) {
        best = sd;
        best_d = d;
      }
    }
    return best;
  }

  // Returns the renaming made (empty: none).
  std::map<int64_t, int64_t> judge(int64_t a, int64_t b, size_t s, size_t e) {
    if (a == b || e - s + 1 > max_len_) return {};
    const size_t lo = s >= window_ ? s - window_ : 0, hi = std::min(frames_.size() - 1, e + window_);
    if (shot_[lo] != shot_[hi]) return {};  // a camera cut within the windows
    const int64_t w = static_cast<int64_t>(window_);
    const auto pa = side(a, static_cast<int64_t>(s) - w, static_cast<int64_t>(s) - 1);
    const auto pb = side(b, static_cast<int64_t>(s) - w, static_cast<int64_t>(s) - 1);
    if (!pa || !pb) return {};
    double px = 0, py = 0;
    int np = 0;
    for (size_t k = s; k <= e; ++k) {
      for (int64_t x : {a, b}) {
        if (const Track* t = find(k, x)) {
          const auto [fx, fy] = foot(k, *t);
          px += fx;
          py += fy;
          ++np;
        }
      }
    }
    const std::pair<double, double> place{px / std::max(np, 1), py / std::max(np, 1)};
    const auto qa = after(a, b, e, place);
    const auto qb = after(b, a, e, place);
    if (!qa || !qb || qa->id == qb->id) return {};
    const double px_per_m = 0.25 * (pa->h + pb->h + qa->h + qb->h) / cfg_.person_height_m;
    if (px_per_m <= 0) return {};
    const double kept = (miss(*pa, *qa) + miss(*pb, *qb)) / px_per_m;
    const double crossed = (miss(*pa, *qb) + miss(*pb, *qa)) / px_per_m;
    std::map<int64_t, int64_t> relabel;
    size_t from = e + 1;
    if (crossed < cfg_.crossing_ratio * kept && kept - crossed >= cfg_.crossing_min_gain_m) {
      if (!compatible(*pa, *qb) || !compatible(*pb, *qa)) return {};
      // Exchanged from the frame where the two are closest.
      double closest = std::numeric_limits<double>::infinity();
      from = s;
      for (size_t k = s; k <= e; ++k) {
        const Track* ta = find(k, a);
        const Track* tb = find(k, b);
        if (ta == nullptr || tb == nullptr) continue;
        const auto [ax, ay] = foot(k, *ta);
        const auto [bx, by] = foot(k, *tb);
        if (const double d = std::hypot(ax - bx, ay - by); d < closest) {
          closest = d;
          from = k;
        }
      }
      relabel = {{a, b}, {b, a}};
      if (qa->id != a) relabel[qa->id] = b;
      if (qb->id != b) relabel[qb->id] = a;
      ++exchanged_;
    } else if ((qa->id != a || qb->id != b) && kept < cfg_.crossing_ratio * crossed &&
               crossed - kept >= cfg_.crossing_min_gain_m) {
      if (!compatible(*pa, *qa) || !compatible(*pb, *qb)) return {};
      // The hidden one's continuation takes its id, from its first frame.
      from = std::min(qa->id != a ? qa->first : from, qb->id != b ? qb->first : from);
      if (qa->id != a) relabel[qa->id] = a;
      if (qb->id != b) relabel[qb->id] = b;
    } else {
      return {};
    }
    apply(from, relabel);
    return relabel;
  }

  // Ids renamed in frames >= from, in the frames, the per-id frame lists and the open contacts.
  void apply(size_t from, const std::map<int64_t, int64_t>& relabel) {
    std::map<int64_t, std::vector<size_t>> tails;
    for (const auto& [old_id, new_id] : relabel) {
      auto& ks = at_[old_id];
      const auto cut = std::lower_bound(ks.begin(), ks.end(), from);
      for (auto p = cut; p != ks.end(); ++p) {
        for (Track& t : frames_[*p]) {
          if (t.track_id == old_id) {
            t.track_id = -new_id;  // marked: a box renamed once only
            break;
          }
        }
      }
      auto& tail = tails[new_id];  // two old ids may take one new id (an exchange with a continuation)
      tail.insert(tail.end(), cut, ks.end());
      ks.erase(cut, ks.end());
    }
    for (auto& [id, tail] : tails) {
      auto& ks = at_[id];
      for (size_t k : tail) {
        for (Track& t : frames_[k]) {
          if (t.track_id == -id) t.track_id = id;
        }
      }
      ks.insert(ks.end(), tail.begin(), tail.end());
      std::sort(ks.begin(), ks.end());
    }
    std::map<Key, Span> open;
    for (const auto& [key, span] : open_) {
      const Key k2 = ordered(renamed(relabel, key.first), renamed(relabel, key.second));
      if (k2.first != k2.second) open[k2] = span;
    }
    open_ = std::move(open);
  }

  std::vector<std::vector<Track>>& frames_;
  const std::vector<Similarity>& to_ref_;
  const StitchConfig& cfg_;
  size_t window_ = 10, max_len_ = 50;
  std::map<int64_t, std::vector<size_t>> at_;  // id -> frames holding it, ascending
  std::map<Key, Span> open_;                   // contacts not judged yet
  std::vector<size_t> shot_;                   // camera cuts up to each frame
  int exchanged_ = 0;
};

}  // namespace

std::vector<std::vector<Track>> stitch_tracklets(const std::vector<std::vector<Track>>& frames,
                                                 const StitchConfig& cfg) {
  const size_t n = frames.size();
  // 1. Per-frame camera motion, chained to the first frame.
  const std::vector<Similarity> to_ref = panorama(frames);

  // 2. Fragments: each id's panorama foot points; each end's point and velocity from its first
  // / last velocity_frames + 1 of them (end_motion).
  std::map<int64_t, Fragment> frags;
  std::map<int64_t, std::vector<Sample>> pts;
  for (size_t k = 0; k < n; ++k) {
    for (const Track& t : frames[k]) {
      const auto [x, y] = to_ref[k].apply(t.box_px.cx(), t.box_px.y2);
      pts[t.track_id].push_back({static_cast<double>(k), x, y, to_ref[k].s * t.box_px.height()});
      frags[t.track_id].labels.add(t);
    }
  }
  const size_t vf = static_cast<size_t>(std::max(1, cfg.velocity_frames));
  const bool moving = cfg.extrapolate_s > 0;
  std::vector<Sample> window;
  for (auto& [id, f] : frags) {
    const auto& p = pts[id];
    f.id = id;
    f.first = static_cast<size_t>(p.front().k);
    f.last = static_cast<size_t>(p.back().k);
    f.length = static_cast<int>(p.size());
    f.h0 = p.front().h;
    f.h1 = p.back().h;
    const auto m = static_cast<std::ptrdiff_t>(std::min(vf, p.size() - 1));
    window.assign(p.begin(), p.begin() + m + 1);
    const Motion a = end_motion(window, static_cast<double>(f.first), true, cfg.end_outlier_h);
    window.assign(p.end() - m - 1, p.end());
    const Motion b = end_motion(window, static_cast<double>(f.last), false, cfg.end_outlier_h);
    f.x0 = a.x, f.y0 = a.y, f.x1 = b.x, f.y1 = b.y;
    if (moving) f.vx0 = a.vx, f.vy0 = a.vy, f.vx1 = b.vx, f.vy1 = b.vy;
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
      if (cfg.label_share > 0 && labels_differ(A.labels, B.labels, cfg.label_share)) continue;
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
      const int own_team = clear_majority(f.labels.teams, cfg.label_share);
      if (head < 0 || (cfg.label_share > 0 && chain_team >= 0 && own_team >= 0 && chain_team != own_team)) {
        head = f.id;
        teams = {};
      }
      new_id[f.id] = head;
      teams[0] += f.labels.teams[0];
      teams[1] += f.labels.teams[1];
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

int resolve_crossings(std::vector<std::vector<Track>>& frames, const StitchConfig& config,
                      const std::vector<bool>& cuts) {
  if (!(config.crossing_iou > 0) || frames.empty()) return 0;
  const std::vector<Similarity> to_ref = panorama(frames);
  return CrossingResolver(frames, to_ref, config, cuts).run();
}

}  // namespace pitchtrack
