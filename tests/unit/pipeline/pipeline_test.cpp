#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/io/tracks_jsonl.hpp"
#include "pitchtrack/pipeline/factory.hpp"
#include "pitchtrack/pipeline/stream_processor.hpp"
#include "support/fake_source.hpp"
#include "support/pipeline_configs.hpp"
#include "support/silent_server.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {

PipelineConfig light_config() { return testing::light_pipeline_config(); }

TEST(Pipeline, ProcessesFramesAndReportsStageTimes) {
  auto p = Pipeline::create(light_config());
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  auto src = open_source(testing::clip("h264.mp4"));
  ASSERT_TRUE(src.is_ok());
  int n = 0;
  while (true) {
    auto f = (*src)->read();
    if (!f.is_ok()) break;
    auto r = (*p)->process_frame(*f);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->frame_index, n);
    EXPECT_TRUE(r->timings_ms.count("detect"));
    EXPECT_FALSE(r->homography.has_value());  // calibration off: never a guess
    ++n;
  }
  const PipelineMetrics m = (*p)->get_metrics();
  EXPECT_EQ(m.frames_processed, 50);
  EXPECT_GT(m.stage_mean_ms[static_cast<size_t>(Stage::kDetect)], 0.0);
  EXPECT_GT(m.stage_mean_ms[static_cast<size_t>(Stage::kDecode)], 0.0);  // the source's Frame::decode_us
  EXPECT_NE((*p)->profile(0).find("\"latency_ms\""), std::string::npos);
  const auto all = nlohmann::json::parse((*p)->profile(0));
  const auto last5 = nlohmann::json::parse((*p)->profile(5));
  EXPECT_EQ(all["frames_processed"], 50);  // whole-run counts stay whole-run
  EXPECT_EQ(last5["frames_processed"], 50);
  EXPECT_GE(all["latency_ms"]["max"].get<double>(), last5["latency_ms"]["max"].get<double>());
}

TEST(Pipeline, WarmUpLeavesNoTraceInMetricsOrState) {
  PipelineConfig c = light_config();
  c.calibration = "auto";  // the keypoint model runs in the warm-up too
  auto p = Pipeline::create(c);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  ASSERT_TRUE((*p)->warm_up(320, 240).is_ok());
  EXPECT_EQ((*p)->get_metrics().frames_processed, 0);
  auto src = open_source(testing::clip("h264.mp4"));
  ASSERT_TRUE(src.is_ok());
  auto f = (*src)->read();
  ASSERT_TRUE(f.is_ok());
  auto r = (*p)->process_frame(*f);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->tracks.empty() || r->tracks[0].track_id == 0);  // no track carried over
  EXPECT_EQ((*p)->get_metrics().frames_processed, 1);
  const Status bad = (*p)->warm_up(0, 240);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("0x240"), std::string::npos);
}

TEST(Pipeline, BadConfigNamesTheField) {
  PipelineConfig c = light_config();
  c.calibration = "magic";
  EXPECT_NE(Pipeline::create(c).status().message().find("pipeline.calibration"), std::string::npos);
  c = light_config();
  c.keypoints_every_n = 0;
  EXPECT_NE(Pipeline::create(c).status().message().find("keypoints_every_n"), std::string::npos);
}

TEST(Pipeline, StaticHomographyProjectsFootPoints) {
  auto p = Pipeline::create(light_config());
  ASSERT_TRUE(p.is_ok());
  // 10 px per metre, image origin at the pitch corner (-52.5, -34).
  const Homography h = {0.1, 0, -52.5, 0, 0.1, -34, 0, 0, 1};
  ASSERT_TRUE((*p)->set_homography(h).is_ok());
  auto src = open_source(testing::clip("h264.mp4"));
  auto f = (*src)->read();
  auto r = (*p)->process_frame(*f);
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->homography.has_value());
  for (const Track& t : r->tracks) {
    ASSERT_TRUE(t.pitch_m.has_value());
    EXPECT_NEAR(t.pitch_m->x_m, 0.1 * t.box_px.cx() - 52.5, 1e-3);
  }
}

