// Pipeline metrics: throughput, end-to-end latency percentiles, per-stage time, memory, drops.
//
// Contract: MetricsCollector is thread-safe; record_* are cheap (a mutex and a ring write, no
// allocation after construction). snapshot() computes the summary over the last `window` frames
// (latency percentiles, stage means) and over the whole run (counts, FPS from first to last
// frame). Latency is measured from a frame's arrival (reader clock) to its result, in ms.
// Stages: decode, preprocess, detect, track, team, calibrate, project, output.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "pitchtrack/core/clock.hpp"

namespace pitchtrack {

enum class Stage { kDecode, kPreprocess, kDetect, kTrack, kTeam, kCalibrate, kProject, kOutput };
inline constexpr int kNumStages = 8;
const char* stage_name(Stage s);

struct StageTimes {
  std::array<double, kNumStages> ms{};  // wall time per stage for one frame
  double& operator[](Stage s) { return ms[static_cast<size_t>(s)]; }
  double operator[](Stage s) const { return ms[static_cast<size_t>(s)]; }
  double total() const;
};

struct LatencyStats {
  double mean_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};

struct PipelineMetrics {
  int64_t frames_processed = 0;
  int64_t frames_dropped = 0;  // by readers (live overflow) and by the latency guard
  double drop_rate = 0.0;      // dropped / (processed + dropped)
  double fps = 0.0;            // processed frames per second of wall time
  double elapsed_s = 0.0;
  LatencyStats latency;                            // arrival -> result, over the window
  std::array<double, kNumStages> stage_mean_ms{};  // over the window
  std::array<double, kNumStages> stage_percent{};  // share of the summed stage time
  double rss_mb = 0.0;                             // resident set size of the process
  double gpu_memory_mb = -1.0;                     // -1 when no GPU backend is active
  std::string to_json() const;                     // one JSON object (docs/FORMATS.md)
  std::string to_table() const;                    // the human table `pitchtrack bench` prints
};

class MetricsCollector {
 public:
  explicit MetricsCollector(size_t window = 2000, const Clock* clock = nullptr);
  void record_frame(double latency_ms, const StageTimes& stages);
  void record_drops(int64_t n);
  void set_gpu_memory_mb(double mb);
  // Latency and stage statistics over the last `last_n` recorded frames (0: the whole window);
  // counts, FPS and drops are always whole-run.
  PipelineMetrics snapshot(size_t last_n = 0) const;
  void reset();

 private:
  const Clock* clock_;
  mutable std::mutex mutex_;
  size_t window_;
  std::vector<double> latency_ring_;
  std::vector<StageTimes> stage_ring_;
  size_t next_ = 0;
  size_t filled_ = 0;
  int64_t processed_ = 0;
  int64_t dropped_ = 0;
  int64_t first_us_ = -1;
  int64_t last_us_ = -1;
  double gpu_mb_ = -1.0;
};

// Resident set size of this process in MB (Linux /proc), 0 when unknown.
double process_rss_mb();

}  // namespace pitchtrack
