#include "pitchtrack/core/frame.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace pitchtrack {
namespace {

Frame filled(FramePool& pool, uint8_t value) {
  MutableFrame m = pool.acquire();
  for (int y = 0; y < m.height(); ++y) std::memset(m.row(y), value, m.width() * 3);
  return std::move(m).freeze();
}

TEST(Frame, CopyIsShallowCloneIsDeep) {
  FramePool pool(8, 4);
  Frame a = filled(pool, 7);
  a.index = 3;
  a.pts_us = 120000;
  Frame b = a;
  EXPECT_TRUE(b.shares_pixels_with(a));
  EXPECT_EQ(a.use_count(), 2);
  Frame c = a.clone();
  EXPECT_FALSE(c.shares_pixels_with(a));
  EXPECT_EQ(c.index, 3);
  EXPECT_EQ(c.pts_us, 120000);
  EXPECT_EQ(c.width(), 8);
  EXPECT_EQ(c.height(), 4);
  EXPECT_EQ(std::memcmp(c.row(3), a.row(3), 24), 0);
  EXPECT_GE(a.stride_bytes(), 24);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u);
}

TEST(Frame, EmptyFrame) {
  Frame f;
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.width(), 0);
  EXPECT_TRUE(f.clone().empty());
}

TEST(FramePool, ReusesBuffersAfterRelease) {
  FramePool pool(16, 16, 2);
  for (int i = 0; i < 100; ++i) {
    Frame f = filled(pool, static_cast<uint8_t>(i));
    EXPECT_EQ(f.row(15)[47], static_cast<uint8_t>(i));
  }
  const auto s = pool.stats();
  EXPECT_EQ(s.allocated, 1);  // steady state: one buffer recycled 99 times
  EXPECT_EQ(s.reused, 99);
}

TEST(FramePool, KeepsAtMostMaxFreeAndSurvivesPoolDestruction) {
  Frame survivor;
  {
    FramePool pool(4, 4, 2);
    std::vector<Frame> held;
    for (int i = 0; i < 5; ++i) held.push_back(filled(pool, 1));
    EXPECT_EQ(pool.stats().allocated, 5);
    survivor = held[0];
    held.clear();
    EXPECT_EQ(pool.stats().free, 2);
  }
  // The pool is gone; the frame still owns valid pixels and frees them on its own.
  EXPECT_EQ(survivor.row(3)[11], 1);
}

TEST(FramePool, FramesReturnFromOtherThreads) {
  FramePool pool(32, 32, 8);
  std::vector<Frame> frames;
  for (int i = 0; i < 8; ++i) frames.push_back(filled(pool, 2));
  std::thread t([f = std::move(frames)]() mutable { f.clear(); });
  t.join();
  EXPECT_EQ(pool.stats().free, 8);
}

// A counting stand-in for the page-locked allocator a CUDA build registers.
struct CountingAllocator {
  static inline int allocs = 0;
  static inline int frees = 0;
  static inline bool fail = false;
  static void* alloc(size_t bytes) {
    if (fail) return nullptr;
    ++allocs;
    return std::aligned_alloc(64, bytes);
  }
  static void release(void* p) {
    ++frees;
    std::free(p);
  }
  static inline const FrameHostAllocator kAllocator{"counting", &alloc, &release, true};
};

// Restores the heap when a test ends, however it ends.
struct AllocatorScope {
  explicit AllocatorScope(const FrameHostAllocator* a) { set_frame_host_allocator(a); }
  ~AllocatorScope() { set_frame_host_allocator(nullptr); }
};

TEST(FrameHostAllocator, PoolBuffersComeFromTheRegisteredAllocatorAndGoBackToIt) {
  CountingAllocator::allocs = CountingAllocator::frees = 0;
  Frame heap_frame;
  Frame pinned_frame;
  {
    FramePool pool(16, 8, 1);
    heap_frame = filled(pool, 1);  // made before the registration: heap
    {
      AllocatorScope scope(&CountingAllocator::kAllocator);
      EXPECT_EQ(frame_host_allocator(), &CountingAllocator::kAllocator);
      pinned_frame = filled(pool, 2);
      Frame second = filled(pool, 3);
      EXPECT_EQ(CountingAllocator::allocs, 2);
      EXPECT_TRUE(pinned_frame.pinned());
      EXPECT_TRUE(second.pinned());
      EXPECT_EQ(reinterpret_cast<uintptr_t>(second.data()) % 64, 0u);
      // Clones never use it; uniform frames (warm-up inputs) do, like a reader's frames.
      EXPECT_FALSE(pinned_frame.clone().pinned());
      EXPECT_TRUE(uniform_frame(4, 4, 0).pinned());
      EXPECT_EQ(CountingAllocator::frees, 1);  // the uniform frame's buffer, freed with it
    }                                          // `second` went back to the pool's free list (1 kept)
    EXPECT_EQ(frame_host_allocator(), nullptr);
    EXPECT_EQ(CountingAllocator::frees, 1);
    EXPECT_FALSE(heap_frame.pinned());
    // Reused after the unregistration: still the allocator's buffer, still pinned.
    Frame reused = filled(pool, 4);
    EXPECT_TRUE(reused.pinned());
    EXPECT_EQ(pool.stats().reused, 1);
  }  // pool gone: its idle buffer is freed by the allocator that made it
  EXPECT_EQ(CountingAllocator::frees, 2);
  pinned_frame = Frame();
  EXPECT_EQ(CountingAllocator::frees, 3);
  EXPECT_EQ(heap_frame.row(7)[47], 1);
}

TEST(FrameHostAllocator, AFailingAllocatorFallsBackToTheHeap) {
  CountingAllocator::allocs = CountingAllocator::frees = 0;
  CountingAllocator::fail = true;
  {
    AllocatorScope scope(&CountingAllocator::kAllocator);
    FramePool pool(8, 8, 2);
    Frame f = filled(pool, 9);
    EXPECT_FALSE(f.pinned());
    EXPECT_EQ(f.row(7)[23], 9);
  }
  CountingAllocator::fail = false;
  EXPECT_EQ(CountingAllocator::allocs, 0);
  EXPECT_EQ(CountingAllocator::frees, 0);
}

}  // namespace
}  // namespace pitchtrack