TEST(StreamProcessor, FileRunsToTheEndLosslesslyAndFlushesTheSink) {
  const std::string out = (std::filesystem::temp_directory_path() / "pt_sp_test.jsonl").string();
  auto p = PipelineFactory::create_batch_pipeline(light_config(), 4);
  ASSERT_TRUE(p.is_ok());
  StreamProcessor sp(std::move(p).value(), testing::clip("mpeg2.ts"), SourceConfig{},
                     PipelineFactory::batch_stream_config(4));
  auto sink = make_jsonl_sink(out);
  ASSERT_TRUE(sink.is_ok());
  sp.add_sink(std::move(sink).value());
  int callbacks = 0;
  ASSERT_TRUE(sp.start([&](const FrameResult&) { ++callbacks; }).is_ok());
  EXPECT_TRUE(sp.wait().is_ok());
  EXPECT_EQ(callbacks, 50);
  const StreamStats s = sp.stats();
  EXPECT_EQ(s.frames_processed, 50);
  EXPECT_EQ(s.dropped_reader + s.dropped_latency, 0);
  EXPECT_GT(sp.metrics().stage_mean_ms[static_cast<size_t>(Stage::kDecode)], 0.0);
  auto back = read_tracks_jsonl(out);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->size(), 50u);
}

// A result limit gives exactly that many results, not what is in flight when it is reached
// (batches of 4 with detection overlapped: up to 8 frames beyond it are already processed).
TEST(StreamProcessor, MaxResultsHandsOverExactlyThatMany) {
  const std::string out = (std::filesystem::temp_directory_path() / "pt_sp_max.jsonl").string();
  auto p = PipelineFactory::create_batch_pipeline(light_config(), 4);
  ASSERT_TRUE(p.is_ok());
  StreamProcessorConfig sc = PipelineFactory::batch_stream_config(4);
  sc.overlap_detection = true;
  sc.max_results = 7;
  StreamProcessor sp(std::move(p).value(), testing::clip("mpeg2.ts"), SourceConfig{}, sc);
  auto sink = make_jsonl_sink(out);
  ASSERT_TRUE(sink.is_ok());
  sp.add_sink(std::move(sink).value());
  std::vector<int64_t> frames;
  ASSERT_TRUE(sp.start([&](const FrameResult& r) { frames.push_back(r.frame_index); }).is_ok());
  EXPECT_TRUE(sp.wait().is_ok());
  ASSERT_EQ(frames.size(), 7u);
  for (size_t i = 0; i < frames.size(); ++i) EXPECT_EQ(frames[i], static_cast<int64_t>(i));
  EXPECT_EQ(sp.stats().results_written, 7);
  EXPECT_LT(sp.stats().frames_processed, 50);  // the rest of the file was not read
  auto back = read_tracks_jsonl(out);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->size(), 7u);
}

