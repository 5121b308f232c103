// Multi-stream processing: N StreamProcessors (one per input, each with its own reader, Pipeline
// state, latency guard and drop counters) share one detector through a DetectionBatcher, so one
// batched forward pass serves all streams (the datacentre set-up: many live 1080p25 streams on
// one GPU).
//
// benchmark_multi_stream() is the engine of `pitchtrack bench --streams N`: it builds the shared
// detector from config.pipeline.detector, starts N processors on `sources` (stream i reads
// sources[i % size], each at its own pace; the streams are started in parallel), measures a
// window from the moment every stream runs until `duration_s` has passed (0: until every input
// ends), stops them (outputs flushed) and reports, over that window, the aggregate and every
// stream's figures: FPS, latency (median of the streams' p50, worst stream's p99), drops, GPU
// memory peak, process CPU use, the batcher's statistics, the per-stage times, and which
// resource bounds the run. Start-up (model loading, warm-up) is outside the window.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "pitchtrack/core/status.hpp"
#include "pitchtrack/pipeline/detection_batcher.hpp"
#include "pitchtrack/pipeline/factory.hpp"
#include "pitchtrack/pipeline/metrics.hpp"
#include "pitchtrack/pipeline/stream_processor.hpp"

namespace pitchtrack {

struct StreamReport {
  std::string source;
  PipelineMetrics metrics;
  StreamStats stats;
};

struct MultiStreamReport {
  int streams = 0;
  double elapsed_s = 0;          // the measured window, s
  double aggregate_fps = 0;      // frames processed by all streams in the window / window length
  double target_fps = 0;         // sum of what the streams asked for (source rate or target_fps)
  int64_t frames_processed = 0;  // in the window
  int64_t frames_dropped = 0;    // in the window
  double drop_rate = 0;
  double latency_p50_ms = 0;                       // median over streams of each stream's p50
  double latency_p99_ms = 0;                       // worst stream's p99
  double latency_max_ms = 0;                       // worst single frame
  std::array<double, kNumStages> stage_mean_ms{};  // frame-weighted mean over the streams
  double gpu_memory_peak_mb = -1;                  // sampled every 250 ms; -1 without a GPU detector
  double rss_mb = 0;
  double cpu_cores_used = 0;  // process CPU seconds per wall second
  int cpu_cores = 0;
  DetectionBatcherStats batcher;
  DetectorCaps detector;
  // How the streams decode: "cpu", "nvdec, bgr on the gpu" or "nvdec, bgr on the cpu" with the
  // number of streams in each state when they differ (StreamInfo::hwaccel / gpu_convert).
  std::string decoding;
  std::string bottleneck;                // one sentence: what limits this run
  std::vector<StreamReport> per_stream;  // metrics over the stream's frames of the window,
                                         // stats over its whole run

  std::string to_json() const;   // docs/FORMATS.md "Multi-stream benchmark JSON"
  std::string to_table() const;  // what `pitchtrack bench --streams N` prints
};

// `source_config` and `stream_config` apply to every stream (stream_config.target_fps is
// overridden by `target_fps` when that is >= 0).
Result<MultiStreamReport> benchmark_multi_stream(const PipelineConfig& config,
                                                 const SourceConfig& source_config,
                                                 const StreamProcessorConfig& stream_config,
                                                 const DetectionBatcherConfig& batcher_config,
                                                 const std::vector<std::string>& sources, int streams,
                                                 double duration_s);

}  // namespace pitchtrack
