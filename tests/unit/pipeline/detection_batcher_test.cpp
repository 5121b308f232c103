// DetectionBatcher: several streams' frames through one detector session, each stream getting
// exactly its own detections back; the three release rules; errors; the multi-stream benchmark.
#include "pitchtrack/pipeline/detection_batcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/io/source.hpp"
#include "pitchtrack/pipeline/multi_stream.hpp"
#include "pitchtrack/pipeline/pipeline.hpp"
#include "pitchtrack/synth/match_synthesizer.hpp"
#include "support/pipeline_configs.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {

// One detection per frame whose x1 is the frame's index; records the batch sizes it saw; fails
// a batch holding a frame of index -7.
class EchoDetector final : public Detector {
 public:
  explicit EchoDetector(std::chrono::milliseconds cost = std::chrono::milliseconds(1),
                        std::atomic<int>* running = nullptr, std::atomic<int>* peak = nullptr)
      : cost_(cost), running_(running), peak_(peak) {}
  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    if (running_ != nullptr) {  // how many sessions are inside detect() at once
      const int now = ++*running_;
      int seen = peak_->load();
      while (now > seen && !peak_->compare_exchange_weak(seen, now)) {
      }
    }
    std::this_thread::sleep_for(cost_);
    if (running_ != nullptr) --*running_;
    {
      std::lock_guard lock(mutex);
      batch_sizes.push_back(static_cast<int>(frames.size()));
    }
    std::vector<std::vector<Detection>> out;
    for (const Frame& f : frames) {
      if (f.index == -7) return internal_error("echo detector: poisoned frame");
      Detection d;
      d.box_px = {static_cast<float>(f.index), 0, static_cast<float>(f.index) + 10, 10};
      d.score = 0.9f;
      out.push_back({d});
    }
    return out;
  }
  DetectorCaps caps() const override {
    DetectorCaps c;
    c.backend = "echo";
    c.max_batch = 64;
    return c;
  }
  std::mutex mutex;
  std::vector<int> batch_sizes;

 private:
  std::chrono::milliseconds cost_;
  std::atomic<int>* running_;
  std::atomic<int>* peak_;
};

Frame frame_with_index(int64_t index) {
  MutableFrame m(16, 8);
  Frame f = std::move(m).freeze();
  f.index = index;
  return f;
}

// Each client on its own thread hands in `frames` frames one at a time (client c's indices
// c*1000 + i) and checks it gets exactly its own frame back; returns the number of wrong answers.
int run_clients(std::vector<std::unique_ptr<Detector>>& clients, int frames) {
  std::atomic<int> wrong{0};
  std::vector<std::jthread> threads;
  for (size_t c = 0; c < clients.size(); ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; i < frames; ++i) {
        const float id = static_cast<float>(static_cast<int>(c) * 1000 + i);
        const Frame f = frame_with_index(static_cast<int64_t>(id));
        auto r = clients[c]->detect(std::span<const Frame>(&f, 1));
        if (!r.is_ok() || r->size() != 1 || (*r)[0].size() != 1 || (*r)[0][0].box_px.x1 != id) ++wrong;
      }
    });
  }
  threads.clear();  // joins
  return wrong.load();
}

TEST(DetectionBatcher, EveryClientGetsItsOwnFramesBackFromSharedBatches) {
  auto echo = std::make_unique<EchoDetector>();
  EchoDetector* raw = echo.get();
  auto b = DetectionBatcher::create(std::move(echo), {.max_batch = 8, .max_wait_ms = 200});
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  constexpr int kClients = 4, kFrames = 40;
  std::vector<std::unique_ptr<Detector>> clients;
  for (int c = 0; c < kClients; ++c) clients.push_back((*b)->make_client());
  EXPECT_EQ(clients[0]->caps().max_batch, 1);
  EXPECT_EQ(clients[0]->caps().backend, "echo");
  EXPECT_EQ(run_clients(clients, kFrames), 0);
  const DetectionBatcherStats s = (*b)->stats();
  EXPECT_EQ(s.frames, kClients * kFrames);
  EXPECT_LE(s.max_batch_seen, 8);
  // Every client waits for its result before handing in the next frame, so once in step the
  // four streams form one batch per tick: far fewer forwards than frames.
  EXPECT_GE(s.mean_batch, 3.0) << "batches " << s.batches;
  EXPECT_GT(s.by_all_clients, 0);
  std::lock_guard lock(raw->mutex);
  EXPECT_EQ(static_cast<int64_t>(raw->batch_sizes.size()), s.batches);
}

