// Tracker: turns per-frame person detections into tracks with stable ids.
//
// Algorithm: ByteTrack-style two-stage association over a constant-velocity Kalman filter on
// (cx, cy, w, h), with buffered IoU (boxes expanded by buffer_scale before IoU, as in C-BIoU) so
// fast motion still overlaps, optimal assignment (core/assignment), and camera-motion
// compensation: when the frame context carries the image-to-image affine of the camera since
// the previous frame, every track's state is warped by it before association; without it, the
// predictions are aligned on the detections by their consensus shift (see align_tolerance).
// The match cost adds the centre distance to the IoU terms, and the Kalman measurement noise
// grows with the noise the detector is seen to have (see noise_gain).
// Stages: (1) high-score detections vs confirmed + lost tracks; (2) low-score detections vs the
// confirmed tracks still unmatched (recovers occluded people); (3) remaining high-score
// detections vs tentative tracks; (4) new tentative tracks from unmatched detections with
// score >= new_track_score.
// Lifecycle: tentative -> confirmed after confirm_hits consecutive matches (or at once in the
// first frame); confirmed -> lost on a miss; lost -> removed after max_lost_s without a match,
// and tentative tracks die on their first miss. Removed tracks are purged immediately, so memory
// is bounded by max_tracks however long the match. Ids (>= 1) are given at confirmation and
// never reused. A camera cut (ctx.camera_cut) drops all motion state: every track becomes lost
// and its velocity is zeroed, so no stale motion carries across the cut.
// One person, one box: person detections of different classes overlapping at IoU >=
// class_duplicate_iou are one person the detector scored under two roles (a referee both as
// referee and as player: the class heatmaps share the box regression, so such pairs are often
// identical boxes, and per-class NMS keeps both). The weaker is dropped before association and
// its score goes to the kept detection's role vote; left in, it starts a second track on the
// same person or, as a low-score box, continues a neighbour's track onto that person.
// Team colour (when the frame context carries it, from the team classifier's colour model on
// each detection): every track keeps a running mean of the evidence of its matched detections,
// and a pairing of a track and a detection whose evidence points to the other team costs
// team_weight x |track mean| x |detection evidence| more. Two players of different teams who
// cross keep their ids; team-mates are left to motion.
// Role: per-track vote over the classes of its matched detections, weighted by score. A pairing
// of a track whose votes clearly say referee (or clearly not) with a detection of the other
// kind costs role_weight x clarity x detection score more, so a referee and a player who meet
// keep their ids where no team colour tells them apart (referees have no team).
// Output: the confirmed tracks matched in this frame (state kConfirmed), by value.
// Threading: not thread-safe; one instance per stream. Deterministic for the same input.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/core/track.hpp"

namespace pitchtrack {

struct TrackerConfig {
  double fps = 25.0;               // input frames per second (scales time-based limits)
  float high_score = 0.5f;         // detections at or above this enter stage 1
  float low_score = 0.1f;          // detections below this are ignored
  float new_track_score = 0.6f;    // minimum score to start a track
  float min_iou_high = 0.15f;      // min buffered IoU for a stage-1 match
  float min_iou_low = 0.35f;       // min buffered IoU for a stage-2 match
  float min_iou_tentative = 0.3f;  // min buffered IoU for a stage-3 match
  float buffer_scale = 0.3f;       // each box side grows by this fraction of its size for IoU
  float plain_iou_weight = 0.5f;   // cost = 1 - (w * IoU + (1 - w) * buffered IoU)
  int confirm_hits = 2;            // consecutive matches to confirm a track
  double max_lost_s = 10.0;        // seconds a lost track waits for a match (re-entry)
  int lost_velocity_frames = 5;    // frames a lost track keeps its own velocity
  float lost_buffer_per_s = 0.5f;  // buffer growth of a lost track per second missing
  float max_lost_buffer = 1.5f;    // cap on that buffer
  int max_tracks = 256;            // bound on live tracks (oldest lost dropped first)
  // A matched track reports its Kalman-filtered box (the state after this frame's update), which
  // takes out part of the detector's per-frame jitter; false: the matched detection's own box.
  bool filtered_boxes = true;
  double std_position = 1.0 / 20.0;  // Kalman process noise, fraction of box height per frame
  double std_velocity =
      0.08;  // Kalman process noise on velocity, fraction of height (tuned on SportsMOT train)
  double std_measurement = 1.0 / 20.0;  // measurement noise, fraction of box height
  // Pre-association alignment (when the frame context has no camera motion): the common shift
  // that puts most predicted centres of the tracks seen in the previous frame onto a detection
  // (within align_tolerance of the box height; consensus over track-detection offsets, refined
  // by the inliers' median) moves every track before matching, and align_velocity_gain of it
  // is added to the velocities. It absorbs camera acceleration (pans starting, stopping) the
  // velocities have not caught up with, and the camera pan of tracks born with no velocity.
  // align_tolerance 0 turns it off.
  float align_tolerance = 0.2f;
  float align_velocity_gain = 1.0f;
  bool new_track_camera_velocity = true;  // new tracks start with the camera motion of the frame
  // Adaptive measurement noise: the detector's own noise, measured from second differences of
  // box heights over three consecutive matches (per-corner std, fraction of height), beyond
  // noise_floor (clean boxes such as annotations stay below it), times noise_gain, is added in
  // quadrature to std_measurement. noise_gain 0 turns it off.
  double noise_gain = 10.0;
  double noise_floor = 0.01;
  float centre_weight = 2.0f;        // match cost += this * centre distance / predicted box height
  float class_duplicate_iou = 0.7f;  // cross-class person duplicates merged at IoU >= this; 0: off
  float team_weight = 8.0f;          // match cost per unit of team conflict (see above); 0: off
  float team_memory = 0.1f;          // (0, 1]: weight of a new detection in a track's team mean
  float role_weight = 1.0f;          // match cost per unit of referee conflict (see above); 0: off
};

// Per-frame input besides the detections.
struct FrameContext {
  int64_t frame_index = 0;
  int64_t pts_us = 0;
  // Image-to-image affine [a b tx; c d ty] (row-major) taking the previous frame's pixels to
  // this frame's, from camera-motion estimation; empty when unknown.
  std::optional<std::array<double, 6>> camera_motion{};
  bool camera_cut = false;  // shot change at this frame
  // Per detection (same order, or empty when unknown): team colour evidence in [-1, 1], the sign
  // the team (- team 0, + team 1) and the magnitude the colour model's confidence; 0: none.
  std::span<const float> team_evidence{};
};

class Tracker {
 public:
  static Result<std::unique_ptr<Tracker>> create(const TrackerConfig& config);
  virtual ~Tracker() = default;
  // `detections` should hold people only (balls are tracked by BallTracker).
  virtual std::vector<Track> update(std::span<const Detection> detections, const FrameContext& ctx) = 0;
  virtual void reset() = 0;
  virtual size_t live_tracks() const = 0;  // tentative + confirmed + lost held now
  virtual int64_t ids_issued() const = 0;
};

Status validate(const TrackerConfig& config);

}  // namespace pitchtrack
