// TeamClassifier: splits the players of a match into two teams by the colour of their shirts.
//
// Contract:
// - extract(): one TeamFeature per track, read from the torso of its box: the band
//   torso_top..torso_bottom of the box height (from the top) and the central torso_width of its
//   width, sampled on a grid of at most max_samples_per_box pixels. Grass pixels are excluded:
//   the grass hue is estimated per frame from a sparse grid over the whole image (the peak of
//   the hue histogram of saturated greenish pixels), and a pixel is grass when its hue is within
//   the grass's own hue spread of that peak (95th percentile + 3 degrees, between 6 and
//   grass_hue_tolerance_deg) and its saturation within the grass's range. The feature is a soft
//   HSV colour histogram (12 hue bins x 2 value levels for chromatic pixels, 3 value levels for
//   grey/black/white), L1 normalised and square-rooted (the Hellinger embedding: Euclidean
//   distance between features is the Hellinger distance between histograms). Hue is kept apart
//   from brightness, so a shadow moves weight between the two value levels of the same hue
//   instead of changing the colour. A track whose torso has fewer than min_pixels non-grass
//   samples, or a non-grass fraction below min_non_grass_fraction, or lies mostly outside the
//   image gets an invalid feature.
// - fit(): two-cluster model (trimmed k-means on the Hellinger embedding, deterministic: several
//   farthest-point initialisations from evenly spaced samples, the lowest trimmed inertia wins,
//   then centres re-estimated from the trim_fraction nearest members). Feed it player features
//   only. Errors: fewer than 2 valid features (kInvalidArgument), clusters too close
//   (min_centre_distance) or one cluster too small (min_cluster_fraction): kFailedPrecondition,
//   and the previous model (if any) is kept.
// - predict(): the nearest centre and a confidence (d_other - d_best) / (d_other + d_best) in
//   [0, 1]. Invalid features, and outliers farther than outlier_factor cluster radii (the median
//   distance of the cluster's members at the fit, at least 0.1) from the nearest centre, get
//   team -1, confidence 0 (a referee or keeper the detector called a player matches neither
//   kit). Before a fit: kFailedPrecondition "team classifier not fitted".
// - update(): moves the nearest centre of every valid feature predicted with confidence >=
//   update_min_confidence by update_rate of the difference (slow drift: light, shadows).
// - assign(): the per-frame verb of the pipeline. Players (role kPlayer): while not fitted, their
//   valid features are buffered (at most max_fit_samples) until fit_seconds of frames have been
//   seen and min_samples collected, then fit() (a failed fit drops the older half of the buffer
//   and keeps collecting). Once fitted: predict, update(), and per-track voting: each frame the
//   votes decay by exp(-1 / (vote_memory_s * fps)) and the predicted team gains its confidence;
//   a track's team changes only when the other team's votes exceed switch_ratio times its own
//   (hysteresis: a few noisy frames do not flip it). Written: Track::team and
//   Track::team_confidence = (v_team - v_other) / (v_team + v_other + 1); empty while unknown.
//   Referees (role kReferee) get no team. Goalkeepers (role kGoalkeeper) vote by their half when
//   their pitch_m and those of >= min_side_players players of each team are set (the team whose
//   players' mean pitch x is nearer the keeper's x; evidence min(1, |mean_x0 - mean_x1| / 20 m)),
//   else by the nearest colour cluster (no outlier test) with confidence capped at
//   goalkeeper_cluster_confidence (a keeper's kit matches neither team). pitch_m is read from the tracks as
//   given: project them before assign() for side-based keepers. Tracks with id 0 (tentative) get the
//   per-frame prediction without memory. A camera cut multiplies all votes by cut_vote_keep (after a cut a
//   tracker may hand an old id to a new person; fresh evidence then dominates quickly).
//   Per-track state is dropped when an id was not seen for forget_after_s, and at most
//   max_track_states ids are held (least recently seen dropped first): bounded memory.
//   Errors: an empty frame (kInvalidArgument); not fitted yet is not an error for assign().
// Units: hues in degrees [0, 360), saturation and value in [0, 1]; time from fps and the number
// of assign() calls (one call per processed frame). Team labels are fixed after the fit: team 0
// is the darker kit (so labels do not depend on sample order).
// Threading: not thread-safe; one instance per stream. Deterministic for the same input.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/core/track.hpp"

