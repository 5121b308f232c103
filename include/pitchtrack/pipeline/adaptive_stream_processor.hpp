// AdaptiveStreamProcessor: a StreamProcessor whose frame rate follows what the pipeline can
// sustain — the highest rate whose arrival -> result latency meets a target.
//
// Contract: behaves as StreamProcessor (same threads, sinks, callback, stop/wait, drops,
// reconnection), starting at adaptive.initial_fps (config.target_fps is ignored). On the
// pipeline thread, after every processed batch, it adds the batch to the current control
// window (per frame: latency = batch end - arrival; processing = batch time / frames, both on
// the injected Clock). Once a window spans control_interval_ms and holds min_window_frames
// frames it is closed, with the frames buffered in the reader as the backlog, and
// FpsController (fps_controller.hpp: the control law and its parameters) decides the rate; the
// reader's selection changes at once (StreamProcessor::set_target_fps). Every change is kept
// in fps_history() (the latest kMaxHistory: bounded memory on endless streams). Time is the
// stream's Clock only: with a ManualClock and a scripted source and detector the whole run,
// decisions included, is deterministic.
// Errors: start() validates the AdaptiveConfig (the message names the field) and then reports
// what StreamProcessor::start() reports.
// Threading: control methods from one owner thread; current_fps(), fps_history(), stats(),
// metrics(), reader_stats() from any thread.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pitchtrack/pipeline/fps_controller.hpp"
#include "pitchtrack/pipeline/stream_processor.hpp"

namespace pitchtrack {

struct FpsChange {
  int64_t at_us = 0;  // Clock time of the decision, us
  double from_fps = 0.0;
  double to_fps = 0.0;
  FpsReason reason = FpsReason::kNone;
  FpsWindow window;  // what the deciding window measured
};

class AdaptiveStreamProcessor {
 public:
  using Callback = StreamProcessor::Callback;
  static constexpr size_t kMaxHistory = 4096;

  AdaptiveStreamProcessor(std::unique_ptr<Pipeline> pipeline, std::string uri, SourceConfig source_config,
                          AdaptiveConfig adaptive, StreamProcessorConfig config);
  ~AdaptiveStreamProcessor();
  AdaptiveStreamProcessor(const AdaptiveStreamProcessor&) = delete;
  AdaptiveStreamProcessor& operator=(const AdaptiveStreamProcessor&) = delete;

  void add_sink(std::unique_ptr<Sink> sink) { processor_.add_sink(std::move(sink)); }
  Status start(Callback callback = {});
  Status wait() { return processor_.wait(); }
  void stop() { processor_.stop(); }
  void log_stats_periodic(std::chrono::milliseconds interval) { processor_.log_stats_periodic(interval); }

  double current_fps() const;
  std::vector<FpsChange> fps_history() const;
  StreamStats stats() const { return processor_.stats(); }
  ReaderStats reader_stats() const { return processor_.reader_stats(); }
  PipelineMetrics metrics() const { return processor_.metrics(); }
  const StreamInfo& info() const { return processor_.info(); }
  const AdaptiveConfig& config() const { return adaptive_; }

 private:
  void on_batch(const BatchTiming& batch);  // pipeline thread
  void decide(int64_t now_us);              // pipeline thread

  AdaptiveConfig adaptive_;
  // Pipeline-thread state: the controller and the open window.
  std::optional<FpsController> controller_;
  bool source_fps_known_ = false;
  int64_t window_start_us_ = -1;
  int64_t window_frames_ = 0;
  double window_processing_ms_ = 0.0;  // summed over the window's frames
  std::vector<double> window_latency_ms_;

  mutable std::mutex mutex_;
  double fps_ = 0.0;  // under mutex_
  std::deque<FpsChange> history_;

  StreamProcessor processor_;  // last: its threads stop before the state above goes
};

}  // namespace pitchtrack