TEST(DetectionBatcher, DeadlineReleasesABatchWhenAStreamIsIdle) {
  auto b = DetectionBatcher::create(std::make_unique<EchoDetector>(), {.max_batch = 8, .max_wait_ms = 30});
  ASSERT_TRUE(b.is_ok());
  auto busy = (*b)->make_client();
  auto idle = (*b)->make_client();  // registered, never hands anything in
  const Frame f = frame_with_index(5);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = busy->detect(std::span<const Frame>(&f, 1));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.is_ok());
  EXPECT_GE(ms, 25.0);
  EXPECT_EQ((*b)->stats().by_deadline, 1);
}

TEST(DetectionBatcher, AnEndedStreamIsNotWaitedFor) {
  auto b = DetectionBatcher::create(std::make_unique<EchoDetector>(), {.max_batch = 8, .max_wait_ms = 60000});
  ASSERT_TRUE(b.is_ok());
  auto a = (*b)->make_client();
  { auto gone = (*b)->make_client(); }
  EXPECT_EQ((*b)->live_clients(), 1);
  const Frame f = frame_with_index(3);
  auto r = a->detect(std::span<const Frame>(&f, 1));  // would hang for 60 s if `gone` counted
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ((*b)->stats().by_all_clients, 1);
}

TEST(DetectionBatcher, FullBatchLeavesAtOnceAndLargeRequestsStayWhole) {
  auto echo = std::make_unique<EchoDetector>();
  EchoDetector* raw = echo.get();
  auto b = DetectionBatcher::create(std::move(echo), {.max_batch = 4, .max_wait_ms = 60000});
  ASSERT_TRUE(b.is_ok());
  auto a = (*b)->make_client();
  auto other = (*b)->make_client();  // idle: only "full" can release
  std::vector<Frame> six;
  for (int i = 0; i < 6; ++i) six.push_back(frame_with_index(100 + i));
  auto r = a->detect(six);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 6u);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ((*r)[static_cast<size_t>(i)][0].box_px.x1, 100.0f + static_cast<float>(i));
  EXPECT_EQ((*b)->stats().by_full, 1);
  std::lock_guard lock(raw->mutex);
  EXPECT_EQ(raw->batch_sizes, std::vector<int>{6});  // whole, in one call to the session
}

TEST(DetectionBatcher, AFailedForwardReachesEveryRequestOfItsBatch) {
  auto b = DetectionBatcher::create(std::make_unique<EchoDetector>(std::chrono::milliseconds(0)),
                                    {.max_batch = 8, .max_wait_ms = 60000});
  ASSERT_TRUE(b.is_ok());
  auto a = (*b)->make_client();
  auto c = (*b)->make_client();
  Status sa, sc;
  std::jthread ta([&] {
    const Frame f = frame_with_index(-7);
    sa = a->detect(std::span<const Frame>(&f, 1)).status();
  });
  std::jthread tc([&] {
    const Frame f = frame_with_index(1);
    sc = c->detect(std::span<const Frame>(&f, 1)).status();
  });
  ta.join();
  tc.join();
  EXPECT_EQ(sa.code(), StatusCode::kInternal);
  EXPECT_EQ(sc.code(), StatusCode::kInternal);
  EXPECT_NE(sc.message().find("poisoned"), std::string::npos);
}

