#include "detect/torch/torch_detector.hpp"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>
#include <torch/script.h>
#if PITCHTRACK_TORCH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#if PITCHTRACK_HAVE_CUDART
#include <cuda_runtime_api.h>
#endif
#endif

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "detect/centernet_model.hpp"
#include "detect/torch/cuda_session_stream.hpp"

namespace pitchtrack::detect {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::span<const int64_t> as_span(c10::IntArrayRef a) { return {a.data(), a.size()}; }

// The first line of a (libtorch: multi-line, with a backtrace) error message.
[[maybe_unused]] std::string first_line(const std::string& what) { return what.substr(0, what.find('\n')); }

constexpr size_t kParallelCopyBytes = size_t{8} << 20;  // upload batches this large use host_threads_
constexpr int64_t kParallelDecodeFrames = 4;            // CUDA batches this large decode on host_threads_
constexpr int64_t kLetterboxChunk = 8;                  // CUDA: frames converted and resized at a time

// Runs fn(chunk, begin, end) over [0, n) cut into at most `threads` contiguous chunks, chunk 0 on
// the calling thread and the others on short-lived threads joined before returning.
template <class Fn>
void parallel_chunks(int64_t n, int threads, Fn&& fn) {
  const int64_t t = std::clamp<int64_t>(threads, 1, std::max<int64_t>(n, 1));
  const int64_t per = (n + t - 1) / std::max<int64_t>(t, 1);
  std::vector<std::jthread> pool;
  for (int64_t c = 1; c < t; ++c) {
    const int64_t begin = c * per, end = std::min(n, begin + per);
    if (begin < end) pool.emplace_back([&fn, c, begin, end] { fn(static_cast<int>(c), begin, end); });
  }
  fn(0, 0, std::min(n, per));
}

// Device memory in use on CUDA device 0 in MB: total minus free (context and every allocation of
// the process count); without the CUDA runtime headers, the caching allocator's reserved bytes.
// -1 when this libtorch has no CUDA.
double cuda_memory_used_mb() {
#if PITCHTRACK_TORCH_CUDA && PITCHTRACK_HAVE_CUDART
  size_t free_b = 0, total_b = 0;
  if (cudaMemGetInfo(&free_b, &total_b) != cudaSuccess) return -1.0;
  return static_cast<double>(total_b - free_b) / (1024.0 * 1024.0);
#elif PITCHTRACK_TORCH_CUDA
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
  return static_cast<double>(stats.reserved_bytes[0].current) / (1024.0 * 1024.0);  // [0]: aggregate
#else
  return -1.0;
#endif
}

// detector.gpu_memory_limit_mb: caps the caching allocator of device 0 (the CUDA context is
// outside it). A CPU-only libtorch cannot cap anything: a limit there is an error.
Status apply_gpu_memory_limit(double limit_mb) {
  if (limit_mb <= 0) return Status::ok();
#if PITCHTRACK_TORCH_CUDA && PITCHTRACK_HAVE_CUDART
  size_t free_b = 0, total_b = 0;
  if (cudaMemGetInfo(&free_b, &total_b) != cudaSuccess || total_b == 0) {
    return internal_error("detector.gpu_memory_limit_mb: cannot read the GPU's memory size");
  }
  const double fraction = std::min(1.0, limit_mb * 1024.0 * 1024.0 / static_cast<double>(total_b));
  c10::cuda::CUDACachingAllocator::setMemoryFraction(fraction, 0);
  return Status::ok();
#else
  return unsupported("detector.gpu_memory_limit_mb is set (" + std::to_string(limit_mb) +
                     " MB) but this libtorch build has no CUDA memory control");
#endif
}

// Where and how the model runs, resolved from detector.device / detector.precision.
struct Placement {
  bool cuda = false;
  bool fp16 = false;
};

DetectorCaps torch_caps(const Placement& place, const DetectorConfig& config, const CenterNetMeta& meta) {
  DetectorCaps caps;
  caps.backend = "torch";
  caps.device = place.cuda ? "cuda" : "cpu";
  caps.precision = place.fp16 ? "fp16" : "fp32";
  caps.max_batch = config.max_batch;
  caps.input_width = meta.input_width;
  caps.input_height = meta.input_height;
  caps.letterbox = true;
  const FrameHostAllocator* frames = frame_host_allocator();
  caps.pinned_frames = place.cuda && config.pin_frames && frames != nullptr && frames->pinned;
  return caps;
}

Result<Placement> resolve_placement(const DetectorConfig& c) {
  Placement p;
  if (c.device == "cuda") {
    if (!torch_cuda_available()) {
      return failed_precondition(
          "detector.device is 'cuda' but libtorch has no usable CUDA device (a CPU-only libtorch such as "
          "Debian's, or no GPU visible); use detector.device 'auto' or 'cpu'");
    }
    p.cuda = true;
  } else if (c.device == "auto") {
    p.cuda = torch_cuda_available();
  } else if (c.device != "cpu") {
    return invalid_argument("detector.device must be auto, cpu or cuda, got '" + c.device + "'");
  }
  if (c.precision == "fp16") {
    if (c.device == "cpu") {
      return invalid_argument(
          "detector.precision 'fp16' needs CUDA (detector.device 'cuda' or 'auto'), got device 'cpu'");
    }
    p.fp16 = p.cuda;  // "auto" without CUDA runs fp32; caps().precision reports it
  } else if (c.precision != "fp32") {
    return invalid_argument("detector.precision must be fp32 or fp16, got '" + c.precision + "'");
  }
  return p;
}

// Loads a TorchScript module from the model file's bytes onto the device (one per session).
Result<torch::jit::Module> load_module(const std::string& bytes, const std::string& path,
                                       const Placement& place) {
  try {
    std::istringstream in(bytes);
    torch::jit::Module m =
        torch::jit::load(in, place.cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU));
    m.eval();
    if (place.fp16) m.to(torch::kHalf);
    // CPU: freeze + MKL-DNN layouts (about 2x faster on 2 cores, same fp32 math to ~1e-7).
    if (!place.cuda) m = torch::jit::optimize_for_inference(m);
    return m;
  } catch (const c10::Error& e) {
    return invalid_argument("detector model '" + path +
                            "': libtorch cannot load it as TorchScript: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return invalid_argument("detector model '" + path +
                            "': libtorch cannot load it as TorchScript: " + e.what());
  }
}

