// StreamProcessor: one stream end to end — AsyncVideoReader (decode thread) -> pipeline thread
// -> sink thread — with bounded queues, a latency guard and reconnection for live inputs.
//
// Contract: start(callback) launches the threads; results reach the sinks and the callback in
// frame order on the sink thread. wait() blocks until the input ends (file), stop() is called,
// or a fatal error; it returns the final status (ok at a clean end of stream). stop() is safe
// from any thread (and from a signal-watching thread, also while another thread is in wait()),
// except the callback's own (the sink thread, which stop() joins); it returns within about a
// second and flushes and closes every sink: results produced before it are never lost.
// Dropping: a frame older than max_processing_latency_ms when the pipeline takes it is dropped
// and counted (live mode); the live reader drops its oldest buffered frame when full (counted).
// File inputs are lossless. A live input that disconnects is reported (log + stats) and reopened
// with exponential backoff (reconnect_initial_ms doubling up to reconnect_max_ms) until
// reconnect_timeout_s passes without success; the results so far are kept. A pushed stream
// (rtmp, rtsp, srt, udp ...) that ends is treated as disconnected too; http inputs (HLS, files)
// may end for good. Frames of a reopened source continue the numbering: index after the last
// frame taken, pts advanced by the time the stream was away, so results stay strictly ordered.
// Frame rate: set_target_fps() changes the reader's selection while running (and for readers
// reopened after a disconnect); AdaptiveStreamProcessor drives it from a batch observer, which
// sees every processed batch with its start and end on the injected Clock.
// Threading: control methods from one owner thread; stats()/metrics()/reader_stats()/
// set_target_fps() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "pitchtrack/core/bounded_queue.hpp"
#include "pitchtrack/io/async_reader.hpp"
#include "pitchtrack/io/sink.hpp"
#include "pitchtrack/pipeline/pipeline.hpp"

namespace pitchtrack {

struct StreamProcessorConfig {
  double target_fps = 0.0;               // frames per second taken from the source; 0 = all
  size_t buffer_size = 8;                // reader buffer, frames
  double max_processing_latency_ms = 0;  // drop frames older than this at the pipeline; 0 = never
  size_t batch_size = 1;                 // frames per pipeline call (batch mode)
  size_t result_queue = 64;              // results buffered for the sinks (blocking)
  SourceMode mode = SourceMode::kAuto;   // file (lossless) or live (drop oldest)
  bool pace_input = false;               // read a file at its own frame rate, like a live stream
  double reconnect_initial_ms = 500;     // first reconnection delay, ms
  double reconnect_max_ms = 8000;        // backoff cap, ms
  double reconnect_timeout_s = 60;       // give up after this long without a stream, s
  bool overlap_detection = false;        // detect batch k+1 on a helper thread while batch k is
                                         // tracked (Pipeline::detect_batch / track_batch): uses
                                         // an idle core in batch mode; results stay in order
  int64_t idle_poll_ms = 200;            // ms without a frame after which a partial batch is
                                         // processed (and the stop flag checked, at the latest)
  int64_t max_results = 0;               // hand at most this many results to the sinks and the
                                         // callback, then stop reading; results already in flight
                                         // past it are discarded. 0 = all
  bool warm_up = true;                   // run the models once on the stream's frame size before
                                         // decoding starts (Pipeline::warm_up)
  const Clock* clock = nullptr;          // nullptr = steady_clock()
  // Opens the input (at start and on every reconnection); empty = open_source(). Lets a caller
  // feed its own Source (tests: scripted fakes).
  std::function<Result<std::unique_ptr<Source>>(const std::string& uri, const SourceConfig&)> source_opener;
};

// One processed batch as the pipeline thread saw it, for observers (adaptive frame rate).
struct BatchTiming {
  std::span<const Frame> frames;  // the batch, in order (arrival_us on the Clock)
  int64_t start_us = 0;           // Clock time when the pipeline call began, us
  int64_t end_us = 0;             // Clock time when its results were ready, us
};

struct StreamStats {
  int64_t frames_read = 0;  // delivered by the reader(s)
  int64_t frames_processed = 0;
  int64_t dropped_reader = 0;   // live buffer overflow
  int64_t dropped_latency = 0;  // older than max_processing_latency_ms
  int64_t results_written = 0;
  int64_t disconnects = 0;
  int64_t reconnects = 0;
  bool running = false;
  std::string last_error;
};
// One JSON object with every field (summary.json's `stream`, docs/FORMATS.md).
std::string to_json(const StreamStats& stats);

class StreamProcessor {
 public:
  using Callback = std::function<void(const FrameResult&)>;

  StreamProcessor(std::unique_ptr<Pipeline> pipeline, std::string uri, SourceConfig source_config,
                  StreamProcessorConfig config);
  ~StreamProcessor();
  StreamProcessor(const StreamProcessor&) = delete;
  StreamProcessor& operator=(const StreamProcessor&) = delete;

  void add_sink(std::unique_ptr<Sink> sink);
  Status start(Callback callback = {});
  Status wait();
  void stop();
  // Logs a one-line summary every `interval` from a background thread until stop().
  void log_stats_periodic(std::chrono::milliseconds interval);
  // Frames per second taken from the source from now on (0 = all). Thread-safe.
  void set_target_fps(double fps);
  double target_fps() const;
  // Called on the pipeline thread after each processed batch, before its results are counted
  // in stats() and queued for the sinks; set before start().
  using BatchObserver = std::function<void(const BatchTiming&)>;
  void set_batch_observer(BatchObserver observer) { observer_ = std::move(observer); }

  StreamStats stats() const;
  // The current reader's counters (buffer fill, skipped, delivered); zeros before start().
  ReaderStats reader_stats() const;
  PipelineMetrics metrics() const;
  const StreamInfo& info() const { return info_; }
  Pipeline& pipeline() { return *pipeline_; }

 private:
  Status open_reader(std::stop_token cancel);
  void pipeline_loop(std::stop_token stop);
  void sink_loop();
  void finish(Status s);
  void collect_reader_stats();
  void join_threads();

  std::unique_ptr<Pipeline> pipeline_;
  std::string uri_;
  SourceConfig source_config_;
  StreamProcessorConfig cfg_;
  const Clock* clock_;
  StreamInfo info_;
  std::unique_ptr<AsyncVideoReader> reader_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  Callback callback_;
  BatchObserver observer_;

  struct Item {
    FrameResult result;
    Frame frame;
  };
  BoundedQueue<Item> results_;
  std::jthread pipeline_thread_;
  std::stop_source pipeline_stop_;  // pipeline_thread_'s, for stop() from any thread
  std::thread sink_thread_;
  std::jthread stats_thread_;
  std::mutex join_mutex_;  // wait() and stop() join the threads under it

  mutable std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  bool started_ = false;
  bool warmed_up_ = false;  // pipeline warmed up on the stream's frame size (first open only)
  Status final_status_;
  StreamStats stats_;
  double target_fps_ = 0.0;          // under mutex_
  int64_t reader_dropped_base_ = 0;  // drops of readers closed before the current one
};

// Runs `source` through a pipeline built from `config` for `duration_s` (0: to the end) at
// `target_fps` and returns the metrics (the engine of `pitchtrack bench`).
Result<PipelineMetrics> benchmark_stream_processor(const PipelineConfig& config, const std::string& source,
                                                   double duration_s, double target_fps,
                                                   const StreamProcessorConfig& stream_config = {},
                                                   const SourceConfig& source_config = {});

}  // namespace pitchtrack
