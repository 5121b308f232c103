// DetectionBatcher: many streams, one detector. Each stream's Pipeline gets a client Detector
// (make_client()); the batcher's thread gathers the frames the clients hand in and runs them
// through the one shared detector session as a single batched forward pass, like a stream muxer.
// With several sessions of the one model (DetectionBatcherConfig::sessions), each session has its
// own batcher thread taking the next batch from the same queue: while one thread's batch is on
// the GPU, another copies, uploads or decodes its own (the host work of a batch - pinned copy,
// upload, output download, decoding - is otherwise serial with the forward pass).
//
// Contract: a batch leaves when (a) every live stream has a request waiting (one "tick" of all
// streams: each stream hands in its newest frame, the StreamProcessor in front of it has already
// dropped older ones; the clients made with one `stream` id count as one stream), (b) max_batch frames are
// waiting, or (c) the oldest waiting request has waited max_wait_ms (the deadline bounds the latency a slow
// or idle stream can add to the others). Requests are served whole and in arrival order; a request larger
// than max_batch runs alone (the session splits it). Each client gets exactly its own frames' detections
// back, and the error of a failed forward goes to every request of that batch. Clients block in detect()
// until their batch is done; a client is used by one thread at a time (like any Detector), while
// different clients run on different threads. Destroying a client unregisters it, so the "every
// live stream" rule never waits for a stream that has ended. The batcher outlives its clients
// (they share ownership). A client's last_timings() gives its share of the batch's preprocess,
// inference and postprocess time (plus its own resize, with resize_on_clients, in preprocess);
// the time it waited for the batch to form is in stats().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pitchtrack/core/status.hpp"
#include "pitchtrack/detect/detector.hpp"

namespace pitchtrack {

struct DetectionBatcherConfig {
  int max_batch = 32;        // frames per forward pass (the session's caps().max_batch caps it)
  double max_wait_ms = 8.0;  // a batch leaves at the latest this long after its oldest request
  // With a letterboxing session (caps().letterbox) and frames larger than its input: each client
  // resizes its frames to the letterbox's scaled size on its own thread (resize_like_letterbox)
  // and maps the boxes back, so the batcher's thread copies and uploads 2.2 MB per 1080p frame
  // instead of 6.2 MB and the session skips its resize. Results equal the session's own letterbox
  // on the CPU backends (same OpenCV resize), and differ by the GPU resize's rounding on CUDA.
  bool resize_on_clients = false;
  // Detector sessions, one batcher thread each (1..8); benchmark_multi_stream creates them from
  // the one loaded model. Each holds its own device buffers (about 0.5 GB at batch 32 of 1080p on
  // CUDA fp16).
  int sessions = 1;
  // Clients each stream's Pipeline gets in benchmark_multi_stream (its detector_sessions, 1..8):
  // with overlap_detection a stream has that many frames in the batcher at once, so one slow
  // batch does not hold up the stream's next frame.
  int clients_per_stream = 1;
};

struct DetectionBatcherStats {
  int64_t batches = 0;
  int64_t frames = 0;
  int64_t requests = 0;
  int max_batch_seen = 0;
  double mean_batch = 0;       // frames per forward pass
  double mean_wait_ms = 0;     // request handed in -> its batch starts
  double mean_forward_ms = 0;  // one batched detect() call on the session
  double busy_fraction = 0;    // time in detect() / (time since the first request x sessions)
  int sessions = 1;            // batcher threads, one detector session each
  int64_t by_all_clients = 0;  // batches released because every live stream had handed in
  int64_t by_full = 0;         // ... because max_batch frames were waiting
  int64_t by_deadline = 0;     // ... because the oldest request reached max_wait_ms
};

class DetectionBatcher : public std::enable_shared_from_this<DetectionBatcher> {
 public:
  // `session` is the shared detector (owned by the batcher from now on, run only on its thread).
  static Result<std::shared_ptr<DetectionBatcher>> create(std::unique_ptr<Detector> session,
                                                          DetectionBatcherConfig config = {});
  // Several sessions of one model (config.sessions is ignored: one thread per given session).
  static Result<std::shared_ptr<DetectionBatcher>> create(std::vector<std::unique_ptr<Detector>> sessions,
                                                          DetectionBatcherConfig config = {});
  ~DetectionBatcher();
  DetectionBatcher(const DetectionBatcher&) = delete;
  DetectionBatcher& operator=(const DetectionBatcher&) = delete;

  // A Detector for one stream's Pipeline (Pipeline::create(config, batcher->make_client())).
  // Its caps() are the session's with max_batch 1: a stream hands in one frame at a time and the
  // batcher forms the batch.
  // Clients made with the same `stream` id (>= 0) are one stream's (several frames of one stream
  // in flight); -1: a stream of its own.
  std::unique_ptr<Detector> make_client(int stream = -1);
  // Grey width x height batches of 1, 2, 4 ... max_batch frames through every session on its own
  // batcher thread (CUDA handles of that thread, each batch shape's one-off set-up), before the
  // streams start.
  Status warm_up(int width, int height);
  DetectorCaps caps() const { return caps_; }
  double gpu_memory_mb() const;
  DetectionBatcherStats stats() const;
  int live_clients() const;

 private:
  struct Request;
  class Client;
  using Task = std::function<void(Detector&)>;
  DetectionBatcher(std::vector<std::unique_ptr<Detector>> sessions, DetectionBatcherConfig config);
  Status submit(Request& request);
  int register_client(int stream);    // returns the stream id used (a private one for -1)
  bool every_stream_waiting() const;  // under mutex_: each live stream has a request queued
  void unregister_client(int stream);
  void loop(std::stop_token stop, size_t worker);
  void run_batch(std::unique_lock<std::mutex>& lock, Detector& session, std::vector<Request*>& batch,
                 std::vector<Frame>& frames);

  std::vector<std::unique_ptr<Detector>> sessions_;  // one per worker thread
  DetectionBatcherConfig cfg_;
  DetectorCaps caps_;
  mutable std::mutex mutex_;
  std::condition_variable_any cv_;
  std::deque<Request*> queue_;
  std::vector<Task> tasks_;  // per worker: a job for that worker's session (warm-up), or empty
  int tasks_pending_ = 0;
  bool stopping_ = false;
  int queued_frames_ = 0;
  int clients_ = 0;
  std::map<int, int> stream_clients_;  // live clients per stream id
  std::map<int, int> stream_queued_;   // requests waiting per stream id (entries > 0 only)
  int next_private_stream_ = -2;       // ids of clients made with stream -1
  DetectionBatcherStats stats_;
  double wait_sum_ms_ = 0, forward_sum_ms_ = 0;
  std::chrono::steady_clock::time_point first_request_;
  bool any_request_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace pitchtrack
