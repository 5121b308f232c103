#include "pitchtrack/team/team_classifier.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace pitchtrack {
namespace {

using Vec = Eigen::Matrix<float, kTeamFeatureBins, 1>;

constexpr int kHueBins = 12;
constexpr int kGreyBase = 2 * kHueBins;  // first of the 3 grey bins

struct Hsv {
  float h = 0, s = 0, v = 0;  // degrees, [0,1], [0,1]
};

inline Hsv to_hsv(const uint8_t* bgr) {
  const int b = bgr[0], g = bgr[1], r = bgr[2];
  const int mx = std::max({r, g, b}), mn = std::min({r, g, b});
  Hsv o;
  o.v = static_cast<float>(mx) * (1.0f / 255.0f);
  if (mx == 0) return o;
  const int d = mx - mn;
  o.s = static_cast<float>(d) / static_cast<float>(mx);
  if (d == 0) return o;
  const float inv = 60.0f / static_cast<float>(d);
  if (mx == r) {
    o.h = static_cast<float>(g - b) * inv;
    if (o.h < 0) o.h += 360.0f;
  } else if (mx == g) {
    o.h = 120.0f + static_cast<float>(b - r) * inv;
  } else {
    o.h = 240.0f + static_cast<float>(r - g) * inv;
  }
  return o;
}

inline float ramp(float x, float lo, float hi) { return std::clamp((x - lo) / (hi - lo), 0.0f, 1.0f); }

inline float hue_distance(float a, float b) {
  const float d = std::abs(a - b);
  return std::min(d, 360.0f - d);
}

struct GrassModel {
  float hue_deg = 95.0f;
  float hue_tolerance_deg = 22.0f;
  float min_saturation = 0.15f;
  float max_saturation = 1.0f;
};

// Soft histogram vote of one pixel (see header: 12 hues x 2 value levels + 3 grey levels).
inline void accumulate(const Hsv& p, std::array<float, kTeamFeatureBins>& hist) {
  const float chroma = ramp(p.s, 0.12f, 0.3f) * ramp(p.v, 0.1f, 0.25f);
  if (chroma > 0) {
    const float pos = p.h / 30.0f - 0.5f;  // bin centres at 15, 45, ... degrees
    const float fl = std::floor(pos);
    const float frac = pos - fl;
    const int h0 = (static_cast<int>(fl) + kHueBins) % kHueBins, h1 = (h0 + 1) % kHueBins;
    const float hi = ramp(p.v, 0.35f, 0.65f);
    const float w0 = chroma * (1 - frac), w1 = chroma * frac;
    hist[static_cast<size_t>(2 * h0)] += w0 * (1 - hi);
    hist[static_cast<size_t>(2 * h0 + 1)] += w0 * hi;
    hist[static_cast<size_t>(2 * h1)] += w1 * (1 - hi);
    hist[static_cast<size_t>(2 * h1 + 1)] += w1 * hi;
  }
  if (chroma < 1) {
    const float pos = std::clamp((p.v - 0.15f) / 0.35f, 0.0f, 2.0f);  // centres at v 0.15, 0.5, 0.85
    const int g0 = std::min(static_cast<int>(pos), 1);
    const float frac = pos - static_cast<float>(g0);
    hist[static_cast<size_t>(kGreyBase + g0)] += (1 - chroma) * (1 - frac);
    hist[static_cast<size_t>(kGreyBase + g0 + 1)] += (1 - chroma) * frac;
  }
}

Vec to_vec(const TeamFeature& f) { return Eigen::Map<const Vec>(f.hist.data()); }

// Brightness of a centre: mean value level of its histogram mass (sorting key for the labels).
float brightness(const Vec& c) {
  float num = 0, den = 0;
  for (int i = 0; i < kTeamFeatureBins; ++i) {
    const float m = c(i) * c(i);
    const float level =
        i < kGreyBase ? (i % 2 == 0 ? 0.35f : 0.8f) : 0.15f + 0.35f * static_cast<float>(i - kGreyBase);
    num += m * level;
    den += m;
  }
  return den > 0 ? num / den : 0.0f;
}

struct TrackVotes {
  std::array<float, 2> v{};
  int team = -1;
  int64_t last_seen = 0;
  bool cluster_only = false;  // keeper whose last evidence was colour, not side
};

class TeamClassifierImpl final : public TeamClassifier {
 public:
  explicit TeamClassifierImpl(const TeamClassifierConfig& c)
      : cfg_(c),
        decay_(static_cast<float>(std::exp(-1.0 / (c.vote_memory_s * c.fps)))),
        fit_frames_(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(c.fit_seconds * c.fps)))),
        forget_frames_(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(c.forget_after_s * c.fps)))) {}

  Result<std::vector<TeamFeature>> extract(const Frame& frame, std::span<const Track> tracks) const override {
    if (frame.empty() || frame.width() <= 0 || frame.height() <= 0) {
      return invalid_argument("team classifier: empty frame");
    }
    const GrassModel grass = estimate_grass(frame);
    std::vector<TeamFeature> out;
    out.reserve(tracks.size());
    for (const Track& t : tracks) out.push_back(extract_one(frame, t.box_px, grass));
    return out;
  }

  Status fit(std::span<const TeamFeature> features) override {
    std::vector<Vec> x;
    x.reserve(features.size());
    for (const TeamFeature& f : features) {
      if (f.valid) x.push_back(to_vec(f));
    }
    const size_t n = x.size();
    if (n < 2) return invalid_argument("team fit: need >= 2 valid features, got " + std::to_string(n));

    // Deterministic restarts: seed i is an evenly spaced sample, its partner the sample farthest
    // from it; Lloyd iterations; the lowest trimmed inertia wins (outliers such as a referee
    // picked as a seed then lose against a split into the two kits).
    std::array<Vec, 2> best{};
    double best_inertia = std::numeric_limits<double>::infinity();
    const size_t n_init = std::min<size_t>(8, n);
    for (size_t i = 0; i < n_init; ++i) {
      std::array<Vec, 2> c{x[i * n / n_init], x[0]};
      float far = -1;
      for (const Vec& v : x) {
        const float d = (v - c[0]).squaredNorm();
        if (d > far) {
          far = d;
          c[1] = v;
        }
      }
      lloyd(x, c, 1.0f);
      const double inertia = trimmed_inertia(x, c);
      if (inertia < best_inertia) {
        best_inertia = inertia;
        best = c;
      }
    }
    // Trimmed k-means refinement: centres from the trim_fraction nearest members of each cluster.
    lloyd(x, best, cfg_.trim_fraction);

    std::array<size_t, 2> count{};
    for (const Vec& v : x) ++count[nearest(best, v)];
    const size_t smallest = std::min(count[0], count[1]);
    if (static_cast<double>(smallest) < cfg_.min_cluster_fraction * static_cast<double>(n) || smallest == 0) {
      return failed_precondition("team fit: one colour cluster holds only " + std::to_string(smallest) +
                                 " of " + std::to_string(n) + " samples (team.min_cluster_fraction)");
    }
    const float sep = (best[0] - best[1]).norm();
    if (sep < cfg_.min_centre_distance) {
      return failed_precondition("team fit: the two kit colours are not separable (centre distance " +
                                 std::to_string(sep) + " < team.min_centre_distance)");
    }
    if (brightness(best[1]) < brightness(best[0])) std::swap(best[0], best[1]);  // team 0: darker kit
    // Cluster radii: the median distance of the members (outlier test). A median, because a
    // referee the detector calls a player can be a tenth of the samples.
    std::array<std::vector<float>, 2> dist;
    for (const Vec& v : x) {
      const size_t k = nearest(best, v);
      dist[k].push_back((v - best[k]).norm());
    }
    for (size_t k = 0; k < 2; ++k) {
      auto& d = dist[k];
      const auto q = static_cast<ptrdiff_t>((d.size() - 1) / 2);
      std::nth_element(d.begin(), d.begin() + q, d.end());
      radius_[k] = std::max(kMinRadius, d[static_cast<size_t>(q)]);
    }
    centres_ = best;
    fitted_ = true;
    return Status::ok();
  }

  Result<std::vector<TeamPrediction>> predict(std::span<const TeamFeature> features) const override {
    if (!fitted_) return failed_precondition("team classifier not fitted");
    std::vector<TeamPrediction> out;
    out.reserve(features.size());
    for (const TeamFeature& f : features) out.push_back(predict_one(f));
    return out;
  }

  void update(std::span<const TeamFeature> features) override {
    if (!fitted_) return;
    for (const TeamFeature& f : features) {
      const TeamPrediction p = predict_one(f);
      if (p.team < 0 || p.confidence < cfg_.update_min_confidence) continue;
      Vec& c = centres_[static_cast<size_t>(p.team)];
      c += cfg_.update_rate * (to_vec(f) - c);
    }
  }

  Status assign(const Frame& frame, std::vector<Track>& tracks, const TeamFrameInfo& info) override {
    if (frame.empty() || frame.width() <= 0 || frame.height() <= 0) {
      return invalid_argument("team classifier: empty frame at frame " + std::to_string(info.frame_index));
    }
    ++now_;
    if (info.camera_cut) {
      for (auto& [id, s] : states_) s.v = {s.v[0] * cfg_.cut_vote_keep, s.v[1] * cfg_.cut_vote_keep};
    }
    const GrassModel grass = estimate_grass(frame);
    std::vector<TeamFeature> feats(tracks.size());
    for (size_t i = 0; i < tracks.size(); ++i) {
      Track& t = tracks[i];
      t.team.reset();
      t.team_confidence.reset();
      if (t.role == ObjectClass::kPlayer || t.role == ObjectClass::kGoalkeeper) {
        feats[i] = extract_one(frame, t.box_px, grass);
      }
    }

    if (!fitted_) {
      if (first_frame_ < 0) first_frame_ = now_;
      for (size_t i = 0; i < tracks.size(); ++i) {
        if (tracks[i].role != ObjectClass::kPlayer || !feats[i].valid) continue;
        if (buffer_.size() >= static_cast<size_t>(cfg_.max_fit_samples)) {
          buffer_[buffer_next_++ % buffer_.size()] = feats[i];  // ring: keep the latest samples
        } else {
          buffer_.push_back(feats[i]);
        }
      }
      if (now_ - first_frame_ + 1 >= fit_frames_ && buffer_.size() >= static_cast<size_t>(cfg_.min_samples)) {
        if (fit(buffer_).is_ok()) {
          buffer_.clear();
          buffer_.shrink_to_fit();
        } else {
          buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(buffer_.size() / 2));
        }
        buffer_next_ = 0;
      }
      if (!fitted_) return Status::ok();
    }

    // Players first: their teams are needed for the keepers' side rule.
    std::vector<TeamFeature> player_feats;
    for (size_t i = 0; i < tracks.size(); ++i) {
      Track& t = tracks[i];
      if (t.role != ObjectClass::kPlayer) continue;
      const TeamPrediction p = predict_one(feats[i]);
      if (feats[i].valid) player_feats.push_back(feats[i]);
      if (t.track_id <= 0) {  // tentative: no memory
        if (p.team >= 0) {
          t.team = p.team;
          t.team_confidence = p.confidence;
        }
        continue;
      }
      TrackVotes& s = touch(t.track_id);
      if (p.team >= 0) vote(s, p.team, p.confidence);
      s.cluster_only = false;
      write(s, t, 1.0f);
    }
    update(player_feats);

    std::array<double, 2> sum_x{}, n_x{};
    for (const Track& t : tracks) {
      if (t.role != ObjectClass::kPlayer || !t.team || !t.pitch_m) continue;
      sum_x[static_cast<size_t>(*t.team)] += t.pitch_m->x_m;
      n_x[static_cast<size_t>(*t.team)] += 1;
    }
    const bool sides_known = n_x[0] >= cfg_.min_side_players && n_x[1] >= cfg_.min_side_players;
    for (size_t i = 0; i < tracks.size(); ++i) {
      Track& t = tracks[i];
      if (t.role != ObjectClass::kGoalkeeper) continue;
      int team = -1;
      float evidence = 0;
      bool by_side = false;
      if (sides_known && t.pitch_m) {
        const double m0 = sum_x[0] / n_x[0], m1 = sum_x[1] / n_x[1];
        team = std::abs(t.pitch_m->x_m - m0) <= std::abs(t.pitch_m->x_m - m1) ? 0 : 1;
        evidence = static_cast<float>(std::min(1.0, std::abs(m0 - m1) / 20.0));
        by_side = true;
      } else {
        const TeamPrediction p = predict_one(feats[i], false);
        team = p.team;
        evidence = p.confidence * cfg_.goalkeeper_cluster_confidence;
      }
      if (t.track_id <= 0) {
        if (team >= 0) {
          t.team = team;
          t.team_confidence = by_side ? evidence : std::min(evidence, cfg_.goalkeeper_cluster_confidence);
        }
        continue;
      }
      TrackVotes& s = touch(t.track_id);
      if (team >= 0) {
        vote(s, team, evidence);
        s.cluster_only = !by_side;
      }
      write(s, t, s.cluster_only ? cfg_.goalkeeper_cluster_confidence : 1.0f);
    }
    purge();
    return Status::ok();
  }

  bool fitted() const override { return fitted_; }
  size_t track_states() const override { return states_.size(); }
  size_t buffered_samples() const override { return buffer_.size(); }

  void reset() override {
    fitted_ = false;
    buffer_.clear();
    buffer_next_ = 0;
    states_.clear();
    first_frame_ = -1;
    now_ = 0;
  }

 private:
  GrassModel estimate_grass(const Frame& f) const {
    // Sparse grid (~64 x 36 samples); the grass hue is the peak of the hue histogram (5 degree
    // bins, smoothed) of saturated greenish pixels, refined by the weighted mean around it. The
    // tolerance is the grass's own hue spread (95th percentile of the distance to the peak + 3
    // degrees, 6 at least, grass_hue_tolerance_deg at most): broadcast grass is often
    // yellow-green (peak ~75 degrees) and a fixed wide window would swallow a yellow or lime kit
    // (~60 degrees). Pixels more saturated than nearly all grass (98th percentile + 0.1) are
    // not grass either.
    constexpr int kBins = 72;
    std::array<float, kBins> hist{};
    std::vector<Hsv> samples;
    samples.reserve(64 * 36);
    const int gx = 64, gy = 36;
    int total = 0, green = 0;
    for (int j = 0; j < gy; ++j) {
      const int y = static_cast<int>((static_cast<int64_t>(2 * j + 1) * f.height()) / (2 * gy));
      const uint8_t* row = f.row(y);
      for (int i = 0; i < gx; ++i) {
        const int x = static_cast<int>((static_cast<int64_t>(2 * i + 1) * f.width()) / (2 * gx));
        const Hsv p = to_hsv(row + 3 * x);
        ++total;
        if (p.s < cfg_.grass_min_saturation || p.v < 0.12f || p.h < 40.0f || p.h > 200.0f) continue;
        ++green;
        hist[static_cast<size_t>(std::min(kBins - 1, static_cast<int>(p.h / 5.0f)))] += 1;
        samples.push_back(p);
      }
    }
    GrassModel g;
    g.hue_deg = cfg_.default_grass_hue_deg;
    g.hue_tolerance_deg = cfg_.grass_hue_tolerance_deg;
    g.min_saturation = cfg_.grass_min_saturation;
    if (green * 10 < total) return g;  // too little green to estimate: defaults
    int peak = 0;
    float peak_v = -1;
    for (int b = 0; b < kBins; ++b) {
      const float v = hist[static_cast<size_t>(b)] * 2 + (b > 0 ? hist[static_cast<size_t>(b - 1)] : 0) +
                      (b + 1 < kBins ? hist[static_cast<size_t>(b + 1)] : 0);
      if (v > peak_v) {
        peak_v = v;
        peak = b;
      }
    }
    float num = 0, den = 0;
    for (int b = std::max(0, peak - 1); b <= std::min(kBins - 1, peak + 1); ++b) {
      num += hist[static_cast<size_t>(b)] * (static_cast<float>(b) + 0.5f) * 5.0f;
      den += hist[static_cast<size_t>(b)];
    }
    g.hue_deg = den > 0 ? num / den : (static_cast<float>(peak) + 0.5f) * 5.0f;
    std::vector<float> dh, sat;
    dh.reserve(samples.size());
    sat.reserve(samples.size());
    for (const Hsv& p : samples) {
      const float d = hue_distance(p.h, g.hue_deg);
      if (d > cfg_.grass_hue_tolerance_deg) continue;
      dh.push_back(d);
      sat.push_back(p.s);
    }
    if (dh.size() < 20) return g;
    const auto quantile = [](std::vector<float>& v, float q) {
      const auto k = static_cast<ptrdiff_t>(q * static_cast<float>(v.size() - 1));
      std::nth_element(v.begin(), v.begin() + k, v.end());
      return v[static_cast<size_t>(k)];
    };
    g.hue_tolerance_deg = std::clamp(quantile(dh, 0.95f) + 3.0f, std::min(6.0f, cfg_.grass_hue_tolerance_deg),
                                     cfg_.grass_hue_tolerance_deg);
    g.max_saturation = std::min(1.0f, quantile(sat, 0.98f) + 0.1f);
    return g;
  }

  TeamFeature extract_one(const Frame& f, const BoxXyxy& b, const GrassModel& grass) const {
    TeamFeature feat;
    const float h = b.height(), w = b.width();
    if (h <= 0 || w <= 0) return feat;
    const float rx1 = b.cx() - 0.5f * cfg_.torso_width * w, rx2 = b.cx() + 0.5f * cfg_.torso_width * w;
    const float ry1 = b.y1 + cfg_.torso_top * h, ry2 = b.y1 + cfg_.torso_bottom * h;
    const int x1 = std::max(0, static_cast<int>(std::floor(rx1))),
              x2 = std::min(f.width(), static_cast<int>(std::ceil(rx2)));
    const int y1 = std::max(0, static_cast<int>(std::floor(ry1))),
              y2 = std::min(f.height(), static_cast<int>(std::ceil(ry2)));
    if (x2 <= x1 || y2 <= y1) return feat;
    const double region = std::max(1.0, static_cast<double>(rx2 - rx1) * static_cast<double>(ry2 - ry1));
    const double inside = static_cast<double>(x2 - x1) * static_cast<double>(y2 - y1);
    if (inside < 0.5 * region) return feat;  // mostly outside the image
    const int step = std::max(
        1, static_cast<int>(std::ceil(std::sqrt(inside / static_cast<double>(cfg_.max_samples_per_box)))));
    int samples = 0, kept = 0;
    std::array<float, kTeamFeatureBins> hist{};
    for (int y = y1 + step / 2; y < y2; y += step) {
      const uint8_t* row = f.row(y);
      for (int x = x1 + step / 2; x < x2; x += step) {
        const Hsv p = to_hsv(row + 3 * x);
        ++samples;
        if (p.s >= grass.min_saturation && p.s <= grass.max_saturation && p.v >= 0.08f &&
            hue_distance(p.h, grass.hue_deg) <= grass.hue_tolerance_deg) {
          continue;
        }
        ++kept;
        accumulate(p, hist);
      }
    }
    feat.pixels = kept;
    if (kept < cfg_.min_pixels ||
        static_cast<float>(kept) < cfg_.min_non_grass_fraction * static_cast<float>(samples)) {
      return feat;
    }
    float sum = 0;
    for (float v : hist) sum += v;
    if (sum <= 0) return feat;
    for (size_t i = 0; i < hist.size(); ++i) feat.hist[i] = std::sqrt(hist[i] / sum);
    feat.valid = true;
    return feat;
  }

  static size_t nearest(const std::array<Vec, 2>& c, const Vec& v) {
    return (v - c[1]).squaredNorm() < (v - c[0]).squaredNorm() ? 1 : 0;
  }

  // Lloyd iterations; with keep < 1 each centre is the mean of its `keep` nearest members.
  static void lloyd(const std::vector<Vec>& x, std::array<Vec, 2>& c, float keep) {
    std::vector<size_t> label(x.size());
    std::array<std::vector<std::pair<float, size_t>>, 2> members;
    for (int it = 0; it < 50; ++it) {
      members[0].clear();
      members[1].clear();
      for (size_t i = 0; i < x.size(); ++i) {
        label[i] = nearest(c, x[i]);
        members[label[i]].push_back({(x[i] - c[label[i]]).squaredNorm(), i});
      }
      std::array<Vec, 2> next = c;
      for (size_t k = 0; k < 2; ++k) {
        auto& m = members[k];
        if (m.empty()) continue;
        size_t use = m.size();
        if (keep < 1.0f) {
          use = std::max<size_t>(1, static_cast<size_t>(std::ceil(keep * static_cast<float>(m.size()))));
          std::sort(m.begin(), m.end());
        }
        Vec s = Vec::Zero();
        for (size_t j = 0; j < use; ++j) s += x[m[j].second];
        next[k] = s / static_cast<float>(use);
      }
      const float moved = (next[0] - c[0]).squaredNorm() + (next[1] - c[1]).squaredNorm();
      c = next;
      if (moved < 1e-12f) break;
    }
  }

  double trimmed_inertia(const std::vector<Vec>& x, const std::array<Vec, 2>& c) const {
    std::vector<float> d;
    d.reserve(x.size());
    for (const Vec& v : x) d.push_back(std::min((v - c[0]).squaredNorm(), (v - c[1]).squaredNorm()));
    std::sort(d.begin(), d.end());
    const size_t use = std::max<size_t>(
        1, static_cast<size_t>(std::ceil(cfg_.trim_fraction * static_cast<float>(d.size()))));
    double s = 0;
    for (size_t i = 0; i < use; ++i) s += d[i];
    return s;
  }

  // With `reject_outliers`, a feature farther than outlier_factor cluster radii from the nearest
  // centre (a referee or a keeper the detector called a player) gets no team.
  TeamPrediction predict_one(const TeamFeature& f, bool reject_outliers = true) const {
    if (!f.valid || !fitted_) return {};
    const Vec v = to_vec(f);
    const float d0 = (v - centres_[0]).norm(), d1 = (v - centres_[1]).norm();
    TeamPrediction p;
    p.team = d1 < d0 ? 1 : 0;
    const float best = std::min(d0, d1), other = std::max(d0, d1);
    if (reject_outliers && cfg_.outlier_factor > 0 &&
        best > cfg_.outlier_factor * radius_[static_cast<size_t>(p.team)]) {
      return {};
    }
    p.confidence = other + best > 0 ? (other - best) / (other + best) : 0.0f;
    return p;
  }

  TrackVotes& touch(int64_t id) {
    TrackVotes& s = states_[id];
    const int64_t dt = s.last_seen > 0 ? now_ - s.last_seen : 0;
    if (dt > 0) {
      const float k = std::pow(decay_, static_cast<float>(dt));
      s.v = {s.v[0] * k, s.v[1] * k};
    }
    s.last_seen = now_;
    return s;
  }

  void vote(TrackVotes& s, int team, float confidence) const {
    s.v[static_cast<size_t>(team)] += confidence;
    if (s.team < 0) {
      if (s.v[0] != s.v[1]) s.team = s.v[1] > s.v[0] ? 1 : 0;
      return;
    }
    const size_t cur = static_cast<size_t>(s.team), other = 1 - cur;
    if (s.v[other] > cfg_.switch_ratio * s.v[cur]) s.team = static_cast<int>(other);
  }

  static void write(const TrackVotes& s, Track& t, float cap) {
    if (s.team < 0) return;
    const size_t cur = static_cast<size_t>(s.team);
    const float conf = (s.v[cur] - s.v[1 - cur]) / (s.v[0] + s.v[1] + 1.0f);
    t.team = s.team;
    t.team_confidence = std::clamp(conf, 0.0f, cap);
  }

  void purge() {
    std::erase_if(states_, [&](const auto& kv) { return now_ - kv.second.last_seen > forget_frames_; });
    while (states_.size() > static_cast<size_t>(cfg_.max_track_states)) {
      auto oldest = states_.begin();
      for (auto it = states_.begin(); it != states_.end(); ++it) {
        if (it->second.last_seen < oldest->second.last_seen) oldest = it;
      }
      states_.erase(oldest);
    }
  }

  TeamClassifierConfig cfg_;
  float decay_;
  int64_t fit_frames_;
  int64_t forget_frames_;
  bool fitted_ = false;
  static constexpr float kMinRadius = 0.1f;  // floor of a cluster radius (Hellinger distance)
  std::array<Vec, 2> centres_{Vec::Zero(), Vec::Zero()};
  std::array<float, 2> radius_{kMinRadius, kMinRadius};
  std::vector<TeamFeature> buffer_;
  size_t buffer_next_ = 0;
  std::map<int64_t, TrackVotes> states_;
  int64_t first_frame_ = -1;
  int64_t now_ = 0;
};

}  // namespace

