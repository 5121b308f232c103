#include <algorithm>
#include <cmath>
#include <limits>

#include "pitchtrack/core/assignment.hpp"
#include "pitchtrack/track/tracker.hpp"
#include "track/kalman_box.hpp"
#include "track/robust_stats.hpp"

namespace pitchtrack {
namespace {

using track::KalmanBox;
using track::median;

BoxXyxy buffered(const BoxXyxy& b, float s) {
  const float dx = s * b.width(), dy = s * b.height();
  return {b.x1 - dx, b.y1 - dy, b.x2 + dx, b.y2 + dy};
}

struct Slot {
  KalmanBox kf;
  int64_t id = 0;
  TrackState state = TrackState::kTentative;
  int hits = 0;            // consecutive matches
  int64_t last_match = 0;  // internal frame counter of the last match
  float score = 0.0f;
  std::array<float, kNumObjectClasses> votes{};
  BoxXyxy det_box;
  BoxXyxy prev_det_box;     // det box at the previous match, for global-motion estimation
  int64_t prev_match = -1;  // frame of that previous match
  int det_index = -1;
  bool matched_now = false;
  float team = 0.0f;  // running mean of the team evidence of its detections, [-1, 1]
};

// Camera motion seen through the boxes: zoom s about the image point c, then shift t
// (p' = c + s (p - c) + t). Estimated each frame from tracks matched in two consecutive frames.
struct BoxMotion {
  double s = 1.0, cx = 0.0, cy = 0.0, tx = 0.0, ty = 0.0;
  std::array<double, 6> affine() const { return {s, 0, cx - s * cx + tx, 0, s, cy - s * cy + ty}; }
};

class ByteTracker final : public Tracker {
 public:
  explicit ByteTracker(const TrackerConfig& c)
      : cfg_(c),
        max_lost_frames_(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(c.max_lost_s * c.fps)))) {}

