// Golden detections: the boxes a shipped model gave on a fixed frame, recorded in a text file
// under tests/golden/, and the tolerant comparison the golden tests use.
//
// File format: '#' comment lines, then one detection per line: `class x1 y1 x2 y2 score` (class
// name as in to_string(ObjectClass), box in frame px, score in [0, 1]).
// Re-recording: run the test with PITCHTRACK_UPDATE_GOLDEN=1; it rewrites the file in the source
// tree (review the diff before committing) and skips.
#pragma once

#include <string>
#include <vector>

#include "pitchtrack/core/detection.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack::testing {

struct GoldenTolerance {
  float min_score = 0.35f;  // only detections at or above this are compared (near-threshold ones
                            // may flip on another CPU's float rounding)
  float box_px = 1.0f;      // max |difference| of each box coordinate, px
  float score = 0.02f;      // max |difference| of the score
};

std::string golden_path(const std::string& name);  // <source>/tests/golden/<name>
bool update_golden_requested();                    // PITCHTRACK_UPDATE_GOLDEN=1
Status write_golden(const std::string& path, const std::vector<Detection>& dets, const std::string& comment);
Result<std::vector<Detection>> read_golden(const std::string& path);
// Every compared golden detection must have an actual one of the same class within tolerance,
// and every compared actual detection a golden one. Returns the mismatches, one per line; empty
// when they agree.
std::vector<std::string> compare_golden(const std::vector<Detection>& actual,
                                        const std::vector<Detection>& golden,
                                        const GoldenTolerance& tol = {});

}  // namespace pitchtrack::testing