// Two sessions, one thread each, take batches from the one queue: both work at the same time,
// every client still gets exactly its own frames back, and warm-up reaches each session.
TEST(DetectionBatcher, SeveralSessionsRunBatchesAtOnce) {
  std::atomic<int> running{0}, peak{0};
  std::vector<std::unique_ptr<Detector>> sessions;
  std::vector<EchoDetector*> raw;
  for (int i = 0; i < 2; ++i) {
    auto e = std::make_unique<EchoDetector>(std::chrono::milliseconds(20), &running, &peak);
    raw.push_back(e.get());
    sessions.push_back(std::move(e));
  }
  auto b = DetectionBatcher::create(std::move(sessions), {.max_batch = 2, .max_wait_ms = 5});
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  ASSERT_TRUE((*b)->warm_up(16, 8).is_ok());
  for (EchoDetector* e : raw) {
    std::lock_guard lock(e->mutex);
    EXPECT_EQ(e->batch_sizes, (std::vector<int>{1, 2}));  // each session saw each batch shape
    e->batch_sizes.clear();
  }
  EXPECT_EQ((*b)->stats().batches, 0);  // warm-up is not counted
  constexpr int kClients = 4, kFrames = 12;
  std::vector<std::unique_ptr<Detector>> clients;
  for (int c = 0; c < kClients; ++c) clients.push_back((*b)->make_client());
  EXPECT_EQ(run_clients(clients, kFrames), 0);
  EXPECT_EQ(peak.load(), 2);  // four clients, batches of two: both sessions busy together
  const DetectionBatcherStats s = (*b)->stats();
  EXPECT_EQ(s.sessions, 2);
  EXPECT_EQ(s.frames, kClients * kFrames);
  EXPECT_GT(s.busy_fraction, 0.0);
  int64_t calls = 0;
  for (EchoDetector* e : raw) {
    std::lock_guard lock(e->mutex);
    EXPECT_FALSE(e->batch_sizes.empty());
    calls += static_cast<int64_t>(e->batch_sizes.size());
  }
  EXPECT_EQ(calls, s.batches);
}

