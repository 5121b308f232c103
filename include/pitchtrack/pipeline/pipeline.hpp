// Pipeline: one stream's stateful chain from frames to FrameResults.
//
//   frame -> Detector -> (persons) Tracker, (balls) BallTracker -> TeamClassifier
//         -> PitchCalibrator (keypoints every n-th frame, camera motion in between)
//         -> projection of foot points to metres, pitch velocities -> FrameResult
//
// Contract: process_frame() handles one frame; process_batch() runs the detector once on all the
// frames (batched inference) and then the stateful stages frame by frame, in order. Frames must
// come in presentation order. Every FrameResult carries per-stage wall times ("decode" is the
// frame's Frame::decode_us, measured by the source); get_metrics()
// summarises FPS, arrival-to-result latency percentiles, per-stage time, RSS and drops.
// set_homography() fixes a static image->pitch calibration from then on.
// A frame without a trustworthy calibration has no homography and its tracks no pitch_m.
// Threading: one thread drives a Pipeline (it is stateful); get_metrics() is thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pitchtrack/core/clock.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/detect/detector.hpp"
#include "pitchtrack/detect/pitch_keypoint_detector.hpp"
#include "pitchtrack/motion/camera_motion.hpp"
#include "pitchtrack/pipeline/metrics.hpp"
#include "pitchtrack/pitch/calibrator.hpp"
#include "pitchtrack/track/tracker.hpp"

namespace pitchtrack {

struct PipelineConfig {
  DetectorConfig detector;
  TrackerConfig tracker;
  std::string calibration = "auto";  // auto (keypoint model) | static (calibrator.static_*) | off
  CalibratorConfig calibrator;
  PitchKeypointConfig keypoints;
  int keypoints_every_n = 5;     // auto: run the keypoint model on every n-th frame; between, the
                                 // homography follows the measured camera motion
  bool camera_motion = true;     // estimate global camera motion (tracker compensation)
  CameraMotionConfig motion;     // its settings (work resolution, features, Lucas-Kanade window)
  bool cut_detection = true;     // detect shot changes (resets motion state, flags the frame)
  bool teams = true;             // team classification
  int detector_sessions = 1;     // detector sessions from the one loaded model: up to this many
                                 // detect_batch calls run at once (each on its own session), which
                                 // StreamProcessorConfig::overlap_detection keeps busy
  double fps = 25.0;             // stream frame rate (set from the source)
  size_t metrics_window = 2000;  // frames in the latency/stage window
  const Clock* clock = nullptr;  // latency clock; nullptr = steady_clock()
};

// The detector's part of a batch, between Pipeline::detect_batch and Pipeline::track_batch.
struct DetectedBatch {
  std::vector<std::vector<Detection>> detections;  // one list per frame
  double total_ms = 0;                             // wall time of the detector call
  DetectorTimings timings;                         // its preprocess / inference / postprocess split
};

class Pipeline {
 public:
  static Result<std::unique_ptr<Pipeline>> create(const PipelineConfig& config);
  // With a detector session built by the caller (a custom backend, a test fake) instead of one
  // from config.detector; `detector` must not be null.
  static Result<std::unique_ptr<Pipeline>> create(const PipelineConfig& config,
                                                  std::unique_ptr<Detector> detector);
  // With config.detector_sessions caller-built sessions (e.g. several clients of one
  // DetectionBatcher, so a stream has that many detections in flight); none may be null.
  static Result<std::unique_ptr<Pipeline>> create(const PipelineConfig& config,
                                                  std::vector<std::unique_ptr<Detector>> detectors);
  virtual ~Pipeline() = default;

  virtual Result<FrameResult> process_frame(const Frame& frame) = 0;
  virtual Result<std::vector<FrameResult>> process_batch(std::span<const Frame> frames) = 0;
  // process_batch in two phases, so the detector can work on batch k+1 on one thread while the
  // stateful stages finish batch k on another (StreamProcessorConfig::overlap_detection):
  // detect_batch touches only the detector; track_batch takes the batches in order. Up to
  // detection_concurrency() detect_batch calls may run at once (one per detector session; more
  // wait for a free one); one track_batch at a time.
  virtual Result<DetectedBatch> detect_batch(std::span<const Frame> frames) = 0;
  virtual Result<std::vector<FrameResult>> track_batch(std::span<const Frame> frames,
                                                       DetectedBatch detected) = 0;
  // Static calibration from now on (image px -> pitch m, row-major); validated.
  virtual Status set_homography(const Homography& image_to_pitch) = 0;
  virtual PipelineMetrics get_metrics() const = 0;
  // get_metrics() as one JSON object (docs/FORMATS.md), with latency and stage times over the
  // last `num_frames` processed frames (0 or more than the metrics window: the whole window).
  virtual std::string profile(size_t num_frames) const = 0;
  virtual MetricsCollector& metrics() = 0;
  virtual DetectorCaps detector_caps() const = 0;
  virtual int detection_concurrency() const = 0;  // detector sessions (PipelineConfig::detector_sessions)
  virtual void reset() = 0;                       // forget all per-stream state (new stream)
  // Runs every model once on a grey width x height frame (a full batch when batching), then
  // forgets that frame: per-stream state and metrics are reset. Lazy initialisation (CUDA
  // context, cuDNN algorithm search, OpenCV DNN set-up, first allocations) then happens before
  // the stream starts instead of stalling its first frames (measured on an H100: a 1.4 s stall
  // and 33 frames dropped at the start of a real-time run without it).
  virtual Status warm_up(int width, int height) = 0;
};

}  // namespace pitchtrack
