// Frame: one decoded video picture, BGR8, immutable pixels, shared by reference count.
//
// Contract: copying a Frame is shallow (O(1), shares the pixels); clone() deep-copies. Pixels
// never change once a Frame exists: writers fill a MutableFrame from a FramePool and freeze()
// it. Timing metadata (index, pts_us, arrival_us, decode_us) is per copy. A frame from a pool returns its
// buffer to the pool when the last copy dies, even from another thread, and even after the
// pool object itself is gone (the buffer is then freed).
// Units: pts_us = presentation time in microseconds, monotonic within a source, 0 at the first
// frame; arrival_us = Clock time when the reader got the frame (latency is measured from it);
// decode_us = the source's decode + colour-conversion work for it (the pipeline's "decode"
// stage; AsyncVideoReader adds the work of the frames it skipped before it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace pitchtrack {

namespace detail {
struct FrameStorage;
struct FramePoolState;
}  // namespace detail

class Frame {
 public:
  Frame() = default;

  // Copies `height` rows of `width*3` bytes from `bgr` (rows `stride_bytes` apart).
  static Frame copy_from(const uint8_t* bgr, int width, int height, int stride_bytes);

  bool empty() const { return storage_ == nullptr; }
  int width() const;
  int height() const;
  int stride_bytes() const;  // bytes between rows (>= width*3, rows are 64-byte aligned)
  const uint8_t* data() const;
  const uint8_t* row(int y) const { return data() + static_cast<ptrdiff_t>(y) * stride_bytes(); }
  long use_count() const { return storage_.use_count(); }
  // True when the pixels are in page-locked host memory (a FramePool buffer made while a
  // page-locked FrameHostAllocator was registered): a GPU can copy them by DMA, asynchronously.
  bool pinned() const;
  bool shares_pixels_with(const Frame& other) const { return storage_ == other.storage_; }

  Frame clone() const;  // deep copy of pixels and metadata, not pooled

  int64_t index = -1;      // position in the source's decoded sequence (0-based)
  int64_t pts_us = 0;      // presentation time, microseconds
  int64_t arrival_us = 0;  // Clock time when the reader got it, microseconds
  int64_t decode_us = 0;   // wall time the source spent decoding + converting it, us; 0: unknown

 private:
  friend class MutableFrame;
  explicit Frame(std::shared_ptr<const detail::FrameStorage> s) : storage_(std::move(s)) {}
  std::shared_ptr<const detail::FrameStorage> storage_;
};

// A writable buffer from a FramePool (or a plain allocation); freeze() turns it into a Frame.
class MutableFrame {
 public:
  MutableFrame(int width, int height);  // unpooled
  MutableFrame(MutableFrame&&) noexcept = default;
  MutableFrame& operator=(MutableFrame&&) noexcept = default;
  ~MutableFrame();

  int width() const;
  int height() const;
  int stride_bytes() const;
  uint8_t* data();
  uint8_t* row(int y) { return data() + static_cast<ptrdiff_t>(y) * stride_bytes(); }
  bool pinned() const;  // see Frame::pinned()

  Frame freeze() &&;

 private:
  friend class FramePool;
  explicit MutableFrame(std::shared_ptr<detail::FrameStorage> s) : storage_(std::move(s)) {}
  std::shared_ptr<detail::FrameStorage> storage_;
};

// A width x height frame with every byte set to `value` (warm-up and probe inputs). Its buffer
// comes from frame_host_allocator() like a reader's, so a warm-up takes the path real frames take.
Frame uniform_frame(int width, int height, uint8_t value);

// Where FramePool buffers come from. By default 64-byte aligned heap memory. A CUDA build
// registers page-locked memory (the torch detector on CUDA with detector.pin_frames) so decoded
// frames upload to the GPU straight from the reader's buffer, without a staging copy.
// alloc returns nullptr on failure (the pool then falls back to the heap); free must accept
// what alloc returned, from any thread, at any time (also after the GPU work has ended).
struct FrameHostAllocator {
  const char* name = "heap";
  void* (*alloc)(size_t bytes) = nullptr;
  void (*free)(void* p) = nullptr;
  bool pinned = false;  // the memory is page-locked
};
// Process-wide; nullptr restores the heap. Buffers keep the allocator that made them (they are
// freed by it), so switching affects only buffers allocated afterwards. `a` must outlive them.
void set_frame_host_allocator(const FrameHostAllocator* a);
const FrameHostAllocator* frame_host_allocator();  // nullptr: the heap

// A pool of equally sized BGR8 buffers. Thread-safe. acquire() reuses a free buffer or
// allocates a new one (from frame_host_allocator()); at most `max_free` idle buffers are kept.
class FramePool {
 public:
  struct Stats {
    int64_t allocated = 0;  // buffers ever allocated by this pool
    int64_t reused = 0;     // acquisitions served from the free list
    int64_t free = 0;       // idle buffers held now
  };

  FramePool(int width, int height, size_t max_free = 16);
  ~FramePool();
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  MutableFrame acquire();
  Stats stats() const;
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  int width_;
  int height_;
  std::shared_ptr<detail::FramePoolState> state_;
};

}  // namespace pitchtrack
