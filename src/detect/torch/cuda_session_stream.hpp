// CUDA stream and wait policy of the libtorch sessions (internal; included only by the
// pitchtrack_detect_torch translation units, which see libtorch's headers).
//
// - SessionStream: each libtorch session issues its work on a stream from libtorch's pool (the
//   detector its own, the keypoint nets and frame conversions one shared stream) instead of the
//   legacy default stream, and waits for its own work only. On the default stream every session's kernels
//   queue behind every other session's, and torch::cuda::synchronize() waits for the whole device: with 32
//   streams' keypoint nets and the shared detector in one process, a keypoint frame waited for detector
//   batches it has nothing to do with. On the CPU (or a libtorch without the CUDA runtime headers) it is a
//   no-op scope and synchronize() falls back to the device-wide wait.
// - apply_cuda_wait(mode): how a host thread waits for the GPU, process-wide, set before the first
//   CUDA context: "block" (cudaDeviceScheduleBlockingSync: the waiting thread sleeps; the CPU is
//   free for the streams' decoding and tracking) or "spin" (cudaDeviceScheduleSpin, what CUDA's
//   default does with fewer contexts than cores: the waiting thread busy-polls, a few
//   microseconds sooner awake but one core burnt per waiter). Session events are created with
//   cudaEventBlockingSync in block mode, so event waits sleep too. The first call decides; later calls asking
//   for something else get a kFailedPrecondition naming both. "" means "block unless already set". Where the
//   driver refuses the flag (a context already active), a warning says so and the process keeps the context's
//   own flags.
#pragma once

#include <torch/cuda.h>

#include <cstdio>

#include <map>
#include <mutex>
#include <optional>
#include <string>

#if PITCHTRACK_TORCH_CUDA && PITCHTRACK_HAVE_CUDART
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#define PITCHTRACK_SESSION_STREAMS 1
#else
#define PITCHTRACK_SESSION_STREAMS 0
#endif

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack::detect {

// The process's wait mode once apply_cuda_wait() ran ("" before).
inline std::string& cuda_wait_state() {
  static std::string applied;
  return applied;
}

#if PITCHTRACK_SESSION_STREAMS
// Event flags matching the wait mode: a blocking-sync event makes cudaEventSynchronize sleep.
inline unsigned cuda_event_flags() {
  return cudaEventDisableTiming |
         (cuda_wait_state() == "spin" ? 0u : static_cast<unsigned>(cudaEventBlockingSync));
}
#endif

class SessionStream {
 public:
  // kOwn: a stream of its own from libtorch's pool (the shared detector: large batches, waited
  // for as a whole). kShared: one stream for the process's small per-stream work (keypoint nets,
  // frame conversions): libtorch's caching allocator keeps a separate cache per stream, so 32
  // streams' keypoint nets on 32 streams held ~0.8 GB more than on one. A kShared session waits
  // only for its own work, through an event recorded after it.
  enum class Kind { kOwn, kShared };

  SessionStream() = default;
  explicit SessionStream(bool cuda, Kind kind = Kind::kOwn) : cuda_(cuda) {
#if PITCHTRACK_SESSION_STREAMS
    if (!cuda_) return;
    if (kind == Kind::kOwn) {
      stream_.emplace(c10::cuda::getStreamFromPool(/*isHighPriority=*/false));
    } else {
      static const c10::cuda::CUDAStream shared = c10::cuda::getStreamFromPool(/*isHighPriority=*/false);
      stream_.emplace(shared);
      if (cudaEventCreateWithFlags(&event_, cuda_event_flags()) != cudaSuccess) {
        (void)cudaGetLastError();
        event_ = nullptr;  // synchronize() then waits for the whole shared stream
      }
    }
#else
    (void)kind;
#endif
  }
  ~SessionStream() {
#if PITCHTRACK_SESSION_STREAMS
    if (event_ != nullptr) (void)cudaEventDestroy(event_);
#endif
  }
  SessionStream(const SessionStream&) = delete;
  SessionStream& operator=(const SessionStream&) = delete;

  // Makes the session's stream current on the calling thread until the scope ends.
  class Scope {
   public:
    explicit Scope(const SessionStream& s) {
#if PITCHTRACK_SESSION_STREAMS
      if (s.stream_) guard_.emplace(*s.stream_);
#else
      (void)s;
#endif
    }

   private:
#if PITCHTRACK_SESSION_STREAMS
    std::optional<c10::cuda::CUDAStreamGuard> guard_;
#endif
  };
  Scope use() const { return Scope(*this); }

  // Waits for the work issued on this session's stream so far (CPU: nothing to wait for).
  void synchronize() const {
    mark();
    wait_marked();
  }
  // mark() notes the work issued on the stream so far; wait_marked() then waits for that work
  // only, even when other threads have issued more on the shared stream since. Without a mark
  // (kOwn, or the event call failed) wait_marked() waits for the whole stream.
  void mark() const {
#if PITCHTRACK_SESSION_STREAMS
    marked_ = cuda_ && event_ != nullptr && cudaEventRecord(event_, stream_->stream()) == cudaSuccess;
    if (cuda_ && event_ != nullptr && !marked_) (void)cudaGetLastError();  // that call's error only
#endif
  }
  void wait_marked() const {
    if (!cuda_) return;
#if PITCHTRACK_SESSION_STREAMS
    if (marked_ && cudaEventSynchronize(event_) == cudaSuccess) return;
    if (marked_) (void)cudaGetLastError();  // then the whole-stream wait
    stream_->synchronize();
#else
    torch::cuda::synchronize();
#endif
  }

#if PITCHTRACK_SESSION_STREAMS
  // The raw stream (null on the CPU), for work issued outside libtorch.
  cudaStream_t raw() const { return stream_ ? stream_->stream() : nullptr; }
#endif

 private:
  bool cuda_ = false;
#if PITCHTRACK_SESSION_STREAMS
  std::optional<c10::cuda::CUDAStream> stream_;
  cudaEvent_t event_ = nullptr;
  mutable bool marked_ = false;  // mark() recorded event_ (one thread at a time per session)
#endif
};

inline Status apply_cuda_wait(const std::string& mode) {
  static std::mutex mutex;
  std::string& applied = cuda_wait_state();  // "" until the first CUDA session
  if (!mode.empty() && mode != "block" && mode != "spin") {
    return invalid_argument("detector.cuda_wait must be block or spin, got '" + mode + "'");
  }
  std::lock_guard lock(mutex);
  const std::string want = mode.empty() ? (applied.empty() ? "block" : applied) : mode;
  if (!applied.empty()) {
    if (want != applied && applied != "default") {
      return failed_precondition("detector.cuda_wait '" + want + "': this process already waits with '" +
                                 applied + "' (set before the first CUDA model was loaded)");
    }
    return Status::ok();
  }
#if PITCHTRACK_SESSION_STREAMS
  const unsigned flags = want == "block" ? cudaDeviceScheduleBlockingSync : cudaDeviceScheduleSpin;
  const cudaError_t err = cudaSetDeviceFlags(flags);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();  // clear it: libtorch checks the sticky error state
    // No spdlog here: its fmt clashes with the fmt inside libtorch's include tree (GPU build).
    std::fprintf(
        stderr,
        "[warning] detector.cuda_wait '%s': cudaSetDeviceFlags failed (%s); host threads wait as the "
        "existing CUDA context says\n",
        want.c_str(), cudaGetErrorString(err));
    applied = "default";  // unknown: whatever the context was created with
    return Status::ok();
  }
#endif
  applied = want;
  return Status::ok();
}

