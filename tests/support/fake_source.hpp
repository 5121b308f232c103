// FakeSource: a scripted Source for reader and pipeline tests. Produces `count` solid frames
// with pts = i * frame_interval_us; can block before a given frame until released or
// interrupted (to simulate a stalled network), and can end with an error instead of EOS.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "pitchtrack/io/source.hpp"

namespace pitchtrack::testing {

struct FakeSourceOptions {
  int width = 64;
  int height = 48;
  int64_t count = 10;
  double fps = 25.0;
  bool live = false;
  int64_t block_before = -1;            // read() of this frame index blocks until release()/interrupt()
  Status end_status = end_of_stream();  // returned after the last frame
  const Clock* clock = nullptr;
};

class FakeSource final : public Source {
 public:
  explicit FakeSource(FakeSourceOptions options);
  const StreamInfo& info() const override { return info_; }
  Result<Frame> read(std::chrono::milliseconds timeout) override;
  void interrupt() override;
  SourceStats stats() const override;
  void release();  // unblocks a read waiting at block_before
  int64_t produced() const { return next_.load(); }
  bool blocked() const { return blocked_.load(); }

 private:
  FakeSourceOptions opt_;
  StreamInfo info_;
  FramePool pool_;
  std::atomic<int64_t> next_{0};
  std::atomic<bool> blocked_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool released_ = false;
  bool interrupted_ = false;
};

}  // namespace pitchtrack::testing
