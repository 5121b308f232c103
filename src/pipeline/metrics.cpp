#include "pitchtrack/pipeline/metrics.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

namespace pitchtrack {

const char* stage_name(Stage s) {
  static constexpr const char* kNames[kNumStages] = {"decode", "preprocess", "detect",  "track",
                                                     "team",   "calibrate",  "project", "output"};
  return kNames[static_cast<size_t>(s)];
}

double StageTimes::total() const { return std::accumulate(ms.begin(), ms.end(), 0.0); }

MetricsCollector::MetricsCollector(size_t window, const Clock* clock)
    : clock_(clock != nullptr ? clock : &steady_clock()),
      window_(std::max<size_t>(window, 1)),
      latency_ring_(window_),
      stage_ring_(window_) {}

void MetricsCollector::record_frame(double latency_ms, const StageTimes& stages) {
  const int64_t now = clock_->now_us();
  std::lock_guard lock(mutex_);
  latency_ring_[next_] = latency_ms;
  stage_ring_[next_] = stages;
  next_ = (next_ + 1) % window_;
  filled_ = std::min(filled_ + 1, window_);
  ++processed_;
  if (first_us_ < 0) first_us_ = now;
  last_us_ = now;
}

void MetricsCollector::record_drops(int64_t n) {
  std::lock_guard lock(mutex_);
  dropped_ += n;
}

void MetricsCollector::set_gpu_memory_mb(double mb) {
  std::lock_guard lock(mutex_);
  gpu_mb_ = mb;
}

void MetricsCollector::reset() {
  std::lock_guard lock(mutex_);
  next_ = filled_ = 0;
  processed_ = dropped_ = 0;
  first_us_ = last_us_ = -1;
}

namespace {
double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const double pos = p * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}
}  // namespace

PipelineMetrics MetricsCollector::snapshot(size_t last_n) const {
  PipelineMetrics m;
  std::vector<double> lat;
  {
    std::lock_guard lock(mutex_);
    const size_t n = last_n == 0 ? filled_ : std::min(last_n, filled_);
    lat.reserve(n);
    for (size_t k = 0; k < n; ++k) {  // the n most recent entries of the ring
      const size_t i = (next_ + window_ - 1 - k) % window_;
      lat.push_back(latency_ring_[i]);
      for (int s = 0; s < kNumStages; ++s)
        m.stage_mean_ms[static_cast<size_t>(s)] += stage_ring_[i].ms[static_cast<size_t>(s)];
    }
    m.frames_processed = processed_;
    m.frames_dropped = dropped_;
    // FPS over the frames' result times; a single frame gives no rate.
    m.elapsed_s = last_us_ > first_us_ ? static_cast<double>(last_us_ - first_us_) / 1e6 : 0.0;
    m.fps = m.elapsed_s > 0 ? static_cast<double>(processed_ - 1) / m.elapsed_s : 0.0;
    m.gpu_memory_mb = gpu_mb_;
  }
  const double n = static_cast<double>(std::max<size_t>(lat.size(), 1));
  for (double& v : m.stage_mean_ms) v /= n;
  const double sum = std::accumulate(m.stage_mean_ms.begin(), m.stage_mean_ms.end(), 0.0);
  for (int s = 0; s < kNumStages; ++s) {
    m.stage_percent[static_cast<size_t>(s)] =
        sum > 0 ? 100.0 * m.stage_mean_ms[static_cast<size_t>(s)] / sum : 0.0;
  }
  const int64_t total = m.frames_processed + m.frames_dropped;
  m.drop_rate = total > 0 ? static_cast<double>(m.frames_dropped) / static_cast<double>(total) : 0.0;
  if (!lat.empty()) {
    m.latency.mean_ms = std::accumulate(lat.begin(), lat.end(), 0.0) / static_cast<double>(lat.size());
    std::sort(lat.begin(), lat.end());
    m.latency.p50_ms = percentile(lat, 0.50);
    m.latency.p95_ms = percentile(lat, 0.95);
    m.latency.p99_ms = percentile(lat, 0.99);
    m.latency.max_ms = lat.back();
  }
  m.rss_mb = process_rss_mb();
  return m;
}

std::string PipelineMetrics::to_json() const {
  nlohmann::json j;
  j["frames_processed"] = frames_processed;
  j["frames_dropped"] = frames_dropped;
  j["drop_rate"] = drop_rate;
  j["fps"] = fps;
  j["elapsed_s"] = elapsed_s;
  j["latency_ms"] = {{"mean", latency.mean_ms},
                     {"p50", latency.p50_ms},
                     {"p95", latency.p95_ms},
                     {"p99", latency.p99_ms},
                     {"max", latency.max_ms}};
  nlohmann::json stages = nlohmann::json::object();
  for (int s = 0; s < kNumStages; ++s) {
    stages[stage_name(static_cast<Stage>(s))] = {{"ms", stage_mean_ms[static_cast<size_t>(s)]},
                                                 {"percent", stage_percent[static_cast<size_t>(s)]}};
  }
  j["stages"] = stages;
  j["rss_mb"] = rss_mb;
  j["gpu_memory_mb"] = gpu_memory_mb >= 0 ? nlohmann::json(gpu_memory_mb) : nlohmann::json(nullptr);
  return j.dump(2);
}

std::string PipelineMetrics::to_table() const {
  std::ostringstream o;
  char line[160];
  std::snprintf(line, sizeof(line), "%-28s %10.2f\n", "processing FPS", fps);
  o << line;
  std::snprintf(line, sizeof(line), "%-28s %10.1f / %.1f / %.1f ms\n", "latency p50 / p95 / p99",
                latency.p50_ms, latency.p95_ms, latency.p99_ms);
  o << line;
  std::snprintf(
      line, sizeof(line), "%-28s %10s\n", "GPU memory",
      gpu_memory_mb >= 0 ? (std::to_string(static_cast<int>(gpu_memory_mb)) + " MB").c_str() : "n/a (CPU)");
  o << line;
  std::snprintf(line, sizeof(line), "%-28s %10.2f %% (%lld of %lld)\n", "frame drop rate", 100.0 * drop_rate,
                static_cast<long long>(frames_dropped),
                static_cast<long long>(frames_processed + frames_dropped));
  o << line;
  std::snprintf(line, sizeof(line), "%-28s %10.0f MB\n", "process RSS", rss_mb);
  o << line;
  o << "component breakdown (mean per frame):\n";
  for (int s = 0; s < kNumStages; ++s) {
    std::snprintf(line, sizeof(line), "  %-26s %8.2f ms %6.1f %%\n", stage_name(static_cast<Stage>(s)),
                  stage_mean_ms[static_cast<size_t>(s)], stage_percent[static_cast<size_t>(s)]);
    o << line;
  }
  return o.str();
}

double process_rss_mb() {
  std::ifstream in("/proc/self/statm");
  long pages_total = 0, pages_rss = 0;
  if (!(in >> pages_total >> pages_rss)) return 0.0;
  return static_cast<double>(pages_rss) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

}  // namespace pitchtrack