#if PITCHTRACK_SESSION_STREAMS
// Page-locked host memory for FramePool buffers (detector.pin_frames): the GPU copies such a
// frame by DMA, asynchronously, so the detector uploads decoded frames straight from the
// reader's buffers and the NVDEC conversion downloads straight into them, with no staging copy
// on the CPU. cudaHostAlloc takes milliseconds and cudaFreeHost may wait for the device, so
// freed buffers are kept, by size, for the next allocation (at most kKeepBytes in all; pools
// hold their idle buffers themselves, so this cache only sees buffers of pools that went away
// or overflowed).
class PinnedFrameMemory {
 public:
  static const FrameHostAllocator* allocator() {
    static const FrameHostAllocator a{"cuda-pinned", &alloc, &release, true};
    return &a;
  }

 private:
  static constexpr size_t kKeepBytes = size_t{1} << 30;
  struct Cache {
    std::mutex mutex;
    std::map<void*, size_t> sizes;              // every live or cached block
    std::multimap<size_t, void*> free_by_size;  // cached blocks
    size_t free_bytes = 0;
  };
  static Cache& cache() {
    static auto* c = new Cache();  // never destroyed: frames may be freed during static teardown
    return *c;
  }
  static void* alloc(size_t bytes) {
    Cache& c = cache();
    {
      std::lock_guard lock(c.mutex);
      auto it = c.free_by_size.find(bytes);
      if (it != c.free_by_size.end()) {
        void* p = it->second;
        c.free_by_size.erase(it);
        c.free_bytes -= bytes;
        return p;
      }
    }
    void* p = nullptr;
    if (cudaHostAlloc(&p, bytes, cudaHostAllocPortable) != cudaSuccess) {
      (void)cudaGetLastError();  // clear it; the pool falls back to the heap
      return nullptr;
    }
    std::lock_guard lock(c.mutex);
    c.sizes[p] = bytes;
    return p;
  }
  static void release(void* p) {
    Cache& c = cache();
    {
      std::lock_guard lock(c.mutex);
      const auto it = c.sizes.find(p);
      const size_t bytes = it == c.sizes.end() ? 0 : it->second;
      if (bytes > 0 && c.free_bytes + bytes <= kKeepBytes) {
        c.free_by_size.emplace(bytes, p);
        c.free_bytes += bytes;
        return;
      }
      if (it != c.sizes.end()) c.sizes.erase(it);
    }
    // Outside the lock: cudaFreeHost may wait for the device.
    if (cudaFreeHost(p) != cudaSuccess) (void)cudaGetLastError();  // e.g. at exit, CUDA already unloaded
  }
};
#endif

}  // namespace pitchtrack::detect
