// `pitchtrack run` and `pitchtrack bench`: the product's main job and its benchmark.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "pitchtrack/core/version.hpp"
#include "pitchtrack/pipeline/annotated_video_sink.hpp"
#include "pitchtrack/pipeline/factory.hpp"
#include "pitchtrack/pipeline/multi_stream.hpp"
#include "pitchtrack/pipeline/offline_stitch.hpp"

namespace pitchtrack::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

struct RunArgs {
  std::string config;
  std::string source;
  std::string out_dir;
  int64_t max_frames = 0;
  double target_fps = -1;
  bool annotate = false;
  bool progress = true;
};

struct BenchArgs {
  std::string config;
  std::string source;
  double duration_s = 0;
  double target_fps = -1;
  std::string mode;
  std::string json_out;
  int streams = 0;  // 0: the single-stream benchmark; N >= 1: N streams sharing one detector
  double max_wait_ms = -1;
  int max_batch = 0;
};

Result<RunConfig> config_from(const std::string& path) {
  if (path.empty()) return RunConfig{};
  return load_run_config(path);
}

int run_run(const RunArgs& a) {
  // From the start: a Ctrl-C while the input opens still ends with complete outputs.
  std::signal(SIGINT, on_sigint);
  std::signal(SIGTERM, on_sigint);
  auto cfg = config_from(a.config);
  if (!cfg.is_ok()) return fail("run", cfg.status().to_string());
  if (a.target_fps >= 0) cfg->stream.target_fps = a.target_fps;
  std::error_code ec;
  std::filesystem::create_directories(a.out_dir, ec);
  if (ec) return fail("run", "cannot create output directory '" + a.out_dir + "': " + ec.message());

  // Frame rate for time-based settings: the source's own.
  StreamInfo probed;
  {
    auto probe = open_source(a.source, cfg->source);
    if (!probe.is_ok()) return fail("run", probe.status().to_string());
    probed = (*probe)->info();
    cfg->pipeline.fps = probed.fps > 0 ? probed.fps : 25.0;
    if (cfg->stream.target_fps > 0) cfg->pipeline.fps = std::min(cfg->pipeline.fps, cfg->stream.target_fps);
  }
  // A file run that offline stitching will finish leaves long absences to it: the online tracker
  // keeps lost tracks for at most StitchConfig::online_max_lost_s (a run stopped early keeps the
  // shorter online ids unstitched).
  const OfflineStitchConfig stitch_defaults;
  if (cfg->offline_stitch && !probed.is_live && a.max_frames <= 0) {
    cfg->pipeline.tracker = tracker_config_before_stitching(cfg->pipeline.tracker, stitch_defaults.stitch);
  }
  auto pipeline =
      cfg->mode == "batch"
          ? PipelineFactory::create_batch_pipeline(cfg->pipeline, static_cast<int>(cfg->stream.batch_size))
          : PipelineFactory::create_realtime_pipeline(cfg->pipeline, cfg->stream.target_fps);
  if (!pipeline.is_ok()) return fail("run", pipeline.status().to_string());
  const DetectorCaps caps = (*pipeline)->detector_caps();
  StreamProcessorConfig stream_cfg = cfg->stream;
  stream_cfg.max_results = a.max_frames;  // exactly that many, not what is in flight when it is seen
  StreamProcessor sp(std::move(pipeline).value(), a.source, cfg->source, stream_cfg);
  const std::string tracks_path = (std::filesystem::path(a.out_dir) / "tracks.jsonl").string();
  auto sink = make_jsonl_sink(tracks_path);
  if (!sink.is_ok()) return fail("run", sink.status().to_string());
  sp.add_sink(std::move(sink).value());
  std::string annotated_path;
  if (a.annotate) {
    // Drawn and encoded on the sink thread, one output frame per result, at the processed rate.
    annotated_path = (std::filesystem::path(a.out_dir) / "annotated.mp4").string();
    AnnotatedVideoConfig vc;
    vc.video.width = probed.width & ~1;
    vc.video.height = probed.height & ~1;
    vc.video.fps = cfg->pipeline.fps;
    auto video = make_annotated_video_sink(annotated_path, vc);
    if (!video.is_ok()) return fail("run", video.status().to_string());
    sp.add_sink(std::move(video).value());
  }

  std::atomic<int64_t> written{0};
  Status st = sp.start([&](const FrameResult&) { written.fetch_add(1); });
  if (!st.is_ok()) return fail("run", st.to_string());

  const StreamInfo info = sp.info();
  const int64_t total = a.max_frames > 0 ? a.max_frames
                        : info.frame_count > 0 && cfg->stream.target_fps <= 0
                            ? info.frame_count
                            : (info.duration_s > 0 && cfg->stream.target_fps > 0
                                   ? static_cast<int64_t>(info.duration_s * cfg->stream.target_fps)
                                   : 0);
  const bool tty_progress = a.progress && !info.is_live && total > 0 && isatty(fileno(stderr));
  const auto t0 = std::chrono::steady_clock::now();
  bool stopped_by_user = false;
  while (sp.stats().running) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_interrupted.load()) {
      stopped_by_user = true;
      std::cerr << "\npitchtrack run: interrupted, flushing outputs\n";
      sp.stop();
      break;
    }
    if (a.max_frames > 0 && written.load() >= a.max_frames) {
      sp.stop();
      break;
    }
    if (tty_progress) {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const int64_t n = written.load();
      const double fps = el > 0 ? n / el : 0;
      const double frac = std::min(1.0, static_cast<double>(n) / static_cast<double>(total));
      const int bar = static_cast<int>(frac * 30);
      std::fprintf(stderr, "\r[%.*s%*s] %5.1f%% %lld/%lld  %.1f fps  ETA %.0fs ", bar,
                   "##############################", 30 - bar, "", 100 * frac, static_cast<long long>(n),
                   static_cast<long long>(total), fps, fps > 0 ? (total - n) / fps : 0.0);
    }
  }
  Status end = sp.wait();
  if (tty_progress) std::fprintf(stderr, "\n");
  const PipelineMetrics m = sp.metrics();
  const StreamStats s = sp.stats();
  nlohmann::json summary;
  summary["pitchtrack_version"] = std::string(version());
  summary["source"] = nlohmann::json::parse(to_json(info));
  summary["mode"] = cfg->mode;
  summary["detector"] = {{"backend", caps.backend}, {"device", caps.device}, {"max_batch", caps.max_batch}};
  summary["outputs"] = {{"tracks", tracks_path}};
  if (!annotated_path.empty()) summary["outputs"]["annotated_video"] = annotated_path;
  summary["frames_written"] = s.results_written;
  summary["stream"] = nlohmann::json::parse(to_json(s));
  summary["metrics"] = nlohmann::json::parse(m.to_json());
  // Offline finishing of a file run that ended cleanly (never of a live stream or a stopped run):
  // the whole sequence is known, so id fragments are joined and short gaps filled.
  const bool finished = !stopped_by_user && end.is_ok() && !info.is_live;
  if (cfg->offline_stitch && finished && a.max_frames <= 0) {
    OfflineStitchConfig oc = stitch_defaults;
    oc.stitch.fps = cfg->stream.target_fps > 0 ? cfg->stream.target_fps : (info.fps > 0 ? info.fps : 25.0);
    oc.max_interpolation_gap = cfg->interpolate_max_gap;
    auto stitched = stitch_tracks_file(tracks_path, oc);
    if (!stitched.is_ok()) {
      summary["offline_stitch"] = {{"error", stitched.status().to_string()}};
      std::cerr << "pitchtrack run: offline stitching skipped: " << stitched.status().to_string() << "\n";
    } else {
      summary["offline_stitch"] = {{"ids_before", stitched->ids_before},
                                   {"ids_after", stitched->ids_after},
                                   {"boxes_added", stitched->boxes_added},
                                   {"teams_filled", stitched->teams_filled},
                                   {"boxes_smoothed", stitched->boxes_smoothed},
                                   {"crossings_exchanged", stitched->crossings_exchanged}};
    }
  }
  summary["status"] = stopped_by_user
                          ? "interrupted"
                          : (end.is_ok() || end.code() == StatusCode::kCancelled ? "ok" : end.to_string());
  const std::string summary_path = (std::filesystem::path(a.out_dir) / "summary.json").string();
  std::ofstream(summary_path) << summary.dump(2) << "\n";
  std::cout << m.to_table();
  std::cout << "results: " << s.results_written << " frames -> " << tracks_path << ", " << summary_path
            << (annotated_path.empty() ? "" : ", " + annotated_path) << "\n";
  if (!end.is_ok() && end.code() != StatusCode::kCancelled) return fail("run", end.to_string());
  return stopped_by_user ? 130 : 0;
}