// Detection of batch k+1 overlapped with tracking of batch k gives the same results, in order;
// so do two detector sessions detecting two batches at once.
TEST(StreamProcessor, OverlappedDetectionGivesTheSameResultsInOrder) {
  std::vector<std::vector<FrameResult>> runs;
  for (const auto& [overlap, sessions] : {std::pair{false, 1}, std::pair{true, 1}, std::pair{true, 2}}) {
    PipelineConfig pc = light_config();
    pc.detector_sessions = sessions;
    auto p = PipelineFactory::create_batch_pipeline(pc, 2);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_EQ((*p)->detection_concurrency(), sessions);
    StreamProcessorConfig sc = PipelineFactory::batch_stream_config(2);
    sc.overlap_detection = overlap;
    StreamProcessor sp(std::move(p).value(), testing::clip("mpeg2.ts"), SourceConfig{}, sc);
    std::vector<FrameResult> got;
    ASSERT_TRUE(sp.start([&](const FrameResult& r) { got.push_back(r); }).is_ok());
    EXPECT_TRUE(sp.wait().is_ok());
    runs.push_back(std::move(got));
  }
  ASSERT_EQ(runs[0].size(), 50u);
  for (size_t run = 1; run < runs.size(); ++run) {
    ASSERT_EQ(runs[run].size(), 50u) << "run " << run;
    for (size_t i = 0; i < 50; ++i) {
      EXPECT_EQ(runs[run][i].frame_index, static_cast<int64_t>(i));
      ASSERT_EQ(runs[run][i].tracks.size(), runs[0][i].tracks.size()) << "run " << run << " frame " << i;
      for (size_t k = 0; k < runs[0][i].tracks.size(); ++k) {
        EXPECT_EQ(runs[run][i].tracks[k].track_id, runs[0][i].tracks[k].track_id);
        EXPECT_FLOAT_EQ(runs[run][i].tracks[k].box_px.x1, runs[0][i].tracks[k].box_px.x1);
      }
    }
  }
}

TEST(Pipeline, DetectorSessionsOutOfRangeOrWithACallersDetectorAreErrors) {
  PipelineConfig pc = light_config();
  pc.detector_sessions = 0;
  auto p = Pipeline::create(pc);
  ASSERT_FALSE(p.is_ok());
  EXPECT_NE(p.status().message().find("detector_sessions"), std::string::npos);
  pc.detector_sessions = 2;
  auto own = create_detector(pc.detector);
  ASSERT_TRUE(own.is_ok());
  p = Pipeline::create(pc, std::move(own).value());
  ASSERT_FALSE(p.is_ok());
  EXPECT_NE(p.status().message().find("detector_sessions"), std::string::npos);
}

TEST(Pipeline, CallerGivenDetectorSessionsAllRun) {
  PipelineConfig pc = light_config();
  pc.detector_sessions = 2;
  std::vector<std::unique_ptr<Detector>> sessions;
  for (int i = 0; i < 2; ++i) sessions.push_back(std::move(create_detector(pc.detector)).value());
  auto p = Pipeline::create(pc, std::move(sessions));
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ((*p)->detection_concurrency(), 2);
  std::vector<std::unique_ptr<Detector>> with_null(2);
  EXPECT_EQ(Pipeline::create(pc, std::move(with_null)).status().code(), StatusCode::kInvalidArgument);
}

// With detections in flight, a frame whose detection is done is tracked and emitted while the
// next frame has not arrived (here: is held back until the first result is out), not when that
// next frame comes or the 200 ms idle poll ends.
TEST(StreamProcessor, OverlappedDetectionEmitsWithoutWaitingForTheNextFrame) {
  testing::FakeSource* source = nullptr;
  StreamProcessorConfig sc;
  sc.overlap_detection = true;
  sc.warm_up = false;
  sc.idle_poll_ms = 60000;  // without the short poll, frame 0 would wait a minute for frame 1
  sc.source_opener = [&source](const std::string&, const SourceConfig&) -> Result<std::unique_ptr<Source>> {
    auto s = std::make_unique<testing::FakeSource>(
        testing::FakeSourceOptions{.count = 2, .live = true, .block_before = 1});
    source = s.get();
    return std::unique_ptr<Source>(std::move(s));
  };
  auto p = Pipeline::create(light_config());
  ASSERT_TRUE(p.is_ok());
  StreamProcessor sp(std::move(p).value(), "fake://held", SourceConfig{}, sc);
  std::mutex m;
  std::condition_variable cv;
  std::vector<int64_t> got;
  ASSERT_TRUE(sp.start([&](const FrameResult& r) {
                  std::lock_guard lock(m);
                  got.push_back(r.frame_index);
                  cv.notify_all();
                }).is_ok());
  {
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return !got.empty(); }))
        << "frame 0 was not emitted while frame 1 was held back";
  }
  ASSERT_NE(source, nullptr);
  source->release();
  EXPECT_TRUE(sp.wait().is_ok());
  EXPECT_EQ(got, (std::vector<int64_t>{0, 1}));
}

