#include "pitchtrack/pipeline/detection_batcher.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

namespace pitchtrack {
namespace {
using SteadyClock = std::chrono::steady_clock;
double ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}
}  // namespace

struct DetectionBatcher::Request {
  std::span<const Frame> frames;
  std::vector<std::vector<Detection>> results;
  DetectorTimings timings;
  Status status;
  bool done = false;
  int stream = -1;  // the client's stream id
  SteadyClock::time_point enqueued;
  std::condition_variable cv;
};

class DetectionBatcher::Client final : public Detector {
 public:
  Client(std::shared_ptr<DetectionBatcher> owner, int stream) : owner_(std::move(owner)) {
    stream_ = owner_->register_client(stream);
  }
  ~Client() override { owner_->unregister_client(stream_); }

  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    timings_ = {};
    if (frames.empty()) return std::vector<std::vector<Detection>>{};
    const auto t0 = SteadyClock::now();
    const std::span<const Frame> submitted = owner_->cfg_.resize_on_clients ? resize(frames) : frames;
    const double resize_ms = ms_between(t0, SteadyClock::now());
    Request req;
    req.frames = submitted;
    req.stream = stream_;
    PT_RETURN_IF_ERROR(owner_->submit(req));
    timings_ = req.timings;
    if (submitted.data() != frames.data()) {
      timings_.preprocess_ms += resize_ms;
      map_back(frames, req.results);
    }
    return std::move(req.results);
  }
  DetectorCaps caps() const override {
    DetectorCaps c = owner_->caps();
    c.max_batch = 1;
    return c;
  }
  DetectorTimings last_timings() const override { return timings_; }
  double gpu_memory_mb() const override { return owner_->gpu_memory_mb(); }

 private:
  // Frames larger than the session's input, resized to the letterbox's scaled size (scales_[i]
  // records the factor; 1 = handed on as is). Returns `frames` itself when none needed it.
  std::span<const Frame> resize(std::span<const Frame> frames) {
    const DetectorCaps& caps = owner_->caps_;
    if (!caps.letterbox || caps.input_width <= 0 || caps.input_height <= 0) return frames;
    resized_.clear();
    scales_.assign(frames.size(), 1.0f);
    bool any = false;
    for (size_t i = 0; i < frames.size(); ++i) {
      const Frame& f = frames[i];
      if (f.empty() || f.width() <= 0 || f.height() <= 0) {  // the session reports it
        resized_.push_back(f);
        continue;
      }
      const LetterboxGeometry g =
          letterbox_geometry(f.width(), f.height(), caps.input_width, caps.input_height);
      if (g.scale >= 1.0f) {  // enlarging here would only add bytes to upload
        resized_.push_back(f);
        continue;
      }
      if (!pool_ || pool_->width() != g.width || pool_->height() != g.height) {
        pool_ = std::make_unique<FramePool>(g.width, g.height, 2);
      }
      MutableFrame m = pool_->acquire();
      resize_like_letterbox(f, m);
      resized_.push_back(std::move(m).freeze());
      scales_[i] = g.scale;
      any = true;
    }
    return any ? std::span<const Frame>(resized_) : frames;
  }

  // Boxes from the resized images' pixels back to the frames' (clamped to the frame as the
  // session's decoder does).
  void map_back(std::span<const Frame> frames, std::vector<std::vector<Detection>>& results) const {
    for (size_t i = 0; i < results.size() && i < frames.size(); ++i) {
      if (scales_[i] == 1.0f) continue;
      const float inv = 1.0f / scales_[i];
      const float w = static_cast<float>(frames[i].width()), h = static_cast<float>(frames[i].height());
      for (Detection& d : results[i]) {
        d.box_px.x1 = std::clamp(d.box_px.x1 * inv, 0.0f, w);
        d.box_px.x2 = std::clamp(d.box_px.x2 * inv, 0.0f, w);
        d.box_px.y1 = std::clamp(d.box_px.y1 * inv, 0.0f, h);
        d.box_px.y2 = std::clamp(d.box_px.y2 * inv, 0.0f, h);
      }
    }
  }

  std::shared_ptr<DetectionBatcher> owner_;
  int stream_ = -1;
  DetectorTimings timings_;
  std::vector<Frame> resized_;       // this call's resized frames (their buffers return to pool_)
  std::vector<float> scales_;        // letterbox scale per frame of this call, 1 = not resized
  std::unique_ptr<FramePool> pool_;  // buffers of the resized size
};

Result<std::shared_ptr<DetectionBatcher>> DetectionBatcher::create(std::unique_ptr<Detector> session,
                                                                   DetectionBatcherConfig config) {
  std::vector<std::unique_ptr<Detector>> sessions;
  sessions.push_back(std::move(session));
  return create(std::move(sessions), config);
}

