#include "support/fake_source.hpp"

#include <cmath>
#include <cstring>

namespace pitchtrack::testing {

FakeSource::FakeSource(FakeSourceOptions options)
    : opt_(std::move(options)), pool_(opt_.width, opt_.height, 4) {
  info_.uri = "fake://source";
  info_.container = "fake";
  info_.codec = "raw";
  info_.width = opt_.width;
  info_.height = opt_.height;
  info_.fps = opt_.fps;
  info_.frame_count = opt_.count;
  info_.is_live = opt_.live;
}

Result<Frame> FakeSource::read(std::chrono::milliseconds /*timeout*/) {
  const int64_t i = next_.load();
  if (i == opt_.block_before) {
    std::unique_lock lock(mutex_);
    blocked_ = true;
    cv_.wait(lock, [&] { return released_ || interrupted_; });
    blocked_ = false;
    if (interrupted_) return cancelled("fake source interrupted");
  }
  {
    std::lock_guard lock(mutex_);
    if (interrupted_) return cancelled("fake source interrupted");
  }
  if (i >= opt_.count) return opt_.end_status;
  MutableFrame m = pool_.acquire();
  for (int y = 0; y < m.height(); ++y) std::memset(m.row(y), static_cast<int>(i % 256), m.width() * 3);
  Frame f = std::move(m).freeze();
  f.index = i;
  f.pts_us = static_cast<int64_t>(std::llround(static_cast<double>(i) * 1e6 / opt_.fps));
  f.arrival_us = opt_.clock != nullptr ? opt_.clock->now_us() : 0;
  next_.store(i + 1);
  return f;
}

void FakeSource::interrupt() {
  {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
  }
  cv_.notify_all();
}

void FakeSource::release() {
  {
    std::lock_guard lock(mutex_);
    released_ = true;
  }
  cv_.notify_all();
}

SourceStats FakeSource::stats() const {
  SourceStats s;
  s.frames_decoded = next_.load();
  return s;
}

}  // namespace pitchtrack::testing