  std::vector<Track> update(std::span<const Detection> dets, const FrameContext& ctx) override {
    if (!ctx.camera_cut && is_repeated_frame(dets)) return repeat_last(dets);
    ++frame_;
    if (ctx.camera_cut) on_cut();
    for (const Detection& d : dets) {  // running image extent, for the zoom centre
      max_x_ = std::max(max_x_, static_cast<double>(d.box_px.x2));
      max_y_ = std::max(max_y_, static_cast<double>(d.box_px.y2));
    }
    image_cx_ = 0.5 * max_x_;
    image_cy_ = 0.5 * max_y_;
    for (Slot& s : slots_) {
      if (ctx.camera_motion) {
        s.kf.warp(*ctx.camera_motion);
      } else if (s.state == TrackState::kLost && box_motion_ &&
                 frame_ - s.last_match > cfg_.lost_velocity_frames) {
        // Long out of sight, a track's own velocity (which included the camera's) is stale and
        // was zeroed; it moves with the camera instead (the motion the other players' boxes
        // showed in the last frame).
        s.kf.warp(box_motion_->affine());
      }
      if (s.state == TrackState::kLost && frame_ - s.last_match == cfg_.lost_velocity_frames)
        s.kf.zero_velocity();
      s.kf.predict();
      s.matched_now = false;
      s.det_index = -1;
    }

    merge_class_duplicates(dets);
    team_ev_ = ctx.team_evidence.size() == dets.size() ? ctx.team_evidence : std::span<const float>{};
    // Index lists are members, cleared and refilled: no allocation per frame once warm.
    high_.clear();
    low_.clear();
    for (int i = 0; i < static_cast<int>(dets.size()); ++i) {
      if (dropped_[static_cast<size_t>(i)]) continue;
      const float sc = person_score_[static_cast<size_t>(i)];
      if (sc >= cfg_.high_score) {
        high_.push_back(i);
      } else if (sc >= cfg_.low_score) {
        low_.push_back(i);
      }
    }
    update_noise_estimate();
    if (cfg_.align_tolerance > 0 && !ctx.camera_motion && !ctx.camera_cut) align_predictions(dets);

    // Stage 1: high-score detections vs confirmed tracks and those missed only briefly (a
    // dropped detection must not hand the player's next box to a neighbour).
    pool_.clear();
    lost_.clear();
    for (int t = 0; t < static_cast<int>(slots_.size()); ++t) {
      const Slot& sl = slots_[static_cast<size_t>(t)];
      if (sl.state == TrackState::kConfirmed ||
          (sl.state == TrackState::kLost && frame_ - sl.last_match <= cfg_.lost_velocity_frames)) {
        pool_.push_back(t);
      } else if (sl.state == TrackState::kLost) {
        lost_.push_back(t);
      }
    }
    associate(pool_, high_, dets, cfg_.min_iou_high, false, left_);
    // Stage 1b: what is left vs tracks lost for longer, whose boxes are widened with the time
    // they have been missing (they may have moved unseen), so a player re-entering the view is
    // recognised.
    associate(lost_, left_, dets, cfg_.min_iou_high, true, high_left_);
    pool_.insert(pool_.end(), lost_.begin(), lost_.end());

    // Stage 2: low-score detections vs confirmed tracks still unmatched (not the lost ones:
    // a weak detection is trusted only to continue a track that was just seen).
    pool2_.clear();
    for (int t : pool_) {
      const Slot& s = slots_[static_cast<size_t>(t)];
      if (!s.matched_now && s.state == TrackState::kConfirmed) pool2_.push_back(t);
    }
    associate(pool2_, low_, dets, cfg_.min_iou_low, false, left_);

    // Stage 3: remaining high-score detections vs tentative tracks.
    pool3_.clear();
    for (int t = 0; t < static_cast<int>(slots_.size()); ++t) {
      if (slots_[static_cast<size_t>(t)].state == TrackState::kTentative) pool3_.push_back(t);
    }
    associate(pool3_, high_left_, dets, cfg_.min_iou_tentative, false, left_);
    const std::vector<int>& unmatched = left_;
    if (!ctx.camera_motion) estimate_box_motion();

    // Lifecycle of unmatched tracks.
    for (Slot& s : slots_) {
      if (s.matched_now) continue;
      s.hits = 0;
      if (s.state == TrackState::kTentative) {
        s.state = TrackState::kRemoved;
      } else if (frame_ - s.last_match > max_lost_frames_) {
        s.state = TrackState::kRemoved;
      } else {
        s.state = TrackState::kLost;
      }
    }
    std::erase_if(slots_, [](const Slot& s) { return s.state == TrackState::kRemoved; });

    // New tracks.
    for (int d : unmatched) {
      const Detection& det = dets[static_cast<size_t>(d)];
      if (person_score_[static_cast<size_t>(d)] < cfg_.new_track_score) continue;
      Slot s;
      s.kf = KalmanBox(det.box_px, {cfg_.std_position, cfg_.std_velocity, cfg_.std_measurement});
      s.hits = 1;
      s.last_match = frame_;
      s.score = person_score_[static_cast<size_t>(d)];
      s.det_box = det.box_px;
      s.det_index = d;
      s.matched_now = true;
      add_votes(s, det, d);
      if (!team_ev_.empty()) s.team = team_ev_[static_cast<size_t>(d)];
      if (frame_ == 1 || cfg_.confirm_hits <= 1) confirm(s);
      if (cfg_.new_track_camera_velocity && box_motion_) {
        const BoxMotion& m = *box_motion_;
        const double cx = det.box_px.cx(), cy = det.box_px.cy();
        s.kf.set_velocity(m.cx + m.s * (cx - m.cx) + m.tx - cx, m.cy + m.s * (cy - m.cy) + m.ty - cy);
      }
      slots_.push_back(s);
    }
    enforce_bound();

    last_dets_.assign(dets.begin(), dets.end());
    std::vector<Track> out;
    out.reserve(slots_.size());
    for (const Slot& s : slots_) {
      if (s.state != TrackState::kConfirmed || !s.matched_now) continue;
      Track t;
      t.track_id = s.id;
      t.box_px = cfg_.filtered_boxes ? s.kf.box() : s.det_box;
      t.score = s.score;
      t.state = TrackState::kConfirmed;
      t.det_index = s.det_index;
      t.role = static_cast<ObjectClass>(std::max_element(s.votes.begin(), s.votes.end()) - s.votes.begin());
      out.push_back(t);
    }
    last_out_ = out;
    team_ev_ = {};  // the caller's buffer is only valid during this call
    return out;
  }

  void reset() override {
    slots_.clear();
    noise_samples_.clear();
    noise_next_ = 0;
    noise_new_ = 0;
    extra_noise_ = 0.0;
    last_dets_.clear();
    last_out_.clear();
    box_motion_.reset();
    frame_ = 0;
  }
  size_t live_tracks() const override { return slots_.size(); }
  int64_t ids_issued() const override { return next_id_ - 1; }