Result<std::shared_ptr<DetectionBatcher>> DetectionBatcher::create(
    std::vector<std::unique_ptr<Detector>> sessions, DetectionBatcherConfig config) {
  if (sessions.empty()) return invalid_argument("DetectionBatcher: no detector session given");
  for (const auto& s : sessions) {
    if (!s) return invalid_argument("DetectionBatcher: detector session is null");
  }
  if (config.max_batch < 1) {
    return invalid_argument("detection batcher: max_batch must be >= 1, got " +
                            std::to_string(config.max_batch));
  }
  if (config.max_wait_ms < 0) {
    return invalid_argument("detection batcher: max_wait_ms must be >= 0, got " +
                            std::to_string(config.max_wait_ms));
  }
  config.max_batch = std::min(config.max_batch, std::max(1, sessions.front()->caps().max_batch));
  config.sessions = static_cast<int>(sessions.size());
  auto b = std::shared_ptr<DetectionBatcher>(new DetectionBatcher(std::move(sessions), config));
  for (size_t w = 0; w < b->sessions_.size(); ++w) {
    b->threads_.emplace_back([raw = b.get(), w](std::stop_token stop) { raw->loop(stop, w); });
  }
  return b;
}

DetectionBatcher::DetectionBatcher(std::vector<std::unique_ptr<Detector>> sessions,
                                   DetectionBatcherConfig config)
    : sessions_(std::move(sessions)), cfg_(config), caps_(sessions_.front()->caps()) {
  tasks_.resize(sessions_.size());
  stats_.sessions = static_cast<int>(sessions_.size());
}

DetectionBatcher::~DetectionBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.request_stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  // Nothing waits forever (clients share ownership, so normally nothing is queued by now).
  std::lock_guard lock(mutex_);
  for (Request* r : queue_) {
    r->status = cancelled("detection batcher stopped");
    r->done = true;
    r->cv.notify_one();
  }
  queue_.clear();
  stream_queued_.clear();
  queued_frames_ = 0;
}

std::unique_ptr<Detector> DetectionBatcher::make_client(int stream) {
  return std::make_unique<Client>(shared_from_this(), stream);
}

int DetectionBatcher::register_client(int stream) {
  std::lock_guard lock(mutex_);
  if (stream < 0) stream = next_private_stream_--;
  ++clients_;
  ++stream_clients_[stream];
  return stream;
}

void DetectionBatcher::unregister_client(int stream) {
  {
    std::lock_guard lock(mutex_);
    --clients_;
    if (--stream_clients_[stream] == 0) stream_clients_.erase(stream);
  }
  cv_.notify_all();  // the waiting requests may now be "every live stream"
}

bool DetectionBatcher::every_stream_waiting() const {
  if (stream_clients_.empty()) return false;
  for (const auto& [stream, n] : stream_clients_) {
    if (!stream_queued_.contains(stream)) return false;
  }
  return true;
}

int DetectionBatcher::live_clients() const {
  std::lock_guard lock(mutex_);
  return clients_;
}

double DetectionBatcher::gpu_memory_mb() const { return sessions_.front()->gpu_memory_mb(); }

Status DetectionBatcher::submit(Request& req) {
  std::unique_lock lock(mutex_);
  if (stopping_) return cancelled("detection batcher is stopping");
  req.enqueued = SteadyClock::now();
  queue_.push_back(&req);
  queued_frames_ += static_cast<int>(req.frames.size());
  ++stream_queued_[req.stream];
  cv_.notify_all();
  req.cv.wait(lock, [&req] { return req.done; });
  return req.status;
}

void DetectionBatcher::loop(std::stop_token stop, size_t worker) {
  Detector& session = *sessions_[worker];
  std::vector<Request*> batch;
  std::vector<Frame> frames;
  std::unique_lock lock(mutex_);
  const auto max_wait = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double, std::milli>(cfg_.max_wait_ms));
  auto ready = [this] {
    return queue_.empty() || queued_frames_ >= cfg_.max_batch || every_stream_waiting();
  };
  while (!stop.stop_requested()) {
    if (!cv_.wait(lock, stop, [&] { return !queue_.empty() || tasks_[worker]; })) break;
    if (tasks_[worker]) {  // a job for this worker's session (warm-up)
      Task task = std::move(tasks_[worker]);
      tasks_[worker] = nullptr;
      lock.unlock();
      task(session);
      lock.lock();
      --tasks_pending_;
      cv_.notify_all();
      continue;
    }
    const auto deadline = queue_.front()->enqueued + max_wait;
    cv_.wait_until(lock, stop, deadline, ready);
    if (stop.stop_requested()) break;
    if (queue_.empty()) continue;  // another worker took the batch
    if (queued_frames_ >= cfg_.max_batch) {
      ++stats_.by_full;
    } else if (every_stream_waiting()) {
      ++stats_.by_all_clients;
    } else if (SteadyClock::now() >= queue_.front()->enqueued + max_wait) {
      ++stats_.by_deadline;
    } else {
      continue;  // woken early (the queue changed hands): wait for the new front's deadline
    }
    run_batch(lock, session, batch, frames);
  }
}

