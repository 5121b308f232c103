// EvalSequence: ground truth or predictions of one video, frame by frame, in the form the
// evaluation reads. Loaders (eval/ground_truth.hpp) fill it from MOT txt, synthetic GT folders
// and tracks.jsonl; the metrics read it and do no I/O.
//
// Frame numbering: frames[k] is source frame index k, i.e. MOT / GT frame k + 1.
// Units: boxes xyxy pixels; pitch positions metres in the DESIGN.md pitch frame; homographies
// map image pixels to pitch metres (row-major 3x3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/track.hpp"

namespace pitchtrack::eval {

struct EvalObject {
  int64_t id = 0;  // track id (GT ids may be 0-based, as in SportsMOT)
  BoxXyxy box_px;
  float score = 1.0f;
  std::optional<ObjectClass> role;    // player / goalkeeper / referee when known
  std::optional<int> team;            // 0 or 1 when known
  std::optional<PitchPoint> pitch_m;  // foot point on the pitch when known
};

struct EvalBall {
  std::optional<BoxXyxy> box_px;      // empty when the ball is not visible in the image (GT)
  std::optional<PitchPoint> pitch_m;  // GT: true ground position; prediction: ground projection
  std::optional<double> z_m;          // GT height above the ground, metres
};

struct EvalFrame {
  std::vector<EvalObject> objects;
  std::optional<EvalBall> ball;
  std::optional<Homography> homography;  // image -> pitch
  bool camera_cut = false;
  bool processed = true;  // predictions: the pipeline wrote a line for this frame (tracks.jsonl)
};

struct EvalSequence {
  std::string name;  // the path it was read from
  std::vector<EvalFrame> frames;
  int image_width = 0;  // px; 0 when unknown
  int image_height = 0;
  std::optional<double> pitch_length_m;  // GT pitch size when the GT says (synthetic meta.json)
  std::optional<double> pitch_width_m;
  // Which information the source carries (GT: which files were present; predictions: the format).
  bool has_roles = false;
  bool has_teams = false;
  bool has_pitch = false;
  bool has_ball = false;
  bool has_camera = false;
  bool marks_processed = false;  // frames without a tracks.jsonl line have processed == false

  int64_t num_frames() const { return static_cast<int64_t>(frames.size()); }
  int64_t num_boxes() const;
};

// Predictions from pipeline output: frame_index k goes to frames[k]; frames without a result are
// marked not processed. Tracks with id < 1 are skipped (they are not written to tracks.jsonl).
EvalSequence sequence_from_frame_results(const std::vector<FrameResult>& results);

}  // namespace pitchtrack::eval
