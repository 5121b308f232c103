#include "pitchtrack/pipeline/stream_processor.hpp"

#include "pitchtrack/detect/registry.hpp"

#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <condition_variable>

namespace pitchtrack {

std::string to_json(const StreamStats& s) {
  return nlohmann::json{{"frames_read", s.frames_read},
                        {"frames_processed", s.frames_processed},
                        {"dropped_reader", s.dropped_reader},
                        {"dropped_latency", s.dropped_latency},
                        {"results_written", s.results_written},
                        {"disconnects", s.disconnects},
                        {"reconnects", s.reconnects},
                        {"running", s.running},
                        {"last_error", s.last_error}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // messages quote URIs
}

namespace {
using std::chrono::milliseconds;
// overlap_detection: how often the pipeline thread looks for finished detections while it waits
// for the next frame, so a frame is tracked within this of its detection finishing instead of
// when the next frame arrives (a frame interval later, or more on live input).
constexpr milliseconds kDetectionPoll{2};

// Sleeps `ms` unless `stop` is requested first; returns false when stopped.
bool sleep_unless_stopped(std::stop_token stop, double ms) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  return !cv.wait_for(lock, stop, milliseconds(static_cast<int64_t>(ms)), [] { return false; });
}

// Streams pushed by a publisher (RTMP, RTSP, SRT, UDP ...) have no natural end: when one ends
// (an RTMP server closes the play session as its publisher leaves), it is a disconnect and the
// stream may come back. HTTP inputs (HLS, progressive files) can end for good.
bool is_push_stream(const std::string& uri) {
  const auto colon = uri.find("://");
  if (colon == std::string::npos) return false;
  const std::string scheme = uri.substr(0, colon);
  for (const char* s : {"rtmp", "rtmps", "rtmpt", "rtsp", "rtsps", "srt", "udp", "rtp", "tcp"}) {
    if (scheme == s) return true;
  }
  return false;
}

// Threads that run the overlapped detections for the life of one pipeline loop, so a batch costs
// a queued job, not a new thread (std::async would start one per batch). Jobs run in the order
// they were submitted; the destructor finishes the queued ones, then joins.
class DetectionThreads {
 public:
  using Job = std::packaged_task<Result<DetectedBatch>()>;
  explicit DetectionThreads(size_t n) {
    for (size_t i = 0; i < n; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~DetectionThreads() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    threads_.clear();  // joins
  }
  std::future<Result<DetectedBatch>> submit(std::function<Result<DetectedBatch>()> fn) {
    Job job(std::move(fn));
    auto done = job.get_future();
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return done;
  }

 private:
  void loop() {
    while (true) {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::jthread> threads_;
};
}  // namespace

StreamProcessor::StreamProcessor(std::unique_ptr<Pipeline> pipeline, std::string uri,
                                 SourceConfig source_config, StreamProcessorConfig config)
    : pipeline_(std::move(pipeline)),
      uri_(std::move(uri)),
      source_config_(std::move(source_config)),
      cfg_(config),
      clock_(config.clock != nullptr ? config.clock : &steady_clock()),
      results_(std::max<size_t>(config.result_queue, 1), OverflowPolicy::kBlock),
      target_fps_(config.target_fps) {
  if (source_config_.clock == nullptr) source_config_.clock = clock_;
  // NVDEC pictures go to BGR on the GPU where libtorch has CUDA (else the source converts on the CPU).
  if (source_config_.hwaccel == "cuda" && !source_config_.device_converter) {
    source_config_.device_converter = frame_converter_factory("cuda");
  }
}

StreamProcessor::~StreamProcessor() { stop(); }

void StreamProcessor::add_sink(std::unique_ptr<Sink> sink) { sinks_.push_back(std::move(sink)); }

// `cancel`: the pipeline thread's stop token; a stop() while the input opens (a reconnection to
// a peer that does not answer) ends the open at once instead of after open_timeout_ms.
Status StreamProcessor::open_reader(std::stop_token cancel) {
  SourceConfig source_config = source_config_;
  source_config.cancel = std::move(cancel);
  ReaderOptions ro;
  ro.buffer_size = cfg_.buffer_size;
  ro.target_fps = target_fps();
  ro.mode = cfg_.mode;
  ro.pace = cfg_.pace_input;
  ro.clock = clock_;
  std::unique_ptr<AsyncVideoReader> reader;
  if (cfg_.source_opener) {
    if (ro.buffer_size == 0) return invalid_argument("stream.buffer_size must be >= 1");
    PT_ASSIGN_OR_RETURN(auto source, cfg_.source_opener(uri_, source_config));
    if (!source) return internal_error("stream '" + uri_ + "': source opener returned no source");
    reader = std::make_unique<AsyncVideoReader>(std::move(source), ro);
  } else {
    PT_ASSIGN_OR_RETURN(reader, AsyncVideoReader::open(uri_, source_config, ro));
  }
  if (cfg_.warm_up && !warmed_up_) {  // once per processor, before the first frame is decoded
    PT_RETURN_IF_ERROR(pipeline_->warm_up(reader->info().width, reader->info().height));
    warmed_up_ = true;
  }
  PT_RETURN_IF_ERROR(reader->start());
  std::lock_guard lock(mutex_);
  reader->set_target_fps(target_fps_);  // changed while this one was opening
  if (reader_) reader_dropped_base_ += reader_->stats().dropped;
  info_ = reader->info();
  reader_ = std::move(reader);
  return Status::ok();
}

Status StreamProcessor::start(Callback callback) {
  if (started_) return failed_precondition("stream processor for '" + uri_ + "' already started");
  if (cfg_.batch_size == 0) return invalid_argument("stream.batch_size must be >= 1");
  if (cfg_.target_fps < 0) return invalid_argument("stream.target_fps must be >= 0");
  if (cfg_.max_processing_latency_ms < 0)
    return invalid_argument("stream.max_processing_latency_ms must be >= 0");
  callback_ = std::move(callback);
  {
    std::lock_guard lock(mutex_);
    stats_.running = true;
  }
  // The source is opened and the models warmed up on the pipeline thread itself, which then
  // runs the stream: per-thread lazy state (CUDA library handles of that thread) is created
  // before the first frame, not on it. start() still returns the open or warm-up error.
  auto opened = std::make_shared<std::promise<Status>>();
  std::future<Status> opened_result = opened->get_future();
  pipeline_thread_ = std::jthread([this, opened](std::stop_token st) {
    Status s = open_reader(st);
    const bool ok = s.is_ok();
    opened->set_value(std::move(s));
    if (ok) pipeline_loop(st);
  });
  Status s = opened_result.get();
  if (!s.is_ok()) {
    pipeline_thread_.join();
    std::lock_guard lock(mutex_);
    stats_.running = false;
    return s;
  }
  pipeline_stop_ = pipeline_thread_.get_stop_source();
  sink_thread_ = std::thread([this] { sink_loop(); });
  started_ = true;
  return Status::ok();
}

void StreamProcessor::collect_reader_stats() {
  std::lock_guard lock(mutex_);
  if (!reader_) return;
  const ReaderStats rs = reader_->stats();
  stats_.dropped_reader = reader_dropped_base_ + rs.dropped;
}

void StreamProcessor::pipeline_loop(std::stop_token stop) {
  std::vector<Frame> batch;
  batch.reserve(cfg_.batch_size);
  int64_t reported_drops = 0;
  Status end = Status::ok();
  // A reopened source numbers its frames from 0 again; they are shifted to continue after the
  // last frame taken (pts advanced by the wall-clock gap) so results stay in order and unique.
  int64_t index_offset = 0;
  int64_t pts_offset_us = 0;
  int64_t last_index = -1;
  int64_t last_pts_us = 0;
  int64_t last_arrival_us = 0;
  bool rebase = false;

  // Hands a finished batch's results to the sink thread.
  auto emit = [&](Result<std::vector<FrameResult>>& results, std::vector<Frame>& frames, int64_t t0) -> bool {
    if (!results.is_ok()) {
      end = results.status();
      return false;
    }
    if (observer_) observer_(BatchTiming{frames, t0, clock_->now_us()});
    for (size_t i = 0; i < results->size(); ++i) {
      results_.push(Item{std::move((*results)[i]), frames[i]});
    }
    {
      std::lock_guard lock(mutex_);
      stats_.frames_processed += static_cast<int64_t>(results->size());
    }
    return true;
  };
  // overlap_detection: batches whose detection runs on helper threads while this thread tracks
  // the oldest; up to the pipeline's detection_concurrency() detect at once (one per detector
  // session). A deque: its elements stay put, so the helpers' spans into them stay valid.
  struct InFlight {
    std::vector<Frame> frames;
    std::future<Result<DetectedBatch>> detections;
  };
  std::deque<InFlight> inflight;
  auto last_frame_at = std::chrono::steady_clock::now();  // when the reader last gave a frame
  const milliseconds idle_poll{std::max<int64_t>(1, cfg_.idle_poll_ms)};
  const size_t max_inflight = static_cast<size_t>(std::max(1, pipeline_->detection_concurrency()));
  std::optional<DetectionThreads> helpers;
  if (cfg_.overlap_detection) helpers.emplace(max_inflight);
  // Tracks the oldest batch in flight once its detections are done.
  auto track_oldest = [&]() -> bool {
    InFlight& f = inflight.front();
    const int64_t t0 = clock_->now_us();
    Result<DetectedBatch> d = f.detections.get();
    Result<std::vector<FrameResult>> results = d.is_ok() ? pipeline_->track_batch(f.frames, std::move(*d))
                                                         : Result<std::vector<FrameResult>>(d.status());
    const bool ok = emit(results, f.frames, t0);
    inflight.pop_front();
    return ok;
  };
  // Tracks the batches at the front whose detections are done (never waits for one).
  auto track_ready = [&]() -> bool {
    while (!inflight.empty() &&
           inflight.front().detections.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      if (!track_oldest()) return false;
    }
    return true;
  };
  auto drain = [&]() -> bool {
    while (!inflight.empty()) {
      if (!track_oldest()) return false;
    }
    return true;
  };
  auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    if (!cfg_.overlap_detection) {
      const int64_t t0 = clock_->now_us();
      auto results = pipeline_->process_batch(batch);
      const bool ok = emit(results, batch, t0);
      batch.clear();
      return ok;
    }
    // This batch's detection starts on a helper thread; then the oldest batches are tracked here
    // until no more than max_inflight remain (their detections run meanwhile).
    inflight.push_back(InFlight{std::move(batch), {}});
    batch = {};
    batch.reserve(cfg_.batch_size);
    InFlight& f = inflight.back();
    f.detections = helpers->submit(
        [this, frames = std::span<const Frame>(f.frames)] { return pipeline_->detect_batch(frames); });
    while (inflight.size() > max_inflight) {
      if (!track_oldest()) return false;
    }
    // Batches whose detections are already in are tracked now, not when a later batch pushes
    // them out: on a live or paced input that wait would add frame intervals to the latency.
    return track_ready();
  };

  while (!stop.stop_requested()) {
    const bool detecting = !inflight.empty();
    auto item = reader_->get_frame(detecting ? kDetectionPoll : idle_poll);
    collect_reader_stats();
    {
      std::lock_guard lock(mutex_);
      const int64_t drops = stats_.dropped_reader + stats_.dropped_latency;
      if (drops > reported_drops) {
        pipeline_->metrics().record_drops(drops - reported_drops);
        reported_drops = drops;
      }
    }
    if (item.is_ok()) {
      last_frame_at = std::chrono::steady_clock::now();
      {
        std::lock_guard lock(mutex_);
        ++stats_.frames_read;
      }
      if (rebase) {
        index_offset = last_index + 1 - item->frame.index;
        const int64_t gap_us = std::max<int64_t>(item->arrival_us - last_arrival_us, 1);
        pts_offset_us = last_pts_us + gap_us - item->frame.pts_us;
        rebase = false;
      }
      item->frame.index += index_offset;
      item->frame.pts_us += pts_offset_us;
      last_index = item->frame.index;
      last_pts_us = item->frame.pts_us;
      last_arrival_us = item->arrival_us;
      const double age_ms = static_cast<double>(clock_->now_us() - item->arrival_us) / 1000.0;
      if (cfg_.max_processing_latency_ms > 0 && age_ms > cfg_.max_processing_latency_ms) {
        std::lock_guard lock(mutex_);
        ++stats_.dropped_latency;
        continue;
      }
      batch.push_back(std::move(item->frame));
      if (batch.size() >= cfg_.batch_size && !flush()) break;
      continue;
    }
    const Status& s = item.status();
    if (s.code() == StatusCode::kTimeout) {
      // A short poll while detections run: track what is done, keep a partial batch open until
      // no frame came for idle_poll_ms (as without detections in flight).
      if (detecting && std::chrono::steady_clock::now() - last_frame_at < idle_poll) {
        if (!track_ready()) break;
        continue;
      }
      if (!flush() || !drain()) break;
      continue;
    }
    if (!flush() || !drain()) break;
    if (s.code() == StatusCode::kCancelled || stop.stop_requested()) break;
    if (s.is_end_of_stream() && !(reader_->info().is_live && is_push_stream(uri_))) break;
    if (!reader_->is_live()) {
      end = s;
      break;
    }
    // Live input lost: report, then reopen with exponential backoff.
    spdlog::warn("stream '{}' disconnected: {}", uri_, s.to_string());
    collect_reader_stats();
    {
      std::lock_guard lock(mutex_);
      ++stats_.disconnects;
      stats_.last_error = s.to_string();
      // The lost input's reader goes now, not once its replacement is open: its source holds
      // decoder resources the reopened one needs (an NVDEC place under hwaccel_max_decoders).
      reader_->stop();
      reader_dropped_base_ += reader_->stats().dropped;
      reader_.reset();
    }
    const int64_t t_lost = clock_->now_us();
    double delay = cfg_.reconnect_initial_ms;
    bool back = false;
    while (!stop.stop_requested()) {
      if (!sleep_unless_stopped(stop, delay)) break;
      Status r = open_reader(stop);
      if (r.is_ok()) {
        back = true;
        break;
      }
      if (stop.stop_requested()) break;  // the open was cancelled by stop()
      if (static_cast<double>(clock_->now_us() - t_lost) / 1e6 > cfg_.reconnect_timeout_s) {
        end =
            unavailable("stream '" + uri_ + "' lost and not back within " +
                        std::to_string(static_cast<int>(cfg_.reconnect_timeout_s)) + " s: " + r.to_string());
        break;
      }
      spdlog::info("stream '{}': reconnect failed ({}); retrying in {:.0f} ms", uri_, r.message(), delay);
      delay = std::min(delay * 2, cfg_.reconnect_max_ms);
    }
    if (!back) break;
    spdlog::warn("stream '{}' reconnected", uri_);
    rebase = last_index >= 0;
    std::lock_guard lock(mutex_);
    ++stats_.reconnects;
  }
  if (end.is_ok() && flush()) drain();
  for (InFlight& f : inflight) {  // an error or a stop left some in flight
    if (f.detections.valid()) f.detections.wait();
  }
  if (reader_) {  // none when a reconnection did not succeed
    reader_->stop();
    collect_reader_stats();
  }
  {
    std::lock_guard lock(mutex_);
    final_status_ = end;
    if (!end.is_ok()) stats_.last_error = end.to_string();
  }
  results_.close();
}

void StreamProcessor::sink_loop() {
  Status sink_error;
  int64_t written = 0;
  while (true) {
    auto item = results_.pop();
    if (!item.is_ok()) break;                                           // closed and drained
    if (cfg_.max_results > 0 && written >= cfg_.max_results) continue;  // past the limit: discarded
    for (auto& sink : sinks_) {
      Status s = sink->write(item->result, item->frame);
      if (!s.is_ok() && sink_error.is_ok()) {
        sink_error = s;
        spdlog::error("sink: {}", s.to_string());
      }
    }
    if (callback_) callback_(item->result);
    ++written;
    if (written == cfg_.max_results) pipeline_stop_.request_stop();  // thread-safe
    std::lock_guard lock(mutex_);
    ++stats_.results_written;
  }
  for (auto& sink : sinks_) {
    Status s = sink->close();
    if (!s.is_ok() && sink_error.is_ok()) sink_error = s;
  }
  std::lock_guard lock(mutex_);
  if (final_status_.is_ok() && !sink_error.is_ok()) final_status_ = sink_error;
  stats_.running = false;
  done_ = true;
  done_cv_.notify_all();
}

Status StreamProcessor::wait() {
  if (!started_) return failed_precondition("stream processor for '" + uri_ + "' not started");
  {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return done_; });
  }
  join_threads();
  std::lock_guard lock(mutex_);
  return final_status_;
}

void StreamProcessor::stop() {
  if (!started_) return;
  pipeline_stop_.request_stop();  // thread-safe, unlike touching the jthread another caller joins
  join_threads();
}

// wait() and stop() may run at once on two threads (a signal watcher stopping while the owner
// waits): the joins happen under join_mutex_, so each thread object is joined once.
void StreamProcessor::join_threads() {
  std::lock_guard join(join_mutex_);
  if (pipeline_thread_.joinable()) pipeline_thread_.join();
  if (sink_thread_.joinable()) sink_thread_.join();
  if (stats_thread_.joinable()) {
    stats_thread_.request_stop();
    stats_thread_.join();
  }
}

void StreamProcessor::log_stats_periodic(milliseconds interval) {
  stats_thread_ = std::jthread([this, interval](std::stop_token st) {
    while (sleep_unless_stopped(st, static_cast<double>(interval.count()))) {
      const StreamStats s = stats();
      const PipelineMetrics m = metrics();
      spdlog::info(
          "'{}': {} frames, {:.1f} fps, latency p50 {:.0f} ms p99 {:.0f} ms, dropped {} (reader) + {} "
          "(latency)",
          uri_, s.frames_processed, m.fps, m.latency.p50_ms, m.latency.p99_ms, s.dropped_reader,
          s.dropped_latency);
    }
  });
}

StreamStats StreamProcessor::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

ReaderStats StreamProcessor::reader_stats() const {
  std::lock_guard lock(mutex_);
  return reader_ ? reader_->stats() : ReaderStats{};
}

void StreamProcessor::set_target_fps(double fps) {
  if (fps < 0) return;
  std::lock_guard lock(mutex_);
  target_fps_ = fps;
  if (reader_) reader_->set_target_fps(fps);
}

double StreamProcessor::target_fps() const {
  std::lock_guard lock(mutex_);
  return target_fps_;
}

PipelineMetrics StreamProcessor::metrics() const { return pipeline_->get_metrics(); }

Result<PipelineMetrics> benchmark_stream_processor(const PipelineConfig& config, const std::string& source,
                                                   double duration_s, double target_fps,
                                                   const StreamProcessorConfig& stream_config,
                                                   const SourceConfig& source_config) {
  PT_ASSIGN_OR_RETURN(auto pipeline, Pipeline::create(config));
  StreamProcessorConfig sc = stream_config;
  sc.target_fps = target_fps;
  StreamProcessor sp(std::move(pipeline), source, source_config, sc);
  PT_RETURN_IF_ERROR(sp.start());
  if (duration_s > 0) {
    const int64_t t0 = steady_clock().now_us();
    while (sp.stats().running && static_cast<double>(steady_clock().now_us() - t0) / 1e6 < duration_s) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    sp.stop();
  }
  Status s = sp.wait();
  if (!s.is_ok() && s.code() != StatusCode::kCancelled) return s;
  return sp.metrics();
}

}  // namespace pitchtrack
