// AsyncVideoReader: decodes a Source on a background thread into a bounded buffer.
//
// Contract: start() launches the decode thread; get_frame(timeout) returns the next FrameData,
// kEndOfStream after the last frame, kTimeout when none came within the timeout, or the
// source's error (after every frame decoded before it was delivered). stop() returns within
// about one second even while the source is blocked on the network (it interrupts the source),
// and the destructor calls it.
// Policy: file mode is lossless (the decoder blocks when the buffer is full); live mode keeps
// the newest frames, dropping the oldest buffered one and counting it. target_fps > 0 selects
// frames by timestamp: slot k is due at k/target_fps seconds, and a frame is taken when it is
// within half a source frame of its slot, so the output has the target rate on average with no
// drift (25 -> 10 fps gives 0, 80, 200, 280, 400 ms ...). Frames not selected are "skipped",
// not "dropped". set_target_fps() changes the rate while running: the next slot is one new
// period after the last frame taken (frames already buffered stay).
// Decode time: each delivered frame's Frame::decode_us is the source's decode + convert time
// for it plus that of the frames skipped since the previous delivered one (the decoding work
// one delivered frame costs); frames dropped from a full buffer take theirs with them.
// Threading: one consumer calls get_frame(); stats(), stop(), set_target_fps() may be called
// from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "pitchtrack/core/bounded_queue.hpp"
#include "pitchtrack/core/clock.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/io/source.hpp"

namespace pitchtrack {

struct FrameData {
  Frame frame;
  int64_t index = 0;       // source frame index (0-based, counts every decoded frame)
  int64_t pts_us = 0;      // presentation time, microseconds from the first frame
  int64_t arrival_us = 0;  // reader Clock time when decoded, microseconds
};

struct ReaderOptions {
  size_t buffer_size = 8;               // frames buffered between decoder and consumer (>= 1)
  double target_fps = 0.0;              // frames per second delivered; 0 = every frame
  SourceMode mode = SourceMode::kAuto;  // kAuto: the source's own (live -> drop oldest)
  bool pace = false;                    // deliver frames no faster than their timestamps (a file read
                                        // like a live stream: arrival = start + pts); implies drop-oldest
  const Clock* clock = nullptr;         // stamps arrival_us; nullptr = steady_clock()
};

struct ReaderStats {
  int64_t decoded = 0;    // frames the source produced
  int64_t skipped = 0;    // not selected by target_fps
  int64_t dropped = 0;    // evicted from a full buffer in live mode
  int64_t delivered = 0;  // handed to get_frame() callers
  size_t buffered = 0;    // frames waiting now
  size_t capacity = 0;
  double buffer_fill() const { return capacity ? static_cast<double>(buffered) / capacity : 0.0; }
  double drop_rate() const {
    return decoded - skipped > 0 ? double(dropped) / double(decoded - skipped) : 0.0;
  }
};

class AsyncVideoReader {
 public:
  AsyncVideoReader(std::unique_ptr<Source> source, ReaderOptions options = {});
  AsyncVideoReader(std::unique_ptr<Source> source, size_t buffer_size, double target_fps);
  ~AsyncVideoReader();
  AsyncVideoReader(const AsyncVideoReader&) = delete;
  AsyncVideoReader& operator=(const AsyncVideoReader&) = delete;

  // Opens `uri` and wraps it; errors name the input.
  static Result<std::unique_ptr<AsyncVideoReader>> open(const std::string& uri,
                                                        const SourceConfig& source_config = {},
                                                        ReaderOptions options = {});

  Status start();
  Result<FrameData> get_frame(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  void stop();
  // Frames per second selected from now on; 0 = every frame, < 0 is ignored. Thread-safe.
  void set_target_fps(double fps);
  double target_fps() const;

  ReaderStats stats() const;
  const StreamInfo& info() const { return info_; }
  bool is_live() const { return live_; }

 private:
  void run(std::stop_token stop);
  bool select(int64_t pts_us);  // under mutex_
  void set_period(double fps);  // under mutex_

  std::unique_ptr<Source> source_;
  StreamInfo info_;
  ReaderOptions options_;
  bool live_;
  const Clock* clock_;
  BoundedQueue<FrameData> queue_;
  std::jthread thread_;
  bool started_ = false;

  int64_t pace_start_us_ = -1;     // wall time of the first frame when pacing (decode thread)
  int64_t skipped_decode_us_ = 0;  // decode time of frames skipped since the last taken one

  mutable std::mutex mutex_;
  // target_fps selection (decode thread, changed by set_target_fps), under mutex_.
  double target_fps_ = 0.0;
  int64_t period_us_ = 0;
  int64_t tolerance_us_ = 0;
  int64_t next_due_us_ = 0;
  int64_t last_taken_pts_us_ = -1;
  Status final_status_ = end_of_stream();
  int64_t decoded_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace pitchtrack
