#include "pitchtrack/core/frame.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace pitchtrack {
namespace detail {

namespace {
constexpr size_t kAlign = 64;
int aligned_stride(int width) {
  const size_t row = static_cast<size_t>(width) * 3;
  return static_cast<int>((row + kAlign - 1) / kAlign * kAlign);
}
std::atomic<const FrameHostAllocator*> g_allocator{nullptr};

// Frees with the allocator that made the buffer (nullptr: the heap).
struct PixelFree {
  const FrameHostAllocator* allocator = nullptr;
  void operator()(uint8_t* p) const {
    if (allocator != nullptr) {
      allocator->free(p);
    } else {
      std::free(p);
    }
  }
};
}  // namespace

struct FrameStorage {
  // use_allocator: a FramePool buffer, from the registered allocator if there is one.
  FrameStorage(int w, int h, bool use_allocator = false) : width(w), height(h), stride(aligned_stride(w)) {
    const size_t bytes = std::max<size_t>(kAlign, static_cast<size_t>(stride) * static_cast<size_t>(h));
    const FrameHostAllocator* a = use_allocator ? g_allocator.load(std::memory_order_acquire) : nullptr;
    if (a != nullptr) {
      if (void* p = a->alloc(bytes)) {
        pixels = std::unique_ptr<uint8_t, PixelFree>(static_cast<uint8_t*>(p), PixelFree{a});
        pinned = a->pinned;
        return;
      }
    }
    void* p = std::aligned_alloc(kAlign, bytes);
    if (p == nullptr) throw std::bad_alloc();
    pixels = std::unique_ptr<uint8_t, PixelFree>(static_cast<uint8_t*>(p), PixelFree{});
  }
  int width;
  int height;
  int stride;
  bool pinned = false;
  std::unique_ptr<uint8_t, PixelFree> pixels;
};

struct FramePoolState {
  std::mutex mutex;
  std::vector<std::unique_ptr<FrameStorage>> free_list;
  size_t max_free = 0;
  int64_t allocated = 0;
  int64_t reused = 0;
};

}  // namespace detail

void set_frame_host_allocator(const FrameHostAllocator* a) {
  detail::g_allocator.store(a, std::memory_order_release);
}
const FrameHostAllocator* frame_host_allocator() {
  return detail::g_allocator.load(std::memory_order_acquire);
}

namespace {
// Wraps a storage in a shared_ptr whose deleter hands it back to the pool if the pool lives.
std::shared_ptr<detail::FrameStorage> make_pooled(std::unique_ptr<detail::FrameStorage> storage,
                                                  const std::shared_ptr<detail::FramePoolState>& pool) {
  std::weak_ptr<detail::FramePoolState> weak = pool;
  return std::shared_ptr<detail::FrameStorage>(storage.release(), [weak](detail::FrameStorage* s) {
    std::unique_ptr<detail::FrameStorage> owned(s);
    if (auto state = weak.lock()) {
      std::lock_guard lock(state->mutex);
      if (state->free_list.size() < state->max_free) state->free_list.push_back(std::move(owned));
    }
  });
}
}  // namespace

// ---- Frame ----
Frame Frame::copy_from(const uint8_t* bgr, int width, int height, int stride_bytes) {
  MutableFrame m(width, height);
  for (int y = 0; y < height; ++y) {
    std::memcpy(m.row(y), bgr + static_cast<ptrdiff_t>(y) * stride_bytes, static_cast<size_t>(width) * 3);
  }
  return std::move(m).freeze();
}
int Frame::width() const { return storage_ ? storage_->width : 0; }
int Frame::height() const { return storage_ ? storage_->height : 0; }
int Frame::stride_bytes() const { return storage_ ? storage_->stride : 0; }
const uint8_t* Frame::data() const { return storage_ ? storage_->pixels.get() : nullptr; }
bool Frame::pinned() const { return storage_ && storage_->pinned; }

Frame Frame::clone() const {
  if (empty()) return {};
  Frame out = copy_from(data(), width(), height(), stride_bytes());
  out.index = index;
  out.pts_us = pts_us;
  out.arrival_us = arrival_us;
  out.decode_us = decode_us;
  return out;
}

// ---- MutableFrame ----
MutableFrame::MutableFrame(int width, int height)
    : storage_(std::make_shared<detail::FrameStorage>(width, height)) {}
MutableFrame::~MutableFrame() = default;
int MutableFrame::width() const { return storage_->width; }
int MutableFrame::height() const { return storage_->height; }
int MutableFrame::stride_bytes() const { return storage_->stride; }
uint8_t* MutableFrame::data() { return storage_->pixels.get(); }
bool MutableFrame::pinned() const { return storage_->pinned; }
Frame MutableFrame::freeze() && { return Frame(std::move(storage_)); }

// ---- FramePool ----
FramePool::FramePool(int width, int height, size_t max_free)
    : width_(width), height_(height), state_(std::make_shared<detail::FramePoolState>()) {
  state_->max_free = max_free;
}
FramePool::~FramePool() = default;

MutableFrame FramePool::acquire() {
  std::unique_ptr<detail::FrameStorage> storage;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->free_list.empty()) {
      storage = std::move(state_->free_list.back());
      state_->free_list.pop_back();
      ++state_->reused;
    } else {
      ++state_->allocated;
    }
  }
  if (!storage) storage = std::make_unique<detail::FrameStorage>(width_, height_, /*use_allocator=*/true);
  return MutableFrame(make_pooled(std::move(storage), state_));
}

FramePool::Stats FramePool::stats() const {
  std::lock_guard lock(state_->mutex);
  return {state_->allocated, state_->reused, static_cast<int64_t>(state_->free_list.size())};
}

Frame uniform_frame(int width, int height, uint8_t value) {
  FramePool one(width, height, /*max_free=*/0);  // the registered allocator's memory, like a reader's
  MutableFrame m = one.acquire();
  std::memset(m.data(), value, static_cast<size_t>(m.stride_bytes()) * static_cast<size_t>(height));
  return std::move(m).freeze();
}

}  // namespace pitchtrack