class TorchSession final : public Detector {
 public:
  // Loads the module, allocates the session's buffers and runs `warmup_runs` forwards.
  static Result<std::unique_ptr<Detector>> create(const std::string& bytes, const CenterNetMeta& meta,
                                                  const DetectorConfig& config, const Placement& place,
                                                  int warmup_runs) {
    PT_ASSIGN_OR_RETURN(torch::jit::Module module, load_module(bytes, config.model_path, place));
    auto s = std::unique_ptr<TorchSession>(new TorchSession(std::move(module), meta, config, place));
    try {
      c10::InferenceMode guard;
      [[maybe_unused]] const auto on_stream = s->stream_.use();
      s->allocate();
      // Every batch shape this session will run (CUDA: each bucket), so no shape meets the
      // TorchScript executor and cuDNN for the first time on a live frame.
      // Graphs are captured after at least two plain runs per shape, so neither cuDNN's first
      // run nor the TorchScript executor's profiling run is what the graph records.
      const bool graphs = place.cuda && config.cuda_graphs;
      const int runs = graphs ? std::max(warmup_runs, 2) : warmup_runs;
      for (const int64_t b : s->warm_shapes()) {
        for (int i = 0; i < runs; ++i) {
          std::vector<torch::jit::IValue> args{s->input_.narrow(0, 0, b)};
          (void)s->module_.forward(args);
        }
      }
      s->stream_.synchronize();
      if (graphs) PT_RETURN_IF_ERROR(s->capture_graphs());
    } catch (const c10::Error& e) {
      return internal_error("detector model '" + config.model_path +
                            "': libtorch session set-up failed: " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      return internal_error("detector model '" + config.model_path +
                            "': libtorch session set-up failed: " + e.what());
    }
    return std::unique_ptr<Detector>(std::move(s));
  }

  DetectorCaps caps() const override {
    DetectorCaps c = torch_caps(place_, config_, meta_);
#if PITCHTRACK_TORCH_CUDA
    c.cuda_graphs = !graphs_.empty();
#endif
    return c;
  }
  DetectorTimings last_timings() const override { return timings_; }
  double gpu_memory_mb() const override { return place_.cuda ? cuda_memory_used_mb() : -1.0; }

  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    timings_ = {};
    PT_RETURN_IF_ERROR(check_frames(frames));
    std::vector<std::vector<Detection>> results;
    results.reserve(frames.size());
    c10::InferenceMode guard;
    [[maybe_unused]] const auto on_stream = stream_.use();
    for (size_t start = 0; start < frames.size(); start += static_cast<size_t>(config_.max_batch)) {
      const size_t n = std::min(frames.size() - start, static_cast<size_t>(config_.max_batch));
      Status s = Status::ok();
      try {
        s = run_batch(frames.subspan(start, n), results);
      } catch (const c10::Error& e) {
        s = internal_error("detect: libtorch failed on model '" + config_.model_path +
                           "': " + e.what_without_backtrace());
      } catch (const std::exception& e) {
        s = internal_error("detect: libtorch failed on model '" + config_.model_path + "': " + e.what());
      }
      PT_RETURN_IF_ERROR(s);
    }
    return results;
  }