// A stream with two clients (two of its frames in flight) is one stream for the "every live
// stream has a frame waiting" rule: its one waiting frame leaves at once, without the deadline.
TEST(DetectionBatcher, ClientsOfOneStreamCountAsOneStream) {
  auto b = DetectionBatcher::create(std::make_unique<EchoDetector>(), {.max_batch = 8, .max_wait_ms = 60000});
  ASSERT_TRUE(b.is_ok());
  auto first = (*b)->make_client(7);
  auto second = (*b)->make_client(7);  // idle
  const Frame f = frame_with_index(1);
  auto r = first->detect(std::span<const Frame>(&f, 1));  // would wait 60 s if `second` counted alone
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ((*b)->stats().by_all_clients, 1);
  auto other = (*b)->make_client();  // a stream of its own, idle: now the deadline or a full batch rules
  auto wait = std::jthread([&] {
    const Frame g = frame_with_index(2);
    (void)second->detect(std::span<const Frame>(&g, 1));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ((*b)->stats().batches, 1);  // still waiting for `other`'s stream
  const Frame h = frame_with_index(3);
  ASSERT_TRUE(other->detect(std::span<const Frame>(&h, 1)).is_ok());  // both streams in: leaves
  wait.join();
  EXPECT_EQ((*b)->stats().by_all_clients, 2);
}

TEST(DetectionBatcher, BadSettingsAreClearErrors) {
  EXPECT_EQ(DetectionBatcher::create(nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DetectionBatcher::create(std::vector<std::unique_ptr<Detector>>{}).status().code(),
            StatusCode::kInvalidArgument);
  auto zero = DetectionBatcher::create(std::make_unique<EchoDetector>(), {.max_batch = 0});
  ASSERT_FALSE(zero.is_ok());
  EXPECT_NE(zero.status().message().find("max_batch"), std::string::npos);
  EXPECT_EQ(DetectionBatcher::create(std::make_unique<EchoDetector>(), {.max_batch = 1, .max_wait_ms = -1})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

PipelineConfig light_config() { return testing::light_pipeline_config(); }

// Two pipelines fed through one shared classical detector give the same tracks as a pipeline
// with a detector of its own.
TEST(DetectionBatcher, SharedDetectorPipelinesMatchAPrivateOne) {
  auto session = create_detector(light_config().detector);
  ASSERT_TRUE(session.is_ok());
  auto b = DetectionBatcher::create(std::move(*session), {.max_batch = 4, .max_wait_ms = 5});
  ASSERT_TRUE(b.is_ok());
  std::vector<Frame> frames;
  {
    auto src = open_source(testing::clip("h264.mp4"));
    ASSERT_TRUE(src.is_ok());
    for (auto f = (*src)->read(); f.is_ok(); f = (*src)->read()) frames.push_back(*f);
  }
  ASSERT_EQ(frames.size(), 50u);
  auto reference = Pipeline::create(light_config());
  ASSERT_TRUE(reference.is_ok());
  std::vector<std::vector<Track>> expected;
  for (const Frame& f : frames) expected.push_back((*reference)->process_frame(f)->tracks);

  std::vector<std::vector<std::vector<Track>>> got(2);
  std::vector<std::jthread> threads;
  for (int s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      auto p = Pipeline::create(light_config(), (*b)->make_client());
      if (!p.is_ok()) return;
      for (const Frame& f : frames) {
        auto r = (*p)->process_frame(f);
        if (r.is_ok()) got[static_cast<size_t>(s)].push_back(r->tracks);
      }
    });
  }
  threads.clear();
  for (int s = 0; s < 2; ++s) {
    ASSERT_EQ(got[static_cast<size_t>(s)].size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(got[static_cast<size_t>(s)][i].size(), expected[i].size())
          << "stream " << s << " frame " << i;
      for (size_t k = 0; k < expected[i].size(); ++k) {
        EXPECT_EQ(got[static_cast<size_t>(s)][i][k].track_id, expected[i][k].track_id);
        EXPECT_FLOAT_EQ(got[static_cast<size_t>(s)][i][k].box_px.x1, expected[i][k].box_px.x1);
      }
    }
  }
  EXPECT_GT((*b)->stats().mean_batch, 1.0);
}

// Passes frames on to a real session and records the frame sizes it was handed.
class SizeSpy final : public Detector {
 public:
  explicit SizeSpy(std::unique_ptr<Detector> inner) : inner_(std::move(inner)) {}
  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    for (const Frame& f : frames) sizes.emplace_back(f.width(), f.height());
    return inner_->detect(frames);
  }
  DetectorCaps caps() const override { return inner_->caps(); }
  std::vector<std::pair<int, int>> sizes;  // written on the batcher's thread only

 private:
  std::unique_ptr<Detector> inner_;
};

// resize_on_clients: each stream resizes its 1080p frames to the letterbox's scaled size itself;
// the detections are the session's own on the full frames (same OpenCV resize, boxes mapped
// back), to float rounding.
TEST(DetectionBatcher, ResizingOnClientsGivesTheSessionsOwnDetections) {
  DetectorConfig dc;
  dc.backend = "onnx";
  auto reference = create_detector(dc);
  if (!reference.is_ok()) GTEST_SKIP() << "no onnx model: " << reference.status().to_string();
  ASSERT_TRUE((*reference)->caps().letterbox);
  std::vector<Frame> frames;  // a generated 1080p match: larger than the model's input (1312x736)
  {
    SynthConfig sc;
    sc.seed = 1;
    sc.seconds = 2.0;
    auto synth = MatchSynthesizer::create(sc);
    ASSERT_TRUE(synth.is_ok()) << synth.status().to_string();
    for (int i = 0; i < 20; ++i) {
      auto f = (*synth)->render_next();
      ASSERT_TRUE(f.is_ok()) << f.status().to_string();
      if (i % 5 == 4) frames.push_back(*f);
    }
    ASSERT_EQ(frames[0].width(), 1920);
  }
  auto session = create_detector(dc);
  ASSERT_TRUE(session.is_ok());
  auto spy = std::make_unique<SizeSpy>(std::move(*session));
  SizeSpy* seen = spy.get();
  auto b =
      DetectionBatcher::create(std::move(spy), {.max_batch = 4, .max_wait_ms = 5, .resize_on_clients = true});
  ASSERT_TRUE(b.is_ok());
  auto client = (*b)->make_client();
  size_t compared = 0;
  for (const Frame& f : frames) {
    auto want = (*reference)->detect(std::span<const Frame>(&f, 1));
    auto got = client->detect(std::span<const Frame>(&f, 1));
    ASSERT_TRUE(want.is_ok() && got.is_ok());
    ASSERT_EQ(got->at(0).size(), want->at(0).size());
    for (size_t k = 0; k < want->at(0).size(); ++k) {
      const Detection &w = want->at(0)[k], &g = got->at(0)[k];
      EXPECT_EQ(g.class_id, w.class_id);
      EXPECT_NEAR(g.score, w.score, 1e-6);
      EXPECT_NEAR(g.box_px.x1, w.box_px.x1, 0.01);
      EXPECT_NEAR(g.box_px.y1, w.box_px.y1, 0.01);
      EXPECT_NEAR(g.box_px.x2, w.box_px.x2, 0.01);
      EXPECT_NEAR(g.box_px.y2, w.box_px.y2, 0.01);
      EXPECT_LE(g.box_px.x2, 1920.0f);
      EXPECT_LE(g.box_px.y2, 1080.0f);
      ++compared;
    }
  }
  EXPECT_GT(compared, 20u) << "the generated frames hold players";
  // The shared session saw the letterbox's scaled size (1920x1080 * 0.68 = 1308x736 for the
  // default 1312x736 input), never the full frames.
  const DetectorCaps caps = (*reference)->caps();
  const LetterboxGeometry g = letterbox_geometry(1920, 1080, caps.input_width, caps.input_height);
  ASSERT_LT(g.width, 1920);
  ASSERT_FALSE(seen->sizes.empty());
  for (const auto& [w, h] : seen->sizes) {
    EXPECT_EQ(w, g.width);
    EXPECT_EQ(h, g.height);
  }
}

TEST(MultiStream, BenchmarkRunsEveryStreamLosslesslyAndReports) {
  StreamProcessorConfig sc;
  sc.pace_input = true;         // 2 s per stream at 25 fps: the window (all streams running) holds most
  sc.overlap_detection = true;  // as config/multistream-gpu.yaml: detect frame k+1 while tracking k
  auto rep = benchmark_multi_stream(light_config(), SourceConfig{}, sc,
                                    {.max_batch = 8, .max_wait_ms = 5, .sessions = 2},
                                    {testing::clip("h264.mp4")}, 3, 0.0);
  ASSERT_TRUE(rep.is_ok()) << rep.status().to_string();
  EXPECT_EQ(rep->streams, 3);
  EXPECT_GT(rep->frames_processed, 0);
  EXPECT_LE(rep->frames_processed + rep->frames_dropped, 150);
  ASSERT_EQ(rep->per_stream.size(), 3u);
  for (const StreamReport& s : rep->per_stream) {
    EXPECT_EQ(s.stats.frames_processed + s.stats.dropped_reader + s.stats.dropped_latency, 50);
  }
  EXPECT_GE(rep->batcher.frames, rep->frames_processed);
  EXPECT_GT(rep->aggregate_fps, 0.0);
  EXPECT_FALSE(rep->bottleneck.empty());
  EXPECT_EQ(rep->decoding, "cpu");          // no hwaccel asked
  EXPECT_LT(rep->gpu_memory_peak_mb, 0.0);  // classical: no GPU
  const auto j = nlohmann::json::parse(rep->to_json());
  EXPECT_EQ(j["per_stream"].size(), 3u);
  EXPECT_EQ(j["batcher"]["sessions"], 2);
  EXPECT_TRUE(j["gpu_memory_peak_mb"].is_null());
  EXPECT_NE(rep->to_table().find("bottleneck"), std::string::npos);

  auto bad =
      benchmark_multi_stream(light_config(), SourceConfig{}, sc, {}, {"/nonexistent/clip.mp4"}, 2, 0.0);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("/nonexistent/clip.mp4"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