// Prints a benchmark's table and writes its JSON where --json asks.
int print_bench(const BenchArgs& a, const std::string& table, const std::string& json) {
  std::cout << table;
  if (a.json_out.empty()) return 0;
  std::ofstream out(a.json_out);
  if (!out) return fail("bench", "cannot write '" + a.json_out + "'");
  out << json << "\n";
  return 0;
}

int run_bench(const BenchArgs& a) {
  auto cfg = config_from(a.config);
  if (!cfg.is_ok()) return fail("bench", cfg.status().to_string());
  if (!a.mode.empty()) cfg->mode = a.mode;
  const double target = a.target_fps >= 0 ? a.target_fps : cfg->stream.target_fps;
  StreamProcessorConfig sc =
      cfg->mode == "batch" ? PipelineFactory::batch_stream_config(static_cast<int>(cfg->stream.batch_size))
                           : cfg->stream;
  if (cfg->mode == "batch") {
    cfg->pipeline.detector.max_batch = static_cast<int>(sc.batch_size);
    sc.overlap_detection = cfg->stream.overlap_detection;
  }
  {
    auto probe = open_source(a.source, cfg->source);
    if (!probe.is_ok()) return fail("bench", probe.status().to_string());
    cfg->pipeline.fps = (*probe)->info().fps > 0 ? (*probe)->info().fps : 25.0;
    if (target > 0) cfg->pipeline.fps = std::min(cfg->pipeline.fps, target);
  }
  if (a.streams > 0) {
    if (a.max_wait_ms >= 0) cfg->batcher.max_wait_ms = a.max_wait_ms;
    if (a.max_batch > 0) cfg->batcher.max_batch = a.max_batch;
    sc.target_fps = target;
    auto rep = benchmark_multi_stream(cfg->pipeline, cfg->source, sc, cfg->batcher, {a.source}, a.streams,
                                      a.duration_s);
    if (!rep.is_ok()) return fail("bench", rep.status().to_string());
    std::cout << "pitchtrack bench: " << a.streams << " x " << a.source << " (" << cfg->mode << ", target "
              << target << " fps, batcher max_batch " << cfg->batcher.max_batch << ", max_wait "
              << cfg->batcher.max_wait_ms << " ms)\n";
    return print_bench(a, rep->to_table(), rep->to_json());
  }
  auto m = benchmark_stream_processor(cfg->pipeline, a.source, a.duration_s, target, sc, cfg->source);
  if (!m.is_ok()) return fail("bench", m.status().to_string());
  std::cout << "pitchtrack bench: " << a.source << " (" << cfg->mode << ", target " << target << " fps)\n";
  return print_bench(a, m->to_table(), m->to_json());
}

}  // namespace