// stop() while a lost live stream reconnects to a peer that never answers returns at once, not
// after the 20 s open timeout: the pipeline thread's stop token reaches the open.
TEST(StreamProcessor, StopDuringAReconnectionDoesNotWaitForTheOpenTimeout) {
  testing::SilentServer server;
  std::atomic<int> opens{0};
  StreamProcessorConfig sc;
  sc.warm_up = false;
  sc.reconnect_initial_ms = 10;
  sc.source_opener = [&](const std::string&, const SourceConfig& config) -> Result<std::unique_ptr<Source>> {
    if (opens.fetch_add(1) == 0) {  // the first connection: 3 frames, then the stream is lost
      return std::unique_ptr<Source>(std::make_unique<testing::FakeSource>(
          testing::FakeSourceOptions{.count = 3, .live = true, .end_status = unavailable("peer went away")}));
    }
    return open_source(server.uri("rtmp"), config);  // blocks: the peer accepts and never answers
  };
  SourceConfig source_config;
  source_config.open_timeout_ms = 20000;
  source_config.read_timeout_ms = 20000;  // also FFmpeg's socket-level timeout of a live input
  auto p = Pipeline::create(light_config());
  ASSERT_TRUE(p.is_ok());
  StreamProcessor sp(std::move(p).value(), "fake://reconnecting", source_config, sc);
  std::atomic<int> results{0};
  ASSERT_TRUE(sp.start([&](const FrameResult&) { ++results; }).is_ok());
  for (int i = 0; i < 500 && opens.load() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(opens.load(), 2) << "no reconnection attempt";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // inside the blocking open
  const auto t0 = std::chrono::steady_clock::now();
  sp.stop();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 3.0) << "stop() waited for the open timeout";
  EXPECT_EQ(results.load(), 3);  // the frames before the loss were all delivered
  EXPECT_EQ(sp.stats().disconnects, 1);
}

TEST(StreamProcessor, StopFlushesEverythingProducedSoFar) {
  const std::string out = (std::filesystem::temp_directory_path() / "pt_sp_stop.jsonl").string();
  auto p = PipelineFactory::create_realtime_pipeline(light_config(), 0);
  ASSERT_TRUE(p.is_ok());
  StreamProcessor sp(std::move(p).value(), testing::clip("h264.mp4"), SourceConfig{},
                     StreamProcessorConfig{});
  sp.add_sink(std::move(make_jsonl_sink(out)).value());
  int callbacks = 0;
  ASSERT_TRUE(sp.start([&](const FrameResult&) { ++callbacks; }).is_ok());
  while (sp.stats().results_written < 5) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  sp.stop();
  auto back = read_tracks_jsonl(out);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(static_cast<int>(back->size()), callbacks);  // every result the callback saw is on disk
  EXPECT_GE(callbacks, 5);
}

// stop() from another thread while the owner is in wait() (a signal watcher): both return, each
// thread is joined once, and what was produced is flushed.
TEST(StreamProcessor, StopFromAnotherThreadWhileWaiting) {
  auto p = PipelineFactory::create_realtime_pipeline(light_config(), 0);
  ASSERT_TRUE(p.is_ok());
  StreamProcessorConfig sc;
  sc.pace_input = true;  // 2 s of video at its own rate: still running when stopped
  StreamProcessor sp(std::move(p).value(), testing::clip("h264.mp4"), SourceConfig{}, sc);
  std::atomic<int> results{0};
  ASSERT_TRUE(sp.start([&](const FrameResult&) { ++results; }).is_ok());
  std::jthread watcher([&] {
    while (results.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    sp.stop();
  });
  EXPECT_TRUE(sp.wait().is_ok());
  watcher.join();
  sp.stop();  // again, after both: a no-op
  EXPECT_GE(results.load(), 3);
  EXPECT_LT(results.load(), 50);
  EXPECT_EQ(sp.stats().results_written, results.load());
}

TEST(StreamProcessor, MissingSourceIsAClearError) {
  auto p = Pipeline::create(light_config());
  ASSERT_TRUE(p.is_ok());
  StreamProcessor sp(std::move(p).value(), testing::clip("nope.mp4"), SourceConfig{},
                     StreamProcessorConfig{});
  Status s = sp.start();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("nope.mp4"), std::string::npos);
}

