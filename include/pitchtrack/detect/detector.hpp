// Detector: finds balls, goalkeepers, players and referees in frames.
//
// Contract: a DetectorModel is the loaded, immutable model (weights, metadata), shareable across
// threads; a Detector is a session created from it, used by one thread at a time.
// detect(frames) is batch-first: it takes N frames (any sizes; split internally into batches of
// caps().max_batch) and returns N detection lists, boxes xyxy in the pixels of each original
// frame, class ids 0 ball, 1 goalkeeper, 2 player, 3 referee, sorted by descending score.
// caps() says what the backend can do; the pipeline reads caps, never backend names.
// Errors: empty frames, bad configuration and backend failures come back as Status naming the
// input; backends convert their exceptions (cv::Exception, c10::Error) to Status.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

struct DetectorConfig {
  std::string backend = "auto";  // auto | onnx | torch | classical | darknet (tensorrt: absent, says so)
  std::string model_path;        // .onnx / .pt / darknet .cfg; empty: the shipped model
  std::string weights_path;      // darknet .weights (darknet backend only)
  std::array<float, kNumObjectClasses> thresholds = {-1, -1, -1, -1};  // score per class; <0: model default
  float nms_iou = 0.5f;                                                // class-aware NMS IoU threshold
  int max_detections = 100;                                            // per frame, after NMS
  int max_batch = 8;                                                   // frames per forward pass (>= 1)
  int input_width = 0;                                                 // px network input; 0: the model's
  int input_height = 0;                                                // px network input; 0: the model's
  int threads = 0;                  // CPU inference threads; 0: backend default (all cores)
  std::string device = "auto";      // auto | cpu | cuda (torch backend; auto: cuda when available)
  std::string precision = "fp32";   // fp32 | fp16 (torch on cuda)
  int warmup_runs = 1;              // torch: forwards over a full batch when a session is created
  double gpu_memory_limit_mb = 0;   // torch on cuda: cap on the caching allocator's memory, MB (0: none);
                                    // an allocation beyond it fails as a clear error instead of growing
  std::string cuda_wait = "block";  // torch on cuda: how host threads wait for the GPU, process-wide:
                                    // block (sleep) | spin (busy-poll, CUDA's default)
  bool pin_frames = true;    // torch on cuda: frame buffers of readers made afterwards are page-locked,
                             // so frames upload by DMA without a staging copy (process-wide once set)
  bool cuda_graphs = false;  // torch on cuda: each batch size's forward pass is captured once as a CUDA
                             // graph and replayed (one launch instead of one per layer)
};

// Where a frame lands in a learned detector's input: scaled by `scale` (input px per frame px),
// keeping its aspect, to width x height px at the top-left; the rest is padding. Every backend
// that letterboxes (DetectorCaps::letterbox) uses it.
struct LetterboxGeometry {
  float scale = 1.0f;
  int width = 0;   // px of the scaled frame inside the input
  int height = 0;  // px
};
LetterboxGeometry letterbox_geometry(int frame_width, int frame_height, int input_width, int input_height);

// `frame` resized to out's size with the letterbox's interpolation (OpenCV bilinear, as in
// training): the scaled image a letterboxing detector puts in its input. detect() on that image
// skips the detector's own resize (its boxes are then in the image's pixels: divide by the
// geometry's scale). The DetectionBatcher does this on the streams' threads.
void resize_like_letterbox(const Frame& frame, MutableFrame& out);

struct DetectorCaps {
  std::string backend;  // informational only
  std::string device = "cpu";
  std::string precision = "fp32";
  int max_batch = 1;
  int input_width = 0;  // px, 0 when the backend works at the frame's size
  int input_height = 0;
  bool learned = true;         // false for the classical (no weights) detector
  bool letterbox = false;      // frames are letterboxed to input_width x input_height (letterbox_geometry)
  bool cuda_graphs = false;    // forward passes are replayed CUDA graphs (detector.cuda_graphs)
  bool pinned_frames = false;  // readers' frame buffers are page-locked for it (detector.pin_frames)
};

// Wall time of the last detect() call, ms.
struct DetectorTimings {
  double preprocess_ms = 0;
  double inference_ms = 0;
  double postprocess_ms = 0;
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) = 0;
  virtual DetectorCaps caps() const = 0;
  virtual DetectorTimings last_timings() const { return {}; }
  // Device memory in use on the detector's GPU in MB (CUDA: total minus free, so the CUDA context
  // and every allocation of the process count), -1 when the detector runs on no GPU. Cheap and
  // thread-safe (it may be called while another thread runs detect()).
  virtual double gpu_memory_mb() const { return -1.0; }
};

class DetectorModel {
 public:
  virtual ~DetectorModel() = default;
  virtual DetectorCaps caps() const = 0;
  // A new session (own buffers and backend state) over this model.
  virtual Result<std::unique_ptr<Detector>> create_session() const = 0;
};

}  // namespace pitchtrack