void register_run(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* sub =
      app.add_subcommand("run", "Track a video file or live stream; writes tracks.jsonl and summary.json");
  sub->add_option("--config", a->config,
                  "YAML configuration (config/realtime-cpu.yaml, config/batch-cpu.yaml)");
  sub->add_option("--source", a->source, "video file or stream URI")->required();
  sub->add_option("--out-dir", a->out_dir, "output directory")->required();
  sub->add_option("--max-frames", a->max_frames, "stop after N results")->check(CLI::NonNegativeNumber);
  sub->add_option("--target-fps", a->target_fps, "override the config's target_fps");
  sub->add_flag("--annotate", a->annotate,
                "also write annotated.mp4: boxes by team, track ids, the ball, a HUD line");
  sub->add_flag("--progress,!--no-progress", a->progress, "progress bar with FPS and ETA (files)");
  on_selected(sub, [a] { return run_run(*a); });

  auto b = std::make_shared<BenchArgs>();
  CLI::App* bench =
      app.add_subcommand("bench", "Benchmark the full pipeline on a source: FPS, latency, drops, stages");
  bench->add_option("--config", b->config, "YAML configuration");
  bench->add_option("--source", b->source, "video file or stream URI")->required();
  bench->add_option("--duration", b->duration_s, "seconds to run (0: to the end)")
      ->check(CLI::NonNegativeNumber);
  bench->add_option("--target-fps", b->target_fps, "frames per second taken from the source (0: all)");
  bench->add_option("--mode", b->mode, "realtime or batch")->check(CLI::IsMember({"realtime", "batch"}));
  bench->add_option("--json", b->json_out, "also write the metrics as JSON");
  bench
      ->add_option(
          "--streams", b->streams,
          "run N copies of the source as N live streams sharing one detector (multi-stream batching)")
      ->check(CLI::Range(1, 1024));
  bench
      ->add_option("--max-wait-ms", b->max_wait_ms,
                   "multi-stream: batch deadline, ms (config multistream.max_wait_ms)")
      ->check(CLI::NonNegativeNumber);
  bench
      ->add_option("--max-batch", b->max_batch,
                   "multi-stream: frames per forward pass (config multistream.max_batch)")
      ->check(CLI::Range(1, 1024));
  on_selected(bench, [b] { return run_bench(*b); });
}

}  // namespace pitchtrack::cli
