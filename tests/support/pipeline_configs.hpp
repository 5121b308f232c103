// Pipeline configurations shared by the pipeline tests.
#pragma once

#include "pitchtrack/pipeline/pipeline.hpp"

namespace pitchtrack::testing {

// The cheapest full pipeline: classical detector (no model), no calibration.
inline PipelineConfig light_pipeline_config() {
  PipelineConfig c;
  c.detector.backend = "classical";
  c.calibration = "off";
  return c;
}

}  // namespace pitchtrack::testing
