// PipelineFactory and YAML configuration.
//
// create_realtime_pipeline: batch 1, the stream drops the oldest frame when behind (live) and
// frames older than the latency budget, lowest latency. create_batch_pipeline: lossless, the
// detector runs `batch_size` frames per forward pass, highest throughput.
// load_run_config reads a YAML file (config/*.yaml, documented there and in docs/FORMATS.md)
// into the same structs the CLI flags fill; unknown keys and bad values are errors naming the
// file and the key.
#pragma once

#include <memory>
#include <string>

#include "pitchtrack/pipeline/detection_batcher.hpp"
#include "pitchtrack/pipeline/pipeline.hpp"
#include "pitchtrack/pipeline/stream_processor.hpp"

namespace pitchtrack {

struct RunConfig {
  std::string mode = "realtime";  // realtime | batch
  PipelineConfig pipeline;
  StreamProcessorConfig stream;
  SourceConfig source;
  // File inputs only: after the run, join id fragments and fill short gaps over the whole
  // tracks.jsonl (pipeline/offline_stitch.hpp). Live inputs are never rewritten.
  bool offline_stitch = false;
  int interpolate_max_gap = 20;  // frames filled at most by the offline step
  // Several streams sharing one detector (`pitchtrack bench --streams N`): batcher settings.
  DetectionBatcherConfig batcher;
};

Result<RunConfig> load_run_config(const std::string& path);

class PipelineFactory {
 public:
  static Result<std::unique_ptr<Pipeline>> create_realtime_pipeline(PipelineConfig config, double target_fps);
  static Result<std::unique_ptr<Pipeline>> create_batch_pipeline(PipelineConfig config, int batch_size);
  // The stream settings that go with each profile.
  static StreamProcessorConfig realtime_stream_config(double target_fps, double max_latency_ms = 250.0);
  static StreamProcessorConfig batch_stream_config(int batch_size);
};

}  // namespace pitchtrack
