#include "pitchtrack/pipeline/adaptive_stream_processor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace pitchtrack {
namespace {

StreamProcessorConfig with_initial_fps(StreamProcessorConfig c, const AdaptiveConfig& a) {
  c.target_fps = a.initial_fps;
  return c;
}

// Nearest-rank quantile; reorders `v`.
double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0.0;
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  const size_t k = std::min(v.size() - 1, rank == 0 ? 0 : rank - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

AdaptiveStreamProcessor::AdaptiveStreamProcessor(std::unique_ptr<Pipeline> pipeline, std::string uri,
                                                 SourceConfig source_config, AdaptiveConfig adaptive,
                                                 StreamProcessorConfig config)
    : adaptive_(adaptive),
      fps_(adaptive.initial_fps),
      processor_(std::move(pipeline), std::move(uri), std::move(source_config),
                 with_initial_fps(std::move(config), adaptive)) {
  processor_.set_batch_observer([this](const BatchTiming& b) { on_batch(b); });
}

AdaptiveStreamProcessor::~AdaptiveStreamProcessor() { processor_.stop(); }

Status AdaptiveStreamProcessor::start(Callback callback) {
  PT_RETURN_IF_ERROR(validate(adaptive_));
  if (!controller_) {
    controller_.emplace(adaptive_);
    // Enough room that a window never allocates on the pipeline thread at the highest rate.
    const double frames = adaptive_.max_fps * adaptive_.control_interval_ms / 1000.0;
    window_latency_ms_.reserve(static_cast<size_t>(frames) + 64);
  }
  return processor_.start(std::move(callback));
}

double AdaptiveStreamProcessor::current_fps() const {
  std::lock_guard lock(mutex_);
  return fps_;
}

std::vector<FpsChange> AdaptiveStreamProcessor::fps_history() const {
  std::lock_guard lock(mutex_);
  return {history_.begin(), history_.end()};
}

void AdaptiveStreamProcessor::on_batch(const BatchTiming& b) {
  if (!source_fps_known_) {
    // The reader is open once batches flow; its rate caps the controller's.
    controller_->set_source_fps(processor_.info().fps);
    source_fps_known_ = true;
  }
  if (window_start_us_ < 0) window_start_us_ = b.start_us;
  const double batch_ms = static_cast<double>(b.end_us - b.start_us) / 1000.0;
  for (const Frame& f : b.frames) {
    window_latency_ms_.push_back(static_cast<double>(b.end_us - f.arrival_us) / 1000.0);
  }
  window_frames_ += static_cast<int64_t>(b.frames.size());
  window_processing_ms_ += batch_ms;
  if (static_cast<double>(b.end_us - window_start_us_) / 1000.0 >= adaptive_.control_interval_ms &&
      window_frames_ >= adaptive_.min_window_frames) {
    decide(b.end_us);
  }
}

void AdaptiveStreamProcessor::decide(int64_t now_us) {
  FpsWindow w;
  w.frames = window_frames_;
  w.processing_ms = window_processing_ms_ / static_cast<double>(window_frames_);
  w.latency_ms = quantile(window_latency_ms_, adaptive_.latency_quantile);
  w.backlog_frames = static_cast<int64_t>(processor_.reader_stats().buffered);
  const double before = controller_->fps();
  const double after = controller_->update(w);
  window_start_us_ = now_us;
  window_frames_ = 0;
  window_processing_ms_ = 0.0;
  window_latency_ms_.clear();
  if (after == before) return;
  processor_.set_target_fps(after);
  spdlog::debug("adaptive: {:.2f} -> {:.2f} fps ({}; {:.1f} ms/frame, latency q{:.2f} {:.0f} ms)", before,
                after, to_string(controller_->last_reason()), w.processing_ms, adaptive_.latency_quantile,
                w.latency_ms);
  std::lock_guard lock(mutex_);
  fps_ = after;
  if (history_.size() >= kMaxHistory) history_.pop_front();
  history_.push_back(FpsChange{now_us, before, after, controller_->last_reason(), w});
}

}  // namespace pitchtrack