TEST(RunConfig, ShippedConfigsLoadAndUnknownKeysFail) {
  for (const char* name :
       {"realtime-cpu.yaml", "batch-cpu.yaml", "realtime-gpu.yaml", "multistream-gpu.yaml"}) {
    auto c = load_run_config(testing::source_dir() + "/config/" + name);
    EXPECT_TRUE(c.is_ok()) << name << ": " << c.status().to_string();
  }
  const auto multi = load_run_config(testing::source_dir() + "/config/multistream-gpu.yaml");
  ASSERT_TRUE(multi.is_ok()) << multi.status().to_string();
  EXPECT_GT(multi->source.hwaccel_max_decoders, 0);
  EXPECT_TRUE(multi->pipeline.detector.pin_frames);
  EXPECT_TRUE(multi->pipeline.detector.cuda_graphs);
  const std::string bad = (std::filesystem::temp_directory_path() / "pt_bad.yaml").string();
  std::ofstream(bad) << "mode: realtime\ndetector:\n  backnd: onnx\n";
  auto c = load_run_config(bad);
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("detector.backnd"), std::string::npos);
  EXPECT_EQ(load_run_config("/nonexistent.yaml").status().code(), StatusCode::kNotFound);
}

TEST(RunConfig, SeveralDetectorSessionsNeedOverlappedDetection) {
  const std::string path = (std::filesystem::temp_directory_path() / "pt_sessions.yaml").string();
  std::ofstream(path) << "mode: batch\ndetector:\n  sessions: 2\n";
  auto c = load_run_config(path);
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("overlap_detection"), std::string::npos) << c.status().message();
  std::ofstream(path) << "mode: batch\noverlap_detection: true\ndetector:\n  sessions: 2\n";
  c = load_run_config(path);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->pipeline.detector_sessions, 2);
}

TEST(RunConfig, CameraMotionIsABoolOrAMappingOfItsSettings) {
  const std::string path = (std::filesystem::temp_directory_path() / "pt_motion.yaml").string();
  std::ofstream(path) << "camera_motion: false\n";
  auto c = load_run_config(path);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_FALSE(c->pipeline.camera_motion);

  std::ofstream(path) << "camera_motion:\n  work_width: 480\n  max_features: 150\n  lk_levels: 2\n";
  c = load_run_config(path);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_TRUE(c->pipeline.camera_motion);
  EXPECT_EQ(c->pipeline.motion.work_width, 480);
  EXPECT_EQ(c->pipeline.motion.max_features, 150);
  EXPECT_EQ(c->pipeline.motion.lk_levels, 2);
  EXPECT_EQ(c->pipeline.motion.lk_window_px, CameraMotionConfig{}.lk_window_px);

  std::ofstream(path) << "camera_motion:\n  enabled: false\n";
  c = load_run_config(path);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_FALSE(c->pipeline.camera_motion);

  std::ofstream(path) << "camera_motion:\n  work_width: 10\n";  // below the estimator's minimum
  c = load_run_config(path);
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("camera_motion.work_width"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find(path), std::string::npos) << c.status().message();

  std::ofstream(path) << "camera_motion:\n  work_widht: 480\n";
  c = load_run_config(path);
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("camera_motion.work_widht"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