 private:
  TorchSession(torch::jit::Module module, CenterNetMeta meta, DetectorConfig config, Placement place)
      : module_(std::move(module)),
        meta_(std::move(meta)),
        config_(std::move(config)),
        place_(place),
        stream_(place.cuda) {
    host_threads_ = static_cast<int>(std::clamp(std::thread::hardware_concurrency() / 2, 1u, 8u));
  }

  // CUDA batch buckets: powers of two below max_batch, and max_batch.
  int64_t bucket(int64_t n) const {
    int64_t b = 1;
    while (b < n) b *= 2;
    return std::min<int64_t>(b, config_.max_batch);
  }
  std::vector<int64_t> warm_shapes() const {
    std::vector<int64_t> shapes;
    if (place_.cuda) {
      for (int64_t b = 1; b < config_.max_batch; b *= 2) shapes.push_back(b);
    }
    shapes.push_back(config_.max_batch);
    return shapes;
  }

  // detector.cuda_graphs: each bucket's forward pass captured once (after the warm-up, so cuDNN
  // has chosen its algorithms and the TorchScript executor its plan) and replayed per batch: one
  // graph launch instead of a launch per layer, so a busy CPU delays the batch less. The graphs
  // read input_ (a fixed address) and write their own output tensor; they share one memory pool,
  // which is safe because a session replays one at a time and copies the output out before the
  // next. Relaxed capture mode: cuDNN may allocate its own device memory during a capture
  // (thread-local mode failed there with CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED on
  // the H100 host), and other threads' CUDA work (decoders, keypoint nets) goes on meanwhile. A
  // failed capture is an error naming the option: libtorch's allocator may still count the
  // capture as under way afterwards, so the session is not used.
  Status capture_graphs() {
#if PITCHTRACK_TORCH_CUDA
    using PoolId = decltype(std::declval<at::cuda::CUDAGraph&>().pool());
    std::optional<PoolId> pool;
    // Largest batch first: the smaller graphs' tensors then fit into blocks the larger capture
    // left free in the shared pool. In ascending order every bucket added its own blocks and the
    // pools of 2 sessions at max_batch 16 held ~0.44 GB more than per-layer launches.
    std::vector<int64_t> shapes = warm_shapes();
    std::sort(shapes.rbegin(), shapes.rend());
    for (const int64_t b : shapes) {
      auto graph = std::make_unique<at::cuda::CUDAGraph>();
      try {
        graph->capture_begin(pool.value_or(PoolId{0, 0}), cudaStreamCaptureModeRelaxed);
        torch::jit::IValue out;
        try {
          std::vector<torch::jit::IValue> args{input_.narrow(0, 0, b)};
          out = module_.forward(args);
        } catch (...) {
          try {
            graph->capture_end();  // ends the (invalidated) capture on the stream
          } catch (...) {
          }
          throw;
        }
        graph->capture_end();
        if (!out.isTensor()) throw std::runtime_error("the forward pass returned a " + out.tagKind());
        if (!pool) pool = graph->pool();
        graph->replay();  // a first replay outside the capture (CUDA uploads the graph then)
        graphs_[b] = Captured{std::move(graph), out.toTensor()};
      } catch (const std::exception& e) {
        return internal_error("detector model '" + config_.model_path +
                              "': detector.cuda_graphs: capturing the forward pass of batch " +
                              std::to_string(b) + " failed (" + first_line(e.what()) +
                              "); set detector.cuda_graphs: false");
      }
    }
    stream_.synchronize();
    // The warm-up's activations stay cached for this session's stream, but the replays use the
    // graphs' own pool: hand them back.
    c10::cuda::CUDACachingAllocator::emptyCache();
    return Status::ok();
#else
    return unsupported("detector.cuda_graphs: this libtorch build has no CUDA");
#endif
  }