 private:
  // Optimal assignment of `tracks` to `det_ids` on buffered IoU >= min_iou; matched tracks are
  // updated. `left` (not `det_ids`) receives the detection ids left unmatched.
  void associate(const std::vector<int>& tracks, const std::vector<int>& det_ids,
                 std::span<const Detection> dets, float min_iou, bool widen_lost, std::vector<int>& left) {
    left.clear();
    if (tracks.empty() || det_ids.empty()) {
      left.assign(det_ids.begin(), det_ids.end());
      return;
    }
    const int R = static_cast<int>(tracks.size()), C = static_cast<int>(det_ids.size());
    cost_.assign(static_cast<size_t>(R) * static_cast<size_t>(C), std::numeric_limits<double>::infinity());
    for (int r = 0; r < R; ++r) {
      const Slot& sl = slots_[static_cast<size_t>(tracks[static_cast<size_t>(r)])];
      float buf = cfg_.buffer_scale;
      if (widen_lost) {
        const double missing_s = static_cast<double>(frame_ - sl.last_match) / cfg_.fps;
        buf = static_cast<float>(
            std::min<double>(cfg_.max_lost_buffer, cfg_.buffer_scale + cfg_.lost_buffer_per_s * missing_s));
      }
      const BoxXyxy pred = sl.kf.box();
      const BoxXyxy tb = buffered(pred, buf);
      const float referee = cfg_.role_weight > 0 ? referee_side(sl) : 0.0f;
      for (int c = 0; c < C; ++c) {
        const Detection& d = dets[static_cast<size_t>(det_ids[static_cast<size_t>(c)])];
        // Buffered IoU gates (fast motion still overlaps); the cost mixes in the plain IoU,
        // which separates two overlapping players better than the widened boxes do.
        const float v = iou(tb, buffered(d.box_px, buf));
        if (v < min_iou) continue;
        const float plain = iou(pred, d.box_px);
        double cost = 1.0 - (cfg_.plain_iou_weight * plain + (1.0f - cfg_.plain_iou_weight) * v);
        const double ph = std::max(1.0f, pred.height());
        if (cfg_.centre_weight > 0) {
          cost += cfg_.centre_weight * std::hypot(d.box_px.cx() - pred.cx(), d.box_px.cy() - pred.cy()) / ph;
        }
        if (cfg_.team_weight > 0 && !team_ev_.empty()) {
          const float e = team_ev_[static_cast<size_t>(det_ids[static_cast<size_t>(c)])];
          if (e * sl.team < 0) cost += cfg_.team_weight * std::abs(e * sl.team);
        }
        if (referee * (d.class_id == ObjectClass::kReferee ? 1.0f : -1.0f) < 0) {
          cost += cfg_.role_weight * std::abs(referee) * d.score;
        }
        cost_[static_cast<size_t>(r * C + c)] = cost;
      }
    }
    const Assignment a =
        linear_assignment(cost_, R, C, AssignmentOptions{.maximize = false, .limit = cost_limit()});
    for (int c = 0; c < C; ++c) {
      const int r = a.col_to_row[static_cast<size_t>(c)];
      const int d = det_ids[static_cast<size_t>(c)];
      if (r < 0) {
        left.push_back(d);
        continue;
      }
      apply_match(slots_[static_cast<size_t>(tracks[static_cast<size_t>(r)])], dets[static_cast<size_t>(d)],
                  d);
    }
  }