namespace pitchtrack {

inline constexpr int kTeamFeatureBins = 27;  // 12 hues x 2 value levels + 3 grey levels

struct TeamFeature {
  std::array<float, kTeamFeatureBins> hist{};  // sqrt of the L1-normalised histogram (unit L2 norm)
  int pixels = 0;                              // non-grass torso samples counted
  bool valid = false;
};

struct TeamPrediction {
  int team = -1;            // 0 or 1; -1 for an invalid feature
  float confidence = 0.0f;  // [0, 1]
};

struct TeamFrameInfo {
  int64_t frame_index = 0;  // source frame index (for messages)
  bool camera_cut = false;  // shot change at this frame (see contract: votes are damped)
};

struct TeamClassifierConfig {
  double fps = 25.0;  // assign() calls per second of video
  // Torso region, fractions of the person box.
  float torso_top = 0.2f;         // top of the band, fraction of box height from the top
  float torso_bottom = 0.5f;      // bottom of the band, fraction of box height from the top
  float torso_width = 0.6f;       // central fraction of the box width
  int max_samples_per_box = 400;  // pixels sampled per torso (grid stride adapts)
  // Grass exclusion.
  float grass_hue_tolerance_deg = 22.0f;  // degrees; upper bound of the adaptive grass hue window
  float grass_min_saturation = 0.15f;     // [0, 1]; less saturated pixels are never grass
  float default_grass_hue_deg = 95.0f;    // degrees; used when a frame shows too little green
  // Feature validity.
  int min_pixels = 12;                  // non-grass torso samples for a valid feature
  float min_non_grass_fraction = 0.2f;  // of the torso samples
  // Fit.
  double fit_seconds = 2.0;           // s of frames to collect player samples before fitting
  int min_samples = 30;               // valid player features before fitting
  int max_fit_samples = 4000;         // cap on the buffered samples
  float trim_fraction = 0.9f;         // (0, 1]; fraction of each cluster kept to estimate centres
  float min_centre_distance = 0.15f;  // Hellinger distance the two centres must be apart
  float min_cluster_fraction = 0.1f;  // [0, 0.5); smallest cluster share of the samples
  float outlier_factor = 3.0f;        // >= 0; cluster radii beyond which a feature has no team (0: off)
  // Online update.
  float update_rate = 0.005f;          // [0, 1]; centre step per feature
  float update_min_confidence = 0.3f;  // [0, 1]; only confident features update the centres
  // Voting.
  double vote_memory_s = 0.4;                  // s; time constant of the vote decay
  float switch_ratio = 1.5f;                   // >= 1; hysteresis for a team change
  float cut_vote_keep = 0.25f;                 // [0, 1]; vote factor at a camera cut
  float goalkeeper_cluster_confidence = 0.3f;  // [0, 1]; cap for a keeper's colour-based team
  int min_side_players = 3;                    // players per team with pitch_m for side-based keepers
  double forget_after_s = 5.0;                 // s; per-track state kept after the id was last seen
  int max_track_states = 512;                  // bound on per-track states
};

class TeamClassifier {
 public:
  static Result<std::unique_ptr<TeamClassifier>> create(const TeamClassifierConfig& config);
  virtual ~TeamClassifier() = default;

  // One feature per track, in order. kInvalidArgument for an empty frame.
  virtual Result<std::vector<TeamFeature>> extract(const Frame& frame,
                                                   std::span<const Track> tracks) const = 0;
  virtual Status fit(std::span<const TeamFeature> player_features) = 0;
  virtual Result<std::vector<TeamPrediction>> predict(std::span<const TeamFeature> features) const = 0;
  virtual void update(std::span<const TeamFeature> features) = 0;
  // Per-frame: writes team and team_confidence of `tracks` (see contract).
  virtual Status assign(const Frame& frame, std::vector<Track>& tracks, const TeamFrameInfo& info) = 0;

  virtual bool fitted() const = 0;
  virtual size_t track_states() const = 0;      // per-track vote states held now
  virtual size_t buffered_samples() const = 0;  // player features waiting for the fit
  virtual void reset() = 0;                     // forget the model, the buffer and all votes
};

Status validate(const TeamClassifierConfig& config);

// Team colour evidence of each detection, for the tracker (FrameContext::team_evidence): the
// fitted model's team as a sign (- team 0, + team 1) and its confidence as the size; 0 where
// the feature is invalid or an outlier. `out` is left empty while the model is not fitted.
// `scratch` holds the detections as boxes (reused between calls). Errors: those of extract().
Status detection_team_evidence(const TeamClassifier& model, const Frame& frame,
                               std::span<const Detection> detections, std::vector<Track>& scratch,
                               std::vector<float>& out);

}  // namespace pitchtrack