  // The model's forward pass over the first n slots of input_: a captured graph's replay when
  // there is one for n, else the TorchScript module.
  torch::jit::IValue forward(int64_t n) {
#if PITCHTRACK_TORCH_CUDA
    if (auto it = graphs_.find(n); it != graphs_.end()) {
      it->second.graph->replay();
      return it->second.output;
    }
#endif
    std::vector<torch::jit::IValue> args{input_.narrow(0, 0, n)};
    return module_.forward(args);
  }

  torch::Device device() const {
    return place_.cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  }
  float pad_value() const { return static_cast<float>(meta_.pad_value) * (1.0f / 255.0f); }

  void allocate() {
    const int64_t b = config_.max_batch, h = meta_.input_height, w = meta_.input_width;
    const auto dtype = place_.fp16 ? torch::kHalf : torch::kFloat;
    input_ = torch::full({b, 3, h, w}, pad_value(), torch::TensorOptions().dtype(dtype).device(device()));
    const auto out_opts = torch::TensorOptions().dtype(torch::kFloat).pinned_memory(place_.cuda);
    output_host_ = torch::empty({b, kCenterNetChannels, h / meta_.stride, w / meta_.stride}, out_opts);
    if (!place_.cuda) staging_ = torch::empty({b, h, w, 3}, torch::TensorOptions().dtype(torch::kUInt8));
    scales_.assign(static_cast<size_t>(b), 1.0f);
  }

  // CPU: OpenCV letterbox into the uint8 staging slots, then one convert + scale into input_.
  void preprocess_cpu(std::span<const Frame> frames) {
    const int64_t n = static_cast<int64_t>(frames.size());
    const size_t row_bytes = static_cast<size_t>(meta_.input_width) * 3;
    for (size_t i = 0; i < frames.size(); ++i) {
      uint8_t* slot = staging_[static_cast<int64_t>(i)].data_ptr<uint8_t>();
      scales_[i] =
          letterbox_into(frames[i], meta_.input_width, meta_.input_height, meta_.pad_value, slot, row_bytes);
    }
    torch::Tensor in = input_.narrow(0, 0, n);
    in.copy_(staging_.narrow(0, 0, n).permute({0, 3, 1, 2}));
    in.mul_(1.0f / 255.0f);  // the float factor OpenCV's blobFromImages multiplies by
  }

  // CUDA: runs of equally sized frames are uploaded together and letterboxed on the GPU.
  void preprocess_cuda(std::span<const Frame> frames) {
    size_t a = 0;
    while (a < frames.size()) {
      size_t b = a + 1;
      while (b < frames.size() && frames[b].width() == frames[a].width() &&
             frames[b].height() == frames[a].height()) {
        ++b;
      }
      letterbox_run_cuda(frames.subspan(a, b - a), static_cast<int64_t>(a));
      a = b;
    }
    stream_.synchronize();  // host buffers free again; preprocess time includes the GPU's
  }