Status validate(const TeamClassifierConfig& c) {
  if (!(c.fps > 0)) return invalid_argument("team.fps must be > 0");
  if (!(c.torso_top >= 0 && c.torso_top < c.torso_bottom && c.torso_bottom <= 1)) {
    return invalid_argument("team.torso_top/torso_bottom: need 0 <= torso_top < torso_bottom <= 1");
  }
  if (!(c.torso_width > 0 && c.torso_width <= 1)) {
    return invalid_argument("team.torso_width must be in (0, 1]");
  }
  if (c.max_samples_per_box < 1) return invalid_argument("team.max_samples_per_box must be >= 1");
  if (!(c.grass_hue_tolerance_deg >= 0 && c.grass_hue_tolerance_deg <= 90)) {
    return invalid_argument("team.grass_hue_tolerance_deg must be in [0, 90]");
  }
  if (!(c.grass_min_saturation >= 0 && c.grass_min_saturation <= 1)) {
    return invalid_argument("team.grass_min_saturation must be in [0, 1]");
  }
  if (!(c.default_grass_hue_deg >= 0 && c.default_grass_hue_deg < 360)) {
    return invalid_argument("team.default_grass_hue_deg must be in [0, 360)");
  }
  if (c.min_pixels < 1) return invalid_argument("team.min_pixels must be >= 1");
  if (!(c.min_non_grass_fraction >= 0 && c.min_non_grass_fraction <= 1)) {
    return invalid_argument("team.min_non_grass_fraction must be in [0, 1]");
  }
  if (!(c.fit_seconds >= 0)) return invalid_argument("team.fit_seconds must be >= 0");
  if (c.min_samples < 2) return invalid_argument("team.min_samples must be >= 2");
  if (c.max_fit_samples < c.min_samples) {
    return invalid_argument("team.max_fit_samples must be >= team.min_samples");
  }
  if (!(c.trim_fraction > 0 && c.trim_fraction <= 1)) {
    return invalid_argument("team.trim_fraction must be in (0, 1]");
  }
  if (!(c.min_centre_distance >= 0)) return invalid_argument("team.min_centre_distance must be >= 0");
  if (!(c.min_cluster_fraction >= 0 && c.min_cluster_fraction < 0.5f)) {
    return invalid_argument("team.min_cluster_fraction must be in [0, 0.5)");
  }
  if (!(c.outlier_factor >= 0)) return invalid_argument("team.outlier_factor must be >= 0");
  if (!(c.update_rate >= 0 && c.update_rate <= 1)) {
    return invalid_argument("team.update_rate must be in [0, 1]");
  }
  if (!(c.update_min_confidence >= 0 && c.update_min_confidence <= 1)) {
    return invalid_argument("team.update_min_confidence must be in [0, 1]");
  }
  if (!(c.vote_memory_s > 0)) return invalid_argument("team.vote_memory_s must be > 0");
  if (!(c.switch_ratio >= 1)) return invalid_argument("team.switch_ratio must be >= 1");
  if (!(c.cut_vote_keep >= 0 && c.cut_vote_keep <= 1)) {
    return invalid_argument("team.cut_vote_keep must be in [0, 1]");
  }
  if (!(c.goalkeeper_cluster_confidence >= 0 && c.goalkeeper_cluster_confidence <= 1)) {
    return invalid_argument("team.goalkeeper_cluster_confidence must be in [0, 1]");
  }
  if (c.min_side_players < 1) return invalid_argument("team.min_side_players must be >= 1");
  if (!(c.forget_after_s > 0)) return invalid_argument("team.forget_after_s must be > 0");
  if (c.max_track_states < 1) return invalid_argument("team.max_track_states must be >= 1");
  return Status::ok();
}

Status detection_team_evidence(const TeamClassifier& model, const Frame& frame,
                               std::span<const Detection> detections, std::vector<Track>& scratch,
                               std::vector<float>& out) {
  out.clear();
  if (!model.fitted() || detections.empty()) return Status::ok();
  scratch.resize(detections.size());
  for (size_t i = 0; i < detections.size(); ++i) scratch[i].box_px = detections[i].box_px;
  PT_ASSIGN_OR_RETURN(const std::vector<TeamFeature> features, model.extract(frame, scratch));
  PT_ASSIGN_OR_RETURN(const std::vector<TeamPrediction> teams, model.predict(features));
  out.reserve(teams.size());
  for (const TeamPrediction& t : teams)
    out.push_back(t.team == 0 ? -t.confidence : t.team == 1 ? t.confidence : 0.0f);
  return Status::ok();
}

Result<std::unique_ptr<TeamClassifier>> TeamClassifier::create(const TeamClassifierConfig& config) {
  PT_RETURN_IF_ERROR(validate(config));
  return std::unique_ptr<TeamClassifier>(std::make_unique<TeamClassifierImpl>(config));
}

}  // namespace pitchtrack
