// BallTracker: at most one ball per frame, from the detector's ball candidates.
//
// Contract:
// - Motion model: constant-velocity Kalman filter on the ball centre in image pixels (state x, y,
//   vx, vy per frame), driven by white acceleration noise std_acceleration_px (much larger than a
//   player's: a kick changes the velocity in one frame). The box size is a running average of
//   the matched detections' sizes.
// - Gating: a candidate is accepted when its centre lies within
//   r = min(max_gate_px, gate_px + gate_growth_px_per_frame * frames_missing
//           + gate_sigmas * sigma_innovation)
//   of the predicted centre (frames_missing counts frames since the last matched detection;
//   sigma_innovation is the RMS of the filter's innovation standard deviations). Among the
//   gated candidates the best by score - distance_weight * distance / r wins; the others are
//   ignored.
// - Acquisition: with no track, the best candidate with score >= acquire_score starts one.
//   Candidates outside the gate are rejected (spurious far-away detections) unless the track
//   has gone reacquire_frames frames without a match; then the best one with score >=
//   acquire_score anywhere restarts the track there (re-acquisition).
// - Gaps: up to max_gap_frames consecutive frames without a match the ball is reported at the
//   prediction with interpolated = true and score = last matched score * (1 - k / (max_gap_frames
//   + 1)) for the k-th missing frame; after that, nothing is reported (the filter is kept, so a
//   re-detected ball near the prediction continues the same track). Past max_gap_frames the
//   velocity is zeroed (extrapolating further is meaningless); after max_lost_frames without a
//   match the track is dropped.
// - Fixed objects: ball candidates are followed on spots of the scene. A spot moves with
//   ctx.camera_motion and a tenth of the way to each candidate on it (within static_radius_px,
//   or 0.75 x the candidate's size), which takes out the drift of the camera-motion estimate; a
//   ball rolling faster than about a ninth of that radius per frame leaves its spot. A spot with
//   a candidate in at least static_min_share of the frames for more than static_frames frames is
//   a fixed object (a penalty or centre spot, a mark by the touchline), not the ball: candidates
//   on it are ignored until it has gone fixed_forget_frames frames without one (a marking scored
//   near the detector's threshold is missed for seconds at a time); other spots are forgotten
//   after static_forget_frames frames without a candidate. A real ball at
//   rest that long (a set piece) is not reported until it moves. At most max_static_spots spots
//   are followed (the one seen longest ago makes room).
// - Camera: ctx.camera_motion (image affine, previous frame -> this frame) is applied to the state
//   before prediction, as the person tracker does; ctx.camera_cut drops the track (the new shot
//   starts from scratch, and may acquire in the same frame).
// - Input: only detections with class_id kBall and score >= min_score are considered; others are
//   ignored. One update() call per processed frame.
// - Output: BallState with box_px (matched detection box, or the predicted box when
//   interpolated), pitch_m empty (the pipeline projects it), ground_projected true.
// Units: pixels and frames (the rate of update() calls).
// Threading: not thread-safe; one instance per stream. Deterministic; bounded memory (one track
// and at most max_static_spots spots).
#pragma once

#include <memory>
#include <optional>
#include <span>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/track/tracker.hpp"

namespace pitchtrack {

struct BallTrackerConfig {
  float min_score = 0.1f;                  // ball candidates below this score are ignored
  float acquire_score = 0.3f;              // minimum score to start or re-acquire a track
  int max_gap_frames = 10;                 // frames reported from the prediction (interpolated)
  int reacquire_frames = 8;                // frames without a match before far candidates may be taken
  int max_lost_frames = 50;                // frames without a match before the track is dropped
  float gate_px = 30.0f;                   // px; base gate radius around the predicted centre
  float gate_growth_px_per_frame = 12.0f;  // px per frame missing
  float gate_sigmas = 3.0f;                // innovation standard deviations added to the gate
  float max_gate_px = 250.0f;              // px; cap on the gate radius
  float distance_weight = 0.5f;            // score penalty for a candidate at the gate's edge
  double std_acceleration_px = 2.0;        // px/frame^2; process noise (white acceleration)
  double std_measurement_px = 2.0;         // px; detector noise on the ball centre
  double std_initial_velocity_px = 15.0;   // px/frame; velocity uncertainty of a new track
  float size_smoothing = 0.3f;             // (0, 1]; weight of a new detection in the box-size average
  int static_frames = 75;                  // frames at one spot that make a candidate a fixed object; 0: off
  float static_radius_px = 4.0f;           // px; "one spot" (at least 0.75 x the candidate's size)
  float static_min_share = 0.1f;           // (0, 1]; share of those frames with a candidate on the spot
                                           // (a marking scored near the threshold passes it only at times)
  int static_forget_frames = 50;           // frames without a candidate before a spot is forgotten
  int fixed_forget_frames = 500;           // the same for a spot found to be a fixed object
  int max_static_spots = 64;               // bound on the spots followed
};

class BallTracker {
 public:
  static Result<std::unique_ptr<BallTracker>> create(const BallTrackerConfig& config);
  virtual ~BallTracker() = default;
  virtual std::optional<BallState> update(std::span<const Detection> ball_detections,
                                          const FrameContext& ctx) = 0;
  virtual void reset() = 0;                    // forgets the track and the fixed-object spots
  virtual bool has_track() const = 0;          // a filter is held (reported or not)
  virtual int frames_since_match() const = 0;  // 0 when matched this frame; -1 without a track
};

Status validate(const BallTrackerConfig& config);

}  // namespace pitchtrack