  void letterbox_run_cuda(std::span<const Frame> frames, int64_t first) {
    const int fw = frames[0].width(), fh = frames[0].height();
    const int64_t m = static_cast<int64_t>(frames.size());
    const size_t row_bytes = static_cast<size_t>(fw) * 3;
    if (upload_dev_.numel() == 0 || upload_dev_.size(1) != fh || upload_dev_.size(2) != fw) {
      // Reallocated only when the frame size changes; the caching allocators of libtorch make
      // even that cheap after the first time.
      upload_dev_ = torch::empty({std::min<int64_t>(config_.max_batch, kLetterboxChunk), fh, fw, 3},
                                 torch::TensorOptions().dtype(torch::kUInt8).device(device()));
    }
    // Frames in page-locked memory with unpadded rows (detector.pin_frames) upload straight from
    // their own buffers by DMA; the others are first copied into the pinned staging buffer.
    const bool direct = std::all_of(frames.begin(), frames.end(), [&](const Frame& f) {
      return f.pinned() && static_cast<size_t>(f.stride_bytes()) == row_bytes;
    });
    if (!direct) {
      if (upload_host_.numel() == 0 || upload_host_.size(1) != fh || upload_host_.size(2) != fw) {
        upload_host_ = torch::empty({config_.max_batch, fh, fw, 3},
                                    torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(true));
      }
      // A batch mixing frame sizes comes in several runs that share the pinned buffer: the
      // previous run's uploads must have left it before this run's rows go in.
      if (first > 0) stream_.synchronize();
      // Rows into the pinned buffer; large batches on a few threads (on the H100 host one thread
      // copies 32 frames of 1280x720 in ~10 ms, 8 threads in ~3 ms; at::parallel_for did not
      // speed it up there).
      uint8_t* host = upload_host_.data_ptr<uint8_t>();
      const size_t bytes = row_bytes * static_cast<size_t>(fh * m);
      const int copiers = bytes >= kParallelCopyBytes ? host_threads_ : 1;
      parallel_chunks(m * fh, copiers, [&](int, int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k) {
          const int64_t i = k / fh, y = k % fh;
          std::memcpy(host + static_cast<size_t>(k) * row_bytes,
                      frames[static_cast<size_t>(i)].row(static_cast<int>(y)), row_bytes);
        }
      });
    }
    const LetterboxGeometry g = letterbox_geometry(fw, fh, meta_.input_width, meta_.input_height);
    // Upload and conversion run kLetterboxChunk frames at a time, in the input's precision: the
    // device copy of the frames and the temporaries (the frames at full size in fp16/fp32, then
    // resized) are what the caching allocator keeps. At batch 32 of 1080p in fp32 that was
    // 1.3 GB; 8 frames in fp16 need 0.19 GB. The chunks queue on the session's one stream, so
    // chunk c+1's upload into the same buffer waits for chunk c's conversion on the GPU.
    for (int64_t c = 0; c < m; c += kLetterboxChunk) {
      const int64_t k = std::min(kLetterboxChunk, m - c);
      torch::Tensor dev = upload_dev_.narrow(0, 0, k);
      if (direct) {
        // The frames stay alive until preprocess_cuda() has waited for the stream.
        for (int64_t j = 0; j < k; ++j) {
          const Frame& f = frames[static_cast<size_t>(c + j)];
          dev[j].copy_(torch::from_blob(const_cast<uint8_t*>(f.data()), {fh, fw, 3}, torch::kUInt8),
                       /*non_blocking=*/true);
        }
      } else {
        dev.copy_(upload_host_.narrow(0, c, k), /*non_blocking=*/true);
      }
      torch::Tensor x = dev.permute({0, 3, 1, 2}).to(input_.scalar_type());  // [k,3,fh,fw] BGR
      if (g.width != fw || g.height != fh) {
        x = at::upsample_bilinear2d(x, {g.height, g.width}, /*align_corners=*/false);
      }
      x.mul_(1.0f / 255.0f);
      input_.narrow(0, first + c, k).narrow(2, 0, g.height).narrow(3, 0, g.width).copy_(x);
    }
    torch::Tensor slots = input_.narrow(0, first, m);
    if (g.width < meta_.input_width) slots.narrow(3, g.width, meta_.input_width - g.width).fill_(pad_value());
    if (g.height < meta_.input_height) {
      slots.narrow(2, g.height, meta_.input_height - g.height).narrow(3, 0, g.width).fill_(pad_value());
    }
    for (int64_t i = 0; i < m; ++i) scales_[static_cast<size_t>(first + i)] = g.scale;
  }

  Status run_batch(std::span<const Frame> frames, std::vector<std::vector<Detection>>& results) {
    const int64_t n = static_cast<int64_t>(frames.size());
    auto t0 = Clock::now();
    if (place_.cuda) {
      preprocess_cuda(frames);
    } else {
      preprocess_cpu(frames);
    }
    timings_.preprocess_ms += ms_since(t0);

    t0 = Clock::now();
    // CUDA runs the batch at its bucket size (the slots past n hold stale frames whose outputs
    // are ignored): a shared detector sees every batch size from 1 to max_batch, and each new
    // input shape costs the TorchScript executor and cuDNN a one-off set-up of up to a second.
    const int64_t run_n = place_.cuda ? bucket(n) : n;
    const torch::jit::IValue out = forward(run_n);
    stream_.synchronize();
    timings_.inference_ms += ms_since(t0);

    t0 = Clock::now();
    if (!out.isTensor()) {
      return internal_error("detect: model output is a " + out.tagKind() + ", want one tensor [N, 8, H/" +
                            std::to_string(meta_.stride) + ", W/" + std::to_string(meta_.stride) + "]");
    }
    PT_RETURN_IF_ERROR(check_centernet_output(as_span(out.toTensor().sizes()), run_n, meta_));
    const torch::Tensor t = out.toTensor().narrow(0, 0, n);
    torch::Tensor host;
    if (place_.cuda) {
      host = output_host_.narrow(0, 0, n);
      // half -> float on the device, then one copy into pinned memory (a mixed-dtype copy_ across
      // devices goes through a pageable temporary and converts on the CPU: 6.5 ms instead of 1.4 ms
      // at batch 8 on the H100).
      host.copy_(t.to(torch::kFloat));
    } else {
      host = t.to(torch::kFloat).contiguous();
    }
    // Decoding: the shared CPU decoder; with CUDA, large batches split over a few threads.
    const int decoders = place_.cuda && n >= kParallelDecodeFrames ? host_threads_ : 1;
    const int64_t per_image = t.size(1) * t.size(2) * t.size(3);
    std::vector<std::vector<std::vector<Detection>>> parts(static_cast<size_t>(std::max(1, decoders)));
    parallel_chunks(n, decoders, [&](int chunk, int64_t begin, int64_t end) {
      decode_centernet_batch(host.data_ptr<float>() + begin * per_image, t.size(2), t.size(3), meta_, config_,
                             frames.subspan(static_cast<size_t>(begin), static_cast<size_t>(end - begin)),
                             std::span<const float>(scales_.data() + begin, static_cast<size_t>(end - begin)),
                             parts[static_cast<size_t>(chunk)]);
    });
    for (auto& part : parts) {
      for (auto& dets : part) results.push_back(std::move(dets));
    }
    timings_.postprocess_ms += ms_since(t0);
    return Status::ok();
  }

  torch::jit::Module module_;
  CenterNetMeta meta_;
  DetectorConfig config_;
  Placement place_;
  SessionStream stream_;       // CUDA: this session's own stream (cuda_session_stream.hpp)
  torch::Tensor input_;        // [max_batch,3,H,W] on the device, fp32 or fp16
  torch::Tensor output_host_;  // [max_batch,8,H/4,W/4] float on the host (pinned with CUDA)
  torch::Tensor staging_;      // CPU: [max_batch,H,W,3] uint8 letterboxed frames
  torch::Tensor upload_host_;  // CUDA: [max_batch,h,w,3] uint8 pinned, the last frame size
  torch::Tensor upload_dev_;   // CUDA: [min(max_batch, 8),h,w,3] uint8 on the device, one chunk
  std::vector<float> scales_;  // letterbox scale per batch slot
  int host_threads_ = 1;       // CUDA: threads for large uploads and decodes
  DetectorTimings timings_;
