// TorchDetector (internal): the shipped CenterNet-style model as TorchScript through libtorch,
// on a CUDA GPU or the CPU. Compiled only when CMake finds libtorch (PITCHTRACK_WITH_TORCH);
// this header names no libtorch type, so only torch_detector.cpp pays for libtorch's headers.
//
// Model: a TorchScript file (models/football_det.pt, traced with torch 1.13) with the same
// contract and the same JSON sidecar (<model>.json) as the ONNX model: input [N,3,H,W] float
// BGR/255 letterboxed to the top-left with pad 114, output [N,8,H/4,W/4]
// (detect/centernet_model.hpp; models/MODEL_CARD.md). Decoding, thresholds and NMS are the
// shared ones of the onnx backend, so the backends differ only in the forward pass.
//
// Choices:
// - Device (`detector.device`): "auto" = CUDA when torch::cuda::is_available(), else the CPU;
//   "cuda" without a usable GPU is an error (kFailedPrecondition), never a silent CPU run.
// - Precision (`detector.precision`): "fp16" runs a half-precision copy of the model on half
//   input (CUDA only); outputs are converted to float before decoding. fp16 with device "cpu" is
//   an error; with "auto" on a machine without CUDA it runs fp32, and caps().precision says so.
// - Model vs session: the model keeps the file's bytes and the sidecar; each session loads its
//   own module from them (sessions share nothing, one thread each). On the CPU the module goes
//   through torch::jit::optimize_for_inference (freeze + MKL-DNN layouts: 2x faster than the
//   plain traced graph with Debian's libtorch 1.13 on 2 cores); on CUDA the traced graph runs
//   as is (BatchNorm is already folded into it).
// - Batching: detect() splits into chunks of `max_batch` frames, one forward per chunk, on
//   device tensors allocated once per session ([max_batch,3,H,W], narrowed for short chunks).
// - Preprocessing, CPU: each frame is letterboxed with OpenCV's bilinear resize straight into
//   its slot of a reused uint8 [max_batch,H,W,3] tensor (the very code the onnx backend uses, so
//   both backends see bit-identical input), then one permute + convert + scale into the float
//   input. CUDA: page-locked frames with unpadded rows (`detector.pin_frames`, Frame::pinned(),
//   width x 3 a multiple of 64) upload straight from their buffers; others first go into a reused
//   pinned host buffer, one asynchronous upload per run of equally sized frames. The letterbox happens on the
//   GPU, 8 frames at a time: uint8 HWC -> NCHW in the input's precision (fp16 or fp32), bilinear resize
//   (at::upsample_bilinear2d, align_corners=false, the geometry of cv::resize), scale 1/255 and
//   pad 114/255 written into the input tensor. The GPU resize does not round to uint8 as OpenCV
//   does, so CUDA inputs differ from the CPU's by up to ~0.5/255 per pixel where the frame is
//   scaled (fp16 adds its own rounding: up to 0.125 levels on the resized values).
// - Inference runs under c10::InferenceMode (no autograd state). Outputs come back to a reused
//   host buffer (pinned on CUDA) and are decoded on the CPU by the shared decoder.
// - CUDA, large batches: the copy into the pinned buffer (>= 8 MB) and the decoding (>= 4
//   frames) are split over up to 8 short-lived host threads (half the cores), joined within the
//   call: at batch 32 (1280x720) a single thread spent ~10 ms copying and ~8 ms downloading and
//   decoding per call on the H100 host, against ~6 ms for the forward pass.
// - `detector.cuda_graphs`: after the warm-up (at least two plain runs per bucket) each batch
//   bucket's forward pass is captured as a CUDA graph (largest first, one memory pool per
//   session) and replayed per batch; a capture that fails is an error naming the option.
// - Warm-up: `detector.warmup_runs` forwards over a full batch of padding when a session is
//   created, so the first real frames do not pay for lazy initialisation (cuDNN algorithm
//   choice, the JIT's profiling runs, allocator growth). The model's load-time check runs one
//   batch-1 forward in any case.
// - CUDA streams: each session issues its work on its own stream from libtorch's pool and waits
//   for that stream only (cuda_session_stream.hpp), so sessions on other threads (the keypoint
//   nets of many streams) neither queue behind it nor wait for it. The session synchronises its
//   stream after preprocessing and after the forward pass so last_timings() attributes GPU time
//   to the right stage. `detector.cuda_wait` (block | spin, process-wide, default block) says
//   whether a waiting host thread sleeps or busy-polls.
// Errors (Status naming the file): missing or empty .pt, a file torch::jit::load rejects
// (truncated, not TorchScript: c10::Error converted), a missing or wrong sidecar, a model whose
// output is not one [N,8,H/4,W/4] tensor (checked at load with one forward pass), an empty frame,
// CUDA requested but not available.
// Threads: `detector.threads` > 0 sets libtorch's intra-op thread count (process-wide, as
// OpenCV's does for the onnx backend).
#pragma once

#include <memory>
#include <string>

#include "pitchtrack/core/device_frame.hpp"
#include "pitchtrack/detect/detector.hpp"

namespace pitchtrack::detect {

Result<std::shared_ptr<const DetectorModel>> load_torch_model(const DetectorConfig& config);

// True when libtorch can run on a CUDA device in this process.
bool torch_cuda_available();

// NV12 -> BGR converters through libtorch (torch_frame_converter.cpp): "cuda" for NVDEC pictures
// (empty when libtorch has no CUDA device or this build lacks the CUDA runtime headers), "cpu" on
// host pointers.
DeviceFrameConverterFactory torch_frame_converter_factory(const std::string& device);

}  // namespace pitchtrack::detect