// Takes whole requests in arrival order, up to max_batch frames (always at least one), runs them
// through `session` with the lock released, and hands every request its part. Called and
// returns with `lock` held.
void DetectionBatcher::run_batch(std::unique_lock<std::mutex>& lock, Detector& session,
                                 std::vector<Request*>& batch, std::vector<Frame>& frames) {
  batch.clear();
  int n = 0;
  while (!queue_.empty() &&
         (batch.empty() || n + static_cast<int>(queue_.front()->frames.size()) <= cfg_.max_batch)) {
    batch.push_back(queue_.front());
    n += static_cast<int>(queue_.front()->frames.size());
    if (--stream_queued_[queue_.front()->stream] == 0) stream_queued_.erase(queue_.front()->stream);
    queue_.pop_front();
  }
  queued_frames_ -= n;
  lock.unlock();

  const auto start = SteadyClock::now();
  frames.clear();
  for (const Request* r : batch) frames.insert(frames.end(), r->frames.begin(), r->frames.end());
  auto out = session.detect(frames);
  const DetectorTimings t = session.last_timings();
  const auto end = SteadyClock::now();

  lock.lock();
  size_t offset = 0;
  for (Request* r : batch) {
    const size_t k = r->frames.size();
    if (out.is_ok()) {
      r->results.assign(std::make_move_iterator(out->begin() + static_cast<std::ptrdiff_t>(offset)),
                        std::make_move_iterator(out->begin() + static_cast<std::ptrdiff_t>(offset + k)));
      const double share = static_cast<double>(k) / static_cast<double>(n);
      r->timings = {t.preprocess_ms * share, t.inference_ms * share, t.postprocess_ms * share};
      r->status = Status::ok();
    } else {
      r->status = out.status();
    }
    offset += k;
    wait_sum_ms_ += ms_between(r->enqueued, start);
    if (!any_request_ || r->enqueued < first_request_) first_request_ = r->enqueued;
    any_request_ = true;
    r->done = true;
    r->cv.notify_one();
  }
  ++stats_.batches;
  stats_.frames += n;
  stats_.requests += static_cast<int64_t>(batch.size());
  stats_.max_batch_seen = std::max(stats_.max_batch_seen, n);
  forward_sum_ms_ += ms_between(start, end);
}

DetectionBatcherStats DetectionBatcher::stats() const {
  std::lock_guard lock(mutex_);
  DetectionBatcherStats s = stats_;
  if (s.batches > 0) {
    s.mean_batch = static_cast<double>(s.frames) / static_cast<double>(s.batches);
    s.mean_forward_ms = forward_sum_ms_ / static_cast<double>(s.batches);
  }
  if (s.requests > 0) s.mean_wait_ms = wait_sum_ms_ / static_cast<double>(s.requests);
  if (any_request_) {
    const double span_ms = ms_between(first_request_, SteadyClock::now());
    if (span_ms > 0) {
      s.busy_fraction = std::min(1.0, forward_sum_ms_ / (span_ms * static_cast<double>(sessions_.size())));
    }
  }
  return s;
}

Status DetectionBatcher::warm_up(int width, int height) {
  if (width <= 0 || height <= 0) {
    return invalid_argument("detection batcher warm-up: bad frame size " + std::to_string(width) + "x" +
                            std::to_string(height));
  }
  // With resize_on_clients the sessions see frames already scaled to the letterbox size.
  if (cfg_.resize_on_clients && caps_.letterbox && caps_.input_width > 0 && caps_.input_height > 0) {
    const LetterboxGeometry g = letterbox_geometry(width, height, caps_.input_width, caps_.input_height);
    if (g.scale < 1.0f) width = g.width, height = g.height;
  }
  const Frame grey = uniform_frame(width, height, 114);
  // Batches of 1, 2, 4 ... max_batch frames through each session on its own worker thread: the
  // shapes and the thread each session will meet, each once, before any stream's frame does.
  std::vector<Status> results(sessions_.size());
  {
    std::unique_lock lock(mutex_);
    if (stopping_) return cancelled("detection batcher is stopping");
    for (size_t w = 0; w < sessions_.size(); ++w) {
      tasks_[w] = [this, &grey, &out = results[w]](Detector& session) {
        for (int n = 1;; n = std::min(2 * n, cfg_.max_batch)) {
          const std::vector<Frame> batch(static_cast<size_t>(n), grey);
          auto r = session.detect(batch);
          if (!r.is_ok()) {
            out = r.status();
            return;
          }
          if (n == cfg_.max_batch) return;
        }
      };
      ++tasks_pending_;
    }
    cv_.notify_all();
    cv_.wait(lock, [this] { return tasks_pending_ == 0; });
  }
  for (size_t w = 0; w < results.size(); ++w) {
    if (!results[w].is_ok()) {
      return results[w].with_context("detection batcher warm-up, session " + std::to_string(w));
    }
  }
  std::lock_guard lock(mutex_);  // the statistics describe the streams, not the warm-up
  stats_ = {};
  stats_.sessions = static_cast<int>(sessions_.size());
  wait_sum_ms_ = forward_sum_ms_ = 0;
  any_request_ = false;
  return Status::ok();
}

}  // namespace pitchtrack