#if PITCHTRACK_TORCH_CUDA
  struct Captured {
    std::unique_ptr<at::cuda::CUDAGraph> graph;
    torch::Tensor output;  // written by each replay
  };
  std::map<int64_t, Captured> graphs_;  // detector.cuda_graphs: by batch bucket
#endif
};

class TorchModel final : public DetectorModel {
 public:
  TorchModel(std::string bytes, CenterNetMeta meta, DetectorConfig config, Placement place)
      : bytes_(std::move(bytes)), meta_(std::move(meta)), config_(std::move(config)), place_(place) {}

  DetectorCaps caps() const override { return torch_caps(place_, config_, meta_); }

  Result<std::unique_ptr<Detector>> create_session() const override {
    return TorchSession::create(bytes_, meta_, config_, place_, config_.warmup_runs);
  }

  // One batch-1 forward on a black frame of the input size, so a model that does not load, does
  // not run, or answers with the wrong shape fails here, at load time, with its name.
  Status validate() const {
    DetectorConfig probe_config = config_;
    probe_config.max_batch = 1;
    probe_config.cuda_graphs = false;  // the probe runs once: nothing to replay
    PT_ASSIGN_OR_RETURN(auto session,
                        TorchSession::create(bytes_, meta_, probe_config, place_, /*warmup_runs=*/0));
    const Frame f = uniform_frame(meta_.input_width, meta_.input_height, 0);
    auto r = session->detect(std::span<const Frame>(&f, 1));
    if (!r.is_ok()) return r.status().with_context("detector model '" + config_.model_path + "'");
    return Status::ok();
  }

