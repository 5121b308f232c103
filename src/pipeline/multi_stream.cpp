#include "pitchtrack/pipeline/multi_stream.hpp"

#include <map>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "pitchtrack/detect/registry.hpp"

namespace pitchtrack {
namespace {

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Which resource limits the run, from what was measured (see the header).
std::string find_bottleneck(const MultiStreamReport& r) {
  const double kept = r.target_fps > 0 ? r.aggregate_fps / r.target_fps : 0.0;
  const double cpu_share = r.cpu_cores > 0 ? r.cpu_cores_used / r.cpu_cores : 0.0;
  // The CPU stage costing the most core time.
  Stage top = Stage::kDecode;
  for (Stage s :
       {Stage::kDecode, Stage::kTrack, Stage::kTeam, Stage::kCalibrate, Stage::kProject, Stage::kOutput}) {
    if (r.stage_mean_ms[static_cast<size_t>(s)] > r.stage_mean_ms[static_cast<size_t>(top)]) top = s;
  }
  const std::string load = "detector busy " + fmt("%.0f", 100 * r.batcher.busy_fraction) + "%, CPU " +
                           fmt("%.1f", r.cpu_cores_used) + " of " + std::to_string(r.cpu_cores) +
                           " cores, largest CPU stage " + stage_name(top) + " " +
                           fmt("%.2f", r.stage_mean_ms[static_cast<size_t>(top)]) + " ms/frame";
  if (kept >= 0.98 && r.drop_rate <= 0.01) return "none: every stream keeps its rate (" + load + ")";
  if (r.batcher.busy_fraction >= 0.85) return "inference: the shared detector is saturated (" + load + ")";
  if (cpu_share >= 0.85) return std::string("CPU: the cores are saturated (") + load + ")";
  return "per-stream threads: neither the detector nor the CPU is saturated, a stream's serial stages are "
         "too slow or wait on each other (" +
         load + ")";
}

}  // namespace

Result<MultiStreamReport> benchmark_multi_stream(const PipelineConfig& config,
                                                 const SourceConfig& source_config,
                                                 const StreamProcessorConfig& stream_config,
                                                 const DetectionBatcherConfig& batcher_config,
                                                 const std::vector<std::string>& sources, int streams,
                                                 double duration_s) {
  if (streams < 1)
    return invalid_argument("multi-stream benchmark: streams must be >= 1, got " + std::to_string(streams));
  if (sources.empty()) return invalid_argument("multi-stream benchmark: no source given");
  if (duration_s < 0) return invalid_argument("multi-stream benchmark: duration must be >= 0");

  DetectorConfig det = config.detector;
  det.max_batch = std::max(det.max_batch, batcher_config.max_batch);
  if (batcher_config.clients_per_stream < 1 || batcher_config.clients_per_stream > 8) {
    return invalid_argument("multi-stream benchmark: clients per stream must be in 1..8, got " +
                            std::to_string(batcher_config.clients_per_stream));
  }
  if (batcher_config.clients_per_stream > 1 && !stream_config.overlap_detection) {
    return invalid_argument(
        "multi-stream benchmark: multistream.clients_per_stream > 1 needs overlap_detection: true (otherwise "
        "the extra clients would never run)");
  }
  if (batcher_config.sessions < 1 || batcher_config.sessions > 8) {
    return invalid_argument("multi-stream benchmark: batcher sessions must be in 1..8, got " +
                            std::to_string(batcher_config.sessions));
  }
  PT_ASSIGN_OR_RETURN(auto model, load_detector_model(det));
  std::vector<std::unique_ptr<Detector>> sessions;
  for (int i = 0; i < batcher_config.sessions; ++i) {
    PT_ASSIGN_OR_RETURN(auto session, model->create_session());
    sessions.push_back(std::move(session));
  }
  PT_ASSIGN_OR_RETURN(auto batcher, DetectionBatcher::create(std::move(sessions), batcher_config));
  {
    auto probe = open_source(sources.front(), source_config);
    if (!probe.is_ok()) return probe.status();
    PT_RETURN_IF_ERROR(batcher->warm_up((*probe)->info().width, (*probe)->info().height));
  }

  MultiStreamReport rep;
  rep.streams = streams;
  rep.detector = batcher->caps();
  rep.cpu_cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Pipelines are built one after the other (model loading is not worth racing), then the
  // streams are started in parallel so that all of them run together for the measured window.
  std::vector<std::unique_ptr<StreamProcessor>> procs;
  procs.reserve(static_cast<size_t>(streams));
  for (int i = 0; i < streams; ++i) {
    const std::string& uri = sources[static_cast<size_t>(i) % sources.size()];
    PipelineConfig shared = config;  // the shared batcher's clients are the stream's detector sessions
    shared.detector_sessions = batcher_config.clients_per_stream;
    std::vector<std::unique_ptr<Detector>> clients;
    for (int c = 0; c < batcher_config.clients_per_stream; ++c) clients.push_back(batcher->make_client(i));
    auto pipeline = Pipeline::create(shared, std::move(clients));
    if (!pipeline.is_ok()) return pipeline.status().with_context("stream " + std::to_string(i));
    procs.push_back(
        std::make_unique<StreamProcessor>(std::move(*pipeline), uri, source_config, stream_config));
  }
  std::vector<Status> started(procs.size());
  {
    const size_t workers = std::min<size_t>(procs.size(), static_cast<size_t>(rep.cpu_cores));
    std::atomic<size_t> next{0};
    std::vector<std::jthread> pool;
    for (size_t w = 0; w < workers; ++w) {
      pool.emplace_back([&] {
        for (size_t i = next++; i < procs.size(); i = next++) started[i] = procs[i]->start();
      });
    }
  }
  Status first_error;
  for (size_t i = 0; i < started.size(); ++i) {
    if (!started[i].is_ok() && first_error.is_ok()) {
      first_error =
          started[i].with_context("stream " + std::to_string(i) + " ('" + sources[i % sources.size()] + "')");
    }
  }
  // The measured window: from every stream running to the end of the duration (or of the
  // inputs). Counts are differences over the window; latency and stage times are over each
  // stream's frames of the window.
  struct Mark {
    int64_t processed = 0, dropped = 0;
  };
  auto mark = [&](size_t i) {
    const StreamStats st = procs[i]->stats();
    return Mark{st.frames_processed, st.dropped_reader + st.dropped_latency};
  };
  std::vector<Mark> at_start(procs.size());
  const auto w0 = std::chrono::steady_clock::now();
  const double cpu0 = process_cpu_seconds();
  for (size_t i = 0; i < procs.size(); ++i) at_start[i] = mark(i);
  auto sample_gpu = [&] {
    rep.gpu_memory_peak_mb = std::max(rep.gpu_memory_peak_mb, batcher->gpu_memory_mb());
  };
  while (first_error.is_ok()) {
    sample_gpu();
    const bool any_running =
        std::any_of(procs.begin(), procs.end(), [](const auto& p) { return p->stats().running; });
    const double run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    if (!any_running || (duration_s > 0 && run_s >= duration_s)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  sample_gpu();
  std::vector<Mark> at_end(procs.size());
  for (size_t i = 0; i < procs.size(); ++i) at_end[i] = mark(i);
  rep.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  rep.cpu_cores_used = rep.elapsed_s > 0 ? (process_cpu_seconds() - cpu0) / rep.elapsed_s : 0.0;
  for (size_t i = 0; i < procs.size(); ++i) {
    if (started[i].is_ok()) procs[i]->stop();
  }
  for (size_t i = 0; i < procs.size(); ++i) {
    if (!started[i].is_ok()) continue;
    Status s = procs[i]->wait();
    if (!s.is_ok() && s.code() != StatusCode::kCancelled && first_error.is_ok()) first_error = s;
  }
  if (!first_error.is_ok()) return first_error;

  std::vector<double> p50s;
  double weighted_frames = 0;
  for (size_t i = 0; i < procs.size(); ++i) {
    StreamReport sr;
    sr.source = sources[i % sources.size()];
    const int64_t window_frames = at_end[i].processed - at_start[i].processed;
    sr.metrics =
        procs[i]->pipeline().metrics().snapshot(static_cast<size_t>(std::max<int64_t>(window_frames, 1)));
    sr.stats = procs[i]->stats();
    const PipelineMetrics& m = sr.metrics;
    const double src_fps = procs[i]->info().fps > 0 ? procs[i]->info().fps : 25.0;
    rep.target_fps += stream_config.target_fps > 0 ? std::min(stream_config.target_fps, src_fps) : src_fps;
    rep.frames_processed += window_frames;
    rep.frames_dropped += at_end[i].dropped - at_start[i].dropped;
    p50s.push_back(m.latency.p50_ms);
    rep.latency_p99_ms = std::max(rep.latency_p99_ms, m.latency.p99_ms);
    rep.latency_max_ms = std::max(rep.latency_max_ms, m.latency.max_ms);
    const double w = static_cast<double>(window_frames);
    for (int k = 0; k < kNumStages; ++k)
      rep.stage_mean_ms[static_cast<size_t>(k)] += w * m.stage_mean_ms[static_cast<size_t>(k)];
    weighted_frames += w;
    rep.per_stream.push_back(std::move(sr));
  }
  rep.aggregate_fps = rep.elapsed_s > 0 ? static_cast<double>(rep.frames_processed) / rep.elapsed_s : 0.0;
  if (weighted_frames > 0) {
    for (double& v : rep.stage_mean_ms) v /= weighted_frames;
  }
  if (!p50s.empty()) {
    std::nth_element(p50s.begin(), p50s.begin() + static_cast<std::ptrdiff_t>(p50s.size() / 2), p50s.end());
    rep.latency_p50_ms = p50s[p50s.size() / 2];
  }
  const int64_t seen = rep.frames_processed + rep.frames_dropped;
  rep.drop_rate = seen > 0 ? static_cast<double>(rep.frames_dropped) / static_cast<double>(seen) : 0.0;
  std::map<std::string, int> decoders;  // what each stream's source reported when it opened
  for (const auto& proc : procs) {
    const StreamInfo& info = proc->info();
    ++decoders[info.hwaccel != "cuda"
                   ? "cpu"
                   : (info.gpu_convert ? "nvdec, bgr on the gpu" : "nvdec, bgr on the cpu")];
  }
  for (const auto& [how, n] : decoders) {
    if (!rep.decoding.empty()) rep.decoding += "; ";
    rep.decoding += decoders.size() == 1 ? how : how + " (" + std::to_string(n) + " streams)";
  }
  rep.rss_mb = process_rss_mb();
  rep.batcher = batcher->stats();
  rep.bottleneck = find_bottleneck(rep);
  return rep;
}

std::string MultiStreamReport::to_json() const {
  nlohmann::json j;
  j["streams"] = streams;
  j["elapsed_s"] = elapsed_s;
  j["aggregate_fps"] = aggregate_fps;
  j["target_fps"] = target_fps;
  j["frames_processed"] = frames_processed;
  j["frames_dropped"] = frames_dropped;
  j["drop_rate"] = drop_rate;
  j["latency_ms"] = {
      {"p50_median_stream", latency_p50_ms}, {"p99_worst_stream", latency_p99_ms}, {"max", latency_max_ms}};
  nlohmann::json stages;
  for (int k = 0; k < kNumStages; ++k)
    stages[stage_name(static_cast<Stage>(k))] = stage_mean_ms[static_cast<size_t>(k)];
  j["stage_mean_ms"] = stages;
  j["gpu_memory_peak_mb"] =
      gpu_memory_peak_mb >= 0 ? nlohmann::json(gpu_memory_peak_mb) : nlohmann::json(nullptr);
  j["rss_mb"] = rss_mb;
  j["cpu_cores_used"] = cpu_cores_used;
  j["cpu_cores"] = cpu_cores;
  j["detector"] = {{"backend", detector.backend},
                   {"device", detector.device},
                   {"precision", detector.precision},
                   {"cuda_graphs", detector.cuda_graphs},
                   {"pinned_frames", detector.pinned_frames}};
  j["batcher"] = {{"batches", batcher.batches},
                  {"frames", batcher.frames},
                  {"mean_batch", batcher.mean_batch},
                  {"max_batch_seen", batcher.max_batch_seen},
                  {"mean_wait_ms", batcher.mean_wait_ms},
                  {"mean_forward_ms", batcher.mean_forward_ms},
                  {"busy_fraction", batcher.busy_fraction},
                  {"sessions", batcher.sessions},
                  {"released_all_streams", batcher.by_all_clients},
                  {"released_full", batcher.by_full},
                  {"released_deadline", batcher.by_deadline}};
  j["decoding"] = decoding;
  j["bottleneck"] = bottleneck;
  nlohmann::json per = nlohmann::json::array();
  for (const StreamReport& s : per_stream) {
    per.push_back({{"source", s.source},
                   {"metrics", nlohmann::json::parse(s.metrics.to_json())},
                   {"disconnects", s.stats.disconnects},
                   {"reconnects", s.stats.reconnects}});
  }
  j["per_stream"] = per;
  return j.dump(2);
}

std::string MultiStreamReport::to_table() const {
  std::ostringstream o;
  o << "streams                 " << streams << " sharing one " << detector.backend << " detector ("
    << detector.device << ", " << detector.precision << (detector.cuda_graphs ? ", CUDA graphs" : "")
    << (detector.pinned_frames ? ", page-locked frames" : "") << ")\n";
  o << "aggregate FPS           " << fmt("%.1f", aggregate_fps) << " of " << fmt("%.1f", target_fps)
    << " asked (" << fmt("%.2f", streams > 0 ? aggregate_fps / streams : 0.0) << " per stream)\n";
  o << "latency p50 / p99       " << fmt("%.1f", latency_p50_ms) << " / " << fmt("%.1f", latency_p99_ms)
    << " ms (median stream p50 / worst stream p99), max " << fmt("%.0f", latency_max_ms) << " ms\n";
  o << "frame drops             " << frames_dropped << " of " << (frames_processed + frames_dropped) << " ("
    << fmt("%.2f", 100 * drop_rate) << " %)\n";
  o << "GPU memory (peak)       "
    << (gpu_memory_peak_mb >= 0 ? fmt("%.0f MB", gpu_memory_peak_mb) : std::string("n/a")) << "\n";
  o << "process RSS             " << fmt("%.0f MB", rss_mb) << "\n";
  o << "CPU                     " << fmt("%.1f", cpu_cores_used) << " of " << cpu_cores << " cores\n";
  o << "detector batches        " << batcher.sessions << (batcher.sessions == 1 ? " session" : " sessions")
    << ", mean " << fmt("%.1f", batcher.mean_batch) << " frames (max " << batcher.max_batch_seen
    << "), forward " << fmt("%.2f", batcher.mean_forward_ms) << " ms, wait "
    << fmt("%.2f", batcher.mean_wait_ms) << " ms, busy " << fmt("%.0f", 100 * batcher.busy_fraction)
    << " %; released by all-streams/full/deadline " << batcher.by_all_clients << "/" << batcher.by_full << "/"
    << batcher.by_deadline << "\n";
  o << "decoding                " << decoding << "\n";
  o << "stage ms per frame      ";
  for (int k = 0; k < kNumStages; ++k) {
    o << stage_name(static_cast<Stage>(k)) << " " << fmt("%.2f", stage_mean_ms[static_cast<size_t>(k)])
      << (k + 1 < kNumStages ? ", " : "\n");
  }
  o << "bottleneck              " << bottleneck << "\n";
  return o.str();
}

}  // namespace pitchtrack
