#include "pitchtrack/io/async_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace pitchtrack {
namespace {
using std::chrono::milliseconds;

// How long the decode thread waits for a source read before checking its stop token again.
constexpr milliseconds kReadSlice{200};

bool resolve_live(const Source& source, SourceMode mode) {
  switch (mode) {
    case SourceMode::kFile: return false;
    case SourceMode::kLive: return true;
    case SourceMode::kAuto: break;
  }
  return source.info().is_live;
}
}  // namespace

AsyncVideoReader::AsyncVideoReader(std::unique_ptr<Source> source, ReaderOptions options)
    : source_(std::move(source)),
      info_(source_->info()),
      options_(options),
      live_(options.pace || resolve_live(*source_, options.mode)),
      clock_(options.clock != nullptr ? options.clock : &steady_clock()),
      queue_(options.buffer_size == 0 ? 1 : options.buffer_size,
             live_ ? OverflowPolicy::kDropOldest : OverflowPolicy::kBlock) {
  set_period(options_.target_fps);
}

void AsyncVideoReader::set_period(double fps) {
  target_fps_ = fps;
  if (!(fps > 0)) {
    period_us_ = 0;
    return;
  }
  period_us_ = std::max<int64_t>(1, static_cast<int64_t>(std::llround(1e6 / fps)));
  const double src_fps = info_.fps > 0 ? info_.fps : fps;
  tolerance_us_ = static_cast<int64_t>(std::llround(0.5e6 / src_fps));
  // The next slot is one period after the last frame taken; before the first, the first frame.
  next_due_us_ = last_taken_pts_us_ < 0 ? 0 : last_taken_pts_us_ + period_us_;
}

void AsyncVideoReader::set_target_fps(double fps) {
  if (fps < 0) return;
  std::lock_guard lock(mutex_);
  if (fps == target_fps_) return;
  set_period(fps);
}

double AsyncVideoReader::target_fps() const {
  std::lock_guard lock(mutex_);
  return target_fps_;
}

AsyncVideoReader::AsyncVideoReader(std::unique_ptr<Source> source, size_t buffer_size, double target_fps)
    : AsyncVideoReader(std::move(source), ReaderOptions{buffer_size, target_fps}) {}

AsyncVideoReader::~AsyncVideoReader() { stop(); }

Result<std::unique_ptr<AsyncVideoReader>> AsyncVideoReader::open(const std::string& uri,
                                                                 const SourceConfig& source_config,
                                                                 ReaderOptions options) {
  if (options.target_fps < 0) return invalid_argument("reader.target_fps must be >= 0");
  if (options.buffer_size == 0) return invalid_argument("reader.buffer_size must be >= 1");
  PT_ASSIGN_OR_RETURN(auto source, open_source(uri, source_config));
  return std::make_unique<AsyncVideoReader>(std::move(source), options);
}

Status AsyncVideoReader::start() {
  if (started_) return failed_precondition("AsyncVideoReader for '" + info_.uri + "' already started");
  started_ = true;
  thread_ = std::jthread([this](std::stop_token st) { run(st); });
  return Status::ok();
}

bool AsyncVideoReader::select(int64_t pts_us) {
  if (period_us_ > 0) {
    if (pts_us + tolerance_us_ < next_due_us_) return false;
    // Advance to the first slot after this frame; slots missed by a gap in the input are
    // skipped rather than filled with duplicates.
    next_due_us_ += period_us_;
    if (next_due_us_ <= pts_us) {
      const int64_t behind = (pts_us - next_due_us_) / period_us_ + 1;
      next_due_us_ += behind * period_us_;
    }
  }
  last_taken_pts_us_ = pts_us;
  return true;
}

void AsyncVideoReader::run(std::stop_token stop) {
  Status end = end_of_stream();
  while (!stop.stop_requested()) {
    auto frame = source_->read(live_ ? kReadSlice : milliseconds(-1));
    if (!frame.is_ok()) {
      const Status& s = frame.status();
      if (s.code() == StatusCode::kTimeout && live_) {
        // A quiet network: keep waiting in short slices until the source's own read timeout
        // says the stream is gone.
        continue;
      }
      end = s;
      break;
    }
    Frame f = std::move(frame).value();
    if (options_.pace) {
      // Simulated live input: frame k becomes available at start + pts_k.
      if (pace_start_us_ < 0) pace_start_us_ = steady_clock().now_us() - f.pts_us;
      const int64_t due = pace_start_us_ + f.pts_us;
      while (!stop.stop_requested()) {
        const int64_t wait = due - steady_clock().now_us();
        if (wait <= 0) break;
        std::this_thread::sleep_for(std::chrono::microseconds(std::min<int64_t>(wait, 50'000)));
      }
    }
    f.arrival_us = clock_->now_us();
    bool take;
    {
      std::lock_guard lock(mutex_);
      ++decoded_;
      take = select(f.pts_us);
      if (!take) ++skipped_;
    }
    if (!take) {
      skipped_decode_us_ += f.decode_us;
      continue;
    }
    f.decode_us += skipped_decode_us_;
    skipped_decode_us_ = 0;
    FrameData data{f, f.index, f.pts_us, f.arrival_us};
    const PushOutcome outcome = queue_.push(std::move(data), BoundedQueue<FrameData>::kForever, stop);
    if (outcome == PushOutcome::kClosed || outcome == PushOutcome::kCancelled) break;
  }
  if (stop.stop_requested() && end.is_end_of_stream())
    end = cancelled("reader for '" + info_.uri + "' stopped");
  if (!end.is_end_of_stream() && end.code() != StatusCode::kCancelled) {
    spdlog::warn("reader '{}': {}", info_.uri, end.to_string());
  }
  {
    std::lock_guard lock(mutex_);
    final_status_ = end;
  }
  queue_.close();
}

Result<FrameData> AsyncVideoReader::get_frame(milliseconds timeout) {
  if (!started_) return failed_precondition("AsyncVideoReader for '" + info_.uri + "' not started");
  auto item =
      queue_.pop(timeout.count() < 0 ? BoundedQueue<FrameData>::kForever
                                     : std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  if (item.is_ok()) return item;
  if (item.status().is_end_of_stream()) {
    std::lock_guard lock(mutex_);
    return final_status_;
  }
  if (item.status().code() == StatusCode::kTimeout) {
    return timeout_error("reader '" + info_.uri + "': no frame within " + std::to_string(timeout.count()) +
                         " ms");
  }
  return item.status();
}

void AsyncVideoReader::stop() {
  if (!started_) return;
  if (thread_.joinable()) {
    thread_.request_stop();
    source_->interrupt();
    thread_.join();
  }
  queue_.close();
}

ReaderStats AsyncVideoReader::stats() const {
  const QueueStats q = queue_.stats();
  ReaderStats s;
  {
    std::lock_guard lock(mutex_);
    s.decoded = decoded_;
    s.skipped = skipped_;
  }
  s.dropped = q.dropped();
  s.delivered = q.popped;
  s.buffered = q.size;
  s.capacity = q.capacity;
  return s;
}

}  // namespace pitchtrack