 private:
  std::string bytes_;
  CenterNetMeta meta_;
  DetectorConfig config_;
  Placement place_;
};

}  // namespace

bool torch_cuda_available() {
  try {
    return torch::cuda::is_available();
  } catch (const c10::Error&) {
    return false;
  }
}

Result<std::shared_ptr<const DetectorModel>> load_torch_model(const DetectorConfig& config) {
  namespace fs = std::filesystem;
  const std::string& path = config.model_path;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return not_found("detector model '" + path + "': no such file");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return invalid_argument("detector model '" + path + "': file is empty");
  PT_ASSIGN_OR_RETURN(CenterNetMeta meta, load_centernet_meta(config));
  PT_ASSIGN_OR_RETURN(Placement place, resolve_placement(config));
  if (config.warmup_runs < 0) return invalid_argument("detector.warmup_runs must be >= 0");
  if (config.threads > 0) at::set_num_threads(config.threads);
  if (config.gpu_memory_limit_mb < 0) return invalid_argument("detector.gpu_memory_limit_mb must be >= 0");
  if (place.cuda) PT_RETURN_IF_ERROR(apply_cuda_wait(config.cuda_wait));
  auto model = std::make_shared<TorchModel>(std::move(bytes), std::move(meta), config, place);
  PT_RETURN_IF_ERROR(model->validate());
  // After validate(): libtorch's CUDA allocator exists only once something was allocated on the
  // device. CPU: nothing to cap.
#if PITCHTRACK_TORCH_CUDA
  // The probe session's blocks stay cached for a stream nothing uses again (libtorch caches per
  // stream) and would count against the cap: hand them back first.
  if (place.cuda) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  if (place.cuda) PT_RETURN_IF_ERROR(apply_gpu_memory_limit(config.gpu_memory_limit_mb));
#if PITCHTRACK_SESSION_STREAMS
  // Frame pools made from now on allocate page-locked buffers (process-wide).
  if (place.cuda && config.pin_frames) set_frame_host_allocator(PinnedFrameMemory::allocator());
#endif
  return std::shared_ptr<const DetectorModel>(std::move(model));
}

}  // namespace pitchtrack::detect