  // Drops the weaker of two person detections of different classes that overlap at IoU >=
  // class_duplicate_iou (strongest first, so a box is compared with kept boxes only); the
  // dropped one's score is added to the kept one's class votes. The kept box's person score
  // (what the stages, new_track_score and the track's score read) combines both as a noisy-OR,
  // 1 - (1 - a)(1 - b): the class heatmaps are independent sigmoids, so a person the model is
  // sure of but cannot place between two roles (a keeper scored 0.47 as keeper and 0.34 as
  // player) is more likely a person than either score says.
  void merge_class_duplicates(std::span<const Detection> dets) {
    const size_t n = dets.size();
    dropped_.assign(n, 0);
    extra_votes_.assign(n, {});
    person_score_.resize(n);
    for (size_t i = 0; i < n; ++i) person_score_[i] = dets[i].score;
    if (cfg_.class_duplicate_iou <= 0 || n < 2) return;
    order_.resize(n);
    for (size_t i = 0; i < n; ++i) order_[i] = static_cast<int>(i);
    std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
      return dets[static_cast<size_t>(a)].score > dets[static_cast<size_t>(b)].score;
    });
    for (size_t oi = 0; oi < n; ++oi) {
      const size_t i = static_cast<size_t>(order_[oi]);
      const Detection& di = dets[i];
      if (!is_person(di.class_id)) continue;
      for (size_t oj = 0; oj < oi; ++oj) {
        const size_t k = static_cast<size_t>(order_[oj]);
        const Detection& dk = dets[k];
        if (dropped_[k] || dk.class_id == di.class_id || !is_person(dk.class_id)) continue;
        if (iou(di.box_px, dk.box_px) >= cfg_.class_duplicate_iou) {
          dropped_[i] = 1;
          extra_votes_[k][static_cast<size_t>(di.class_id)] += di.score;
          person_score_[k] = 1.0f - (1.0f - person_score_[k]) * (1.0f - di.score);
          break;
        }
      }
    }
  }

  void add_votes(Slot& s, const Detection& det, int index) {
    s.votes[static_cast<size_t>(det.class_id)] += det.score;
    const auto& extra = extra_votes_[static_cast<size_t>(index)];
    for (size_t c = 0; c < extra.size(); ++c) s.votes[c] += extra[c];
  }

  // Which side of "referee" a track's role votes are on, and how clearly: 2 x its referee share
  // of the person votes - 1 (+1 a referee, -1 not), weighed by how many votes it has (full from
  // about five frames). A detection whose class is on the other side costs role_weight x |this|
  // x its score more.
  static float referee_side(const Slot& s) {
    const float ref = s.votes[static_cast<size_t>(ObjectClass::kReferee)];
    const float total = ref + s.votes[static_cast<size_t>(ObjectClass::kPlayer)] +
                        s.votes[static_cast<size_t>(ObjectClass::kGoalkeeper)];
    if (!(total > 0)) return 0.0f;
    return (2.0f * ref / total - 1.0f) * std::min(1.0f, total / 4.0f);
  }

  // Pairs costing this or more stay unmatched (the assignment maximises sum(limit - cost)):
  // the IoU term is below 1 for any pair the gate lets through; the centre term adds at most
  // about centre_weight (the gate keeps centres within about a box height). A strong team
  // conflict (team_weight x both confidences) or role conflict can push a pair past it: then it
  // is no match.
  double cost_limit() const { return 1.0 + 1e-9 + cfg_.centre_weight; }

  void apply_match(Slot& s, const Detection& det, int index) {
    // Detector noise: second differences of box heights over three consecutive matches (a
    // player's height changes smoothly; per-corner noise sigma gives a spread of sqrt(12) sigma).
    if (s.last_match == frame_ - 1 && s.prev_match == frame_ - 2 && s.det_box.height() > 0) {
      const double h0 = s.prev_det_box.height(), h1 = s.det_box.height(), h2 = det.box_px.height();
      add_noise_sample(std::abs(h2 - 2 * h1 + h0) / h1);
    }
    s.kf.update(det.box_px, extra_noise_);
    s.matched_now = true;
    s.prev_det_box = s.det_box;
    s.prev_match = s.last_match;
    s.det_box = det.box_px;
    s.det_index = index;
    s.score = person_score_[static_cast<size_t>(index)];
    s.last_match = frame_;
    add_votes(s, det, index);
    if (!team_ev_.empty() && team_ev_[static_cast<size_t>(index)] != 0.0f) {
      s.team += cfg_.team_memory * (team_ev_[static_cast<size_t>(index)] - s.team);
    }
    ++s.hits;
    if (s.state == TrackState::kTentative) {
      if (s.hits >= cfg_.confirm_hits) confirm(s);
    } else {
      s.state = TrackState::kConfirmed;
    }
  }

  // A repeated picture (broadcast frame-rate conversion duplicates every n-th frame): most
  // detections equal the previous frame's. The scene kept moving while the picture froze, so
  // the frame is a missing observation: every filter predicts one step with no update (the
  // next picture is two steps ahead), and the previous answer is repeated for this frame.
  static bool same_box(const BoxXyxy& a, const BoxXyxy& b) {
    return std::abs(a.x1 - b.x1) <= 0.5f && std::abs(a.y1 - b.y1) <= 0.5f && std::abs(a.x2 - b.x2) <= 0.5f &&
           std::abs(a.y2 - b.y2) <= 0.5f;
  }

  // prev_of_[i]: index in last_dets_ of the detection identical to dets[i], or -1.
  bool is_repeated_frame(std::span<const Detection> dets) {
    if (dets.size() < 3 || last_dets_.size() < 3) return false;
    prev_of_.assign(dets.size(), -1);
    size_t same = 0;
    for (size_t i = 0; i < dets.size(); ++i) {
      for (size_t j = 0; j < last_dets_.size(); ++j) {
        if (same_box(dets[i].box_px, last_dets_[j].box_px)) {
          prev_of_[i] = static_cast<int>(j);
          ++same;
          break;
        }
      }
    }
    return same * 5 >= dets.size() * 4;  // >= 80% identical boxes
  }

  std::vector<Track> repeat_last(std::span<const Detection> dets) {
    ++frame_;
    for (Slot& sl : slots_) {
      if (box_motion_ && sl.state == TrackState::kLost &&
          frame_ - sl.last_match > cfg_.lost_velocity_frames) {
        sl.kf.warp(box_motion_->affine());
      }
      sl.kf.predict();
      if (sl.state == TrackState::kConfirmed && sl.last_match == frame_ - 1) sl.last_match = frame_;
    }
    std::vector<Track> out;
    for (size_t i = 0; i < dets.size(); ++i) {
      if (prev_of_[i] < 0) continue;
      for (const Track& t : last_out_) {
        if (t.det_index == prev_of_[i]) {
          Track r = t;
          r.det_index = static_cast<int>(i);
          r.box_px = dets[i].box_px;
          out.push_back(r);
        }
      }
    }
    // Keep det indices consistent with the detections of the frame the filter last saw.
    return out;
  }

  // Number of reference tracks whose predicted centre, moved by (ox, oy), lies within the
  // tolerance of a high-score detection's centre; `residual` sums the normalised squared
  // distances. Stops early (returning a lower count) once `to_beat` can no longer be reached.
  int align_inliers(std::span<const Detection> dets, double ox, double oy, int to_beat,
                    double& residual) const {
    int n = 0;
    residual = 0.0;
    const int nref = static_cast<int>(ref_cx_.size());
    for (int r = 0; r < nref; ++r) {
      if (n + (nref - r) < to_beat) return n;
      const double tol = cfg_.align_tolerance * ref_h_[static_cast<size_t>(r)];
      const double px = ref_cx_[static_cast<size_t>(r)] + ox, py = ref_cy_[static_cast<size_t>(r)] + oy;
      double best = tol * tol;
      for (int d : high_) {
        const BoxXyxy& b = dets[static_cast<size_t>(d)].box_px;
        const double ex = b.cx() - px, ey = b.cy() - py;
        best = std::min(best, ex * ex + ey * ey);
      }
      if (best < tol * tol) {
        ++n;
        residual += best / (tol * tol);
      }
    }
    return n;
  }

  // Before association: the common shift of the predictions of recently seen tracks that puts
  // the most of them onto a detection (consensus over the track-detection offsets), refined by
  // the median offset of those inliers, moves every track.
  void align_predictions(std::span<const Detection> dets) {
    ref_cx_.clear();
    ref_cy_.clear();
    ref_h_.clear();
    for (const Slot& sl : slots_) {
      if (sl.state == TrackState::kConfirmed ||
          (sl.state == TrackState::kLost && frame_ - sl.last_match <= 1)) {
        const BoxXyxy p = sl.kf.box();
        ref_cx_.push_back(p.cx());
        ref_cy_.push_back(p.cy());
        ref_h_.push_back(p.height());
      }
    }
    if (ref_cx_.size() < 3 || high_.size() < 3) return;
    double best_res = 0.0;
    int best_n = align_inliers(dets, 0.0, 0.0, 0, best_res);
    double bx = 0.0, by = 0.0;
    // Candidate shifts from up to 8 tracks spread over the list (with most tracks inliers, one
    // of them is almost surely one); none needed when no shift already fits every track.
    const size_t nref = ref_cx_.size();
    const size_t step = std::max<size_t>(1, nref / 8);
    for (size_t r = 0; r < nref && best_n < static_cast<int>(nref); r += step) {
      for (int d : high_) {
        const BoxXyxy& b = dets[static_cast<size_t>(d)].box_px;
        const double ox = b.cx() - ref_cx_[r], oy = b.cy() - ref_cy_[r];
        if (std::hypot(ox, oy) > ref_h_[r] || std::abs(b.height() - ref_h_[r]) > 0.3 * ref_h_[r]) continue;
        double res = 0.0;
        const int n = align_inliers(dets, ox, oy, best_n, res);
        if (n > best_n || (n == best_n && res < best_res)) {
          best_n = n;
          best_res = res;
          bx = ox;
          by = oy;
        }
      }
    }
    if (best_n < 3 || 2 * best_n < static_cast<int>(ref_cx_.size())) return;
    // Refine: median of each inlier's offset to its nearest detection.
    dx_.clear();
    dy_.clear();
    for (size_t r = 0; r < ref_cx_.size(); ++r) {
      const double tol = cfg_.align_tolerance * ref_h_[r];
      double best = tol, ex = 0.0, ey = 0.0;
      for (int d : high_) {
        const BoxXyxy& b = dets[static_cast<size_t>(d)].box_px;
        const double ox = b.cx() - ref_cx_[r], oy = b.cy() - ref_cy_[r];
        const double dist = std::hypot(ox - bx, oy - by);
        if (dist < best) {
          best = dist;
          ex = ox;
          ey = oy;
        }
      }
      if (best < tol) {
        dx_.push_back(ex);
        dy_.push_back(ey);
      }
    }
    const double sx = median(dx_), sy = median(dy_);
    for (Slot& sl : slots_) {
      sl.kf.shift(sx, sy);
      const auto& m = sl.kf.mean();
      sl.kf.set_velocity(m(4) + cfg_.align_velocity_gain * sx, m(5) + cfg_.align_velocity_gain * sy);
    }
  }

  void add_noise_sample(double v) {
    if (cfg_.noise_gain <= 0) return;
    if (noise_samples_.size() < 1024) {
      noise_samples_.push_back(v);
    } else {
      noise_samples_[noise_next_] = v;
      noise_next_ = (noise_next_ + 1) % noise_samples_.size();
    }
    ++noise_new_;
  }

  // Every 16 new samples: the measurement noise the detections show beyond the configured one.
  void update_noise_estimate() {
    if (noise_new_ < 16 || noise_samples_.size() < 50) return;
    noise_new_ = 0;
    noise_tmp_ = noise_samples_;
    const double sigma = 1.4826 * median(noise_tmp_) / std::sqrt(12.0);  // per corner, of height
    const double floor = cfg_.noise_floor;
    extra_noise_ = cfg_.noise_gain * std::sqrt(std::max(0.0, sigma * sigma - floor * floor));
  }

  // Zoom and shift of the view from tracks matched in this frame and the previous one (robust
  // medians; needs a few tracks, else the estimate is dropped).
  void estimate_box_motion() {
    ratios_.clear();
    for (const Slot& s : slots_) {
      if (s.matched_now && s.prev_match == frame_ - 1 && s.prev_det_box.height() > 0) {
        ratios_.push_back(s.det_box.height() / s.prev_det_box.height());
      }
    }
    if (ratios_.size() < 3) {
      box_motion_.reset();
      return;
    }
    BoxMotion m;
    m.s = std::clamp(median(ratios_), 0.8, 1.25);
    m.cx = image_cx_;
    m.cy = image_cy_;
    dx_.clear();
    dy_.clear();
    for (const Slot& s : slots_) {
      if (s.matched_now && s.prev_match == frame_ - 1 && s.prev_det_box.height() > 0) {
        dx_.push_back(s.det_box.cx() - (m.cx + m.s * (s.prev_det_box.cx() - m.cx)));
        dy_.push_back(s.det_box.cy() - (m.cy + m.s * (s.prev_det_box.cy() - m.cy)));
      }
    }
    m.tx = median(dx_);
    m.ty = median(dy_);
    box_motion_ = m;
  }

  void confirm(Slot& s) {
    s.state = TrackState::kConfirmed;
    if (s.id == 0) s.id = next_id_++;
  }

  void on_cut() {
    std::erase_if(slots_, [](const Slot& s) { return s.state == TrackState::kTentative; });
    for (Slot& s : slots_) {
      s.state = TrackState::kLost;
      s.kf.zero_velocity();
    }
  }

  void enforce_bound() {
    if (static_cast<int>(slots_.size()) <= cfg_.max_tracks) return;
    // Drop the longest-lost tracks first.
    std::stable_sort(slots_.begin(), slots_.end(), [](const Slot& a, const Slot& b) {
      const bool al = a.state == TrackState::kLost, bl = b.state == TrackState::kLost;
      if (al != bl) return !al;
      return a.last_match > b.last_match;
    });
    slots_.resize(static_cast<size_t>(cfg_.max_tracks));
  }

  TrackerConfig cfg_;
  int64_t max_lost_frames_;
  std::vector<Slot> slots_;
  std::vector<double> cost_;
  std::vector<int> high_, low_, pool_, lost_, pool2_, pool3_, left_, high_left_;  // per-frame scratch
  std::vector<double> ratios_, dx_, dy_, ref_cx_, ref_cy_, ref_h_;
  std::vector<Detection> last_dets_;
  std::vector<int> prev_of_;
  std::vector<char> dropped_;  // per detection of this frame: merged into a cross-class duplicate
  std::vector<std::array<float, kNumObjectClasses>> extra_votes_;  // votes of the dropped, per kept
  std::vector<float> person_score_;  // per detection: its score, merged duplicates' noisy-OR
  std::vector<int> order_;
  std::span<const float> team_ev_;  // this frame's team evidence per detection, or empty
  std::vector<double> noise_samples_, noise_tmp_;
  size_t noise_next_ = 0;
  int noise_new_ = 0;  // samples since the last estimate
  double extra_noise_ = 0.0;
  std::vector<Track> last_out_;
  std::optional<BoxMotion> box_motion_;
  double image_cx_ = 640.0, image_cy_ = 360.0;
  double max_x_ = 0.0, max_y_ = 0.0;  // zoom centre; updated from the detections seen
  int64_t frame_ = 0;
  int64_t next_id_ = 1;
};

}  // namespace

