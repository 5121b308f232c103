// CutDetector: shot-change (camera cut) detection between consecutive frames.
//
// Contract:
// - update(frame) returns true when `frame` starts a new shot. The frame is reduced to
//   work_width (each pixel the mean of 4 samples of its cell) and described by an HSV histogram: 18 hue x 2
//   saturation bins for coloured pixels plus one bin for grey pixels (S < 40/255, whose hue is noise), and 8
//   value bins. The distance to the previous frame's description is the mean of the two
//   histograms' total-variation distances, in [0, 1]. A pan or zoom keeps most of the scene's
//   colours (small distance); sensor noise moves few pixels across the coarse bins.
// - A frame is a cut when its distance exceeds both min_distance and adaptive_factor times the
//   mean distance of the last history_frames non-cut frames (busy shots with much motion raise
//   their own bar), or when the grass fraction (pixels with a green hue, S and V high enough)
//   changed by more than grass_change and the distance exceeds grass_min_distance (wide shot
//   <-> close-up of the crowd or bench). After a cut no other cut is reported for
//   min_cut_interval_s (a flash or a wipe is not a cut per frame).
// - The first frame after create()/reset() is not a cut. A change of frame size is a cut.
// - Weak: gradual transitions (dissolves, fades over many frames) and cuts between two shots with
//   the same colours (two wide views of the pitch) are not detected.
// - Errors: an empty frame is kInvalidArgument; OpenCV failures become kInternal.
// Units: time from fps and the number of update() calls (one call per processed frame).
// Threading: not thread-safe; one instance per stream. Cost: well under 1 ms per 720p frame.
#pragma once

#include <memory>

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

struct CutDetectorConfig {
  double fps = 25.0;                 // update() calls per second of video
  int work_width = 160;              // px; frames are reduced to this width
  double min_distance = 0.3;         // [0, 1]; histogram distance a cut must exceed
  double adaptive_factor = 3.0;      // >= 1; and exceed this times the recent mean distance
  int history_frames = 25;           // frames in that mean
  double grass_change = 0.3;         // [0, 1]; change of grass fraction that marks a cut ...
  double grass_min_distance = 0.15;  // [0, 1]; ... when the distance exceeds this
  double min_cut_interval_s = 1.0;   // s; no second cut within this time
};

class CutDetector {
 public:
  static Result<std::unique_ptr<CutDetector>> create(const CutDetectorConfig& config);
  virtual ~CutDetector() = default;
  virtual Result<bool> update(const Frame& frame) = 0;
  virtual void reset() = 0;
  virtual double last_distance() const = 0;        // distance of the last frame to its predecessor
  virtual double last_grass_fraction() const = 0;  // [0, 1] of the last frame
};

Status validate(const CutDetectorConfig& config);

}  // namespace pitchtrack