Status validate(const TrackerConfig& c) {
  if (!(c.fps > 0)) return invalid_argument("tracker.fps must be > 0");
  if (c.low_score < 0 || c.low_score > c.high_score || c.high_score > 1) {
    return invalid_argument("tracker: need 0 <= low_score <= high_score <= 1");
  }
  if (c.new_track_score < 0 || c.new_track_score > 1)
    return invalid_argument("tracker.new_track_score must be in [0, 1]");
  for (float v : {c.min_iou_high, c.min_iou_low, c.min_iou_tentative}) {
    if (!(v > 0 && v <= 1)) return invalid_argument("tracker.min_iou_* must be in (0, 1]");
  }
  if (c.buffer_scale < 0 || c.buffer_scale > 2)
    return invalid_argument("tracker.buffer_scale must be in [0, 2]");
  if (c.confirm_hits < 1) return invalid_argument("tracker.confirm_hits must be >= 1");
  if (!(c.max_lost_s >= 0)) return invalid_argument("tracker.max_lost_s must be >= 0");
  if (c.max_tracks < 1) return invalid_argument("tracker.max_tracks must be >= 1");
  if (!(c.align_tolerance >= 0 && c.align_tolerance <= 1))
    return invalid_argument("tracker.align_tolerance must be in [0, 1]");
  if (!(c.align_velocity_gain >= 0 && c.align_velocity_gain <= 1))
    return invalid_argument("tracker.align_velocity_gain must be in [0, 1]");
  if (!(c.noise_gain >= 0 && c.noise_floor >= 0)) return invalid_argument("tracker.noise_* must be >= 0");
  if (!(c.centre_weight >= 0)) return invalid_argument("tracker.centre_weight must be >= 0");
  if (!(c.team_weight >= 0)) return invalid_argument("tracker.team_weight must be >= 0");
  if (!(c.role_weight >= 0)) return invalid_argument("tracker.role_weight must be >= 0");
  if (!(c.team_memory > 0 && c.team_memory <= 1))
    return invalid_argument("tracker.team_memory must be in (0, 1]");
  if (!(c.class_duplicate_iou >= 0 && c.class_duplicate_iou <= 1))
    return invalid_argument("tracker.class_duplicate_iou must be in [0, 1]");
  if (!(c.std_position > 0 && c.std_velocity > 0 && c.std_measurement > 0)) {
    return invalid_argument("tracker.std_* must be > 0");
  }
  return Status::ok();
}

Result<std::unique_ptr<Tracker>> Tracker::create(const TrackerConfig& config) {
  PT_RETURN_IF_ERROR(validate(config));
  return std::unique_ptr<Tracker>(std::make_unique<ByteTracker>(config));
}

}  // namespace pitchtrack
