// tracks.jsonl: the prediction format (one JSON object per processed frame, one line each);
// written by the JSONL sink, read back by the evaluation. Schema: docs/FORMATS.md "tracks.jsonl".
//
// Contract:
// - to_jsonl_line writes one line (no trailing newline) for a FrameResult. Only tracks with
//   track_id >= 1 are written (the tracker gives ids at confirmation; tentative tracks have 0).
//   Pixels are rounded to 2 decimals; metres, m/s, scores and ms to 3; homography entries are
//   written exactly (shortest round-trip form). pts_us is written as pts_ms (3 decimals).
// - parse_jsonl_line parses one line; errors name the field ("'objects' is not an array").
//   Fields not in the format (arrival_us, det_index, state) come back as defaults: arrival 0,
//   det_index -1, state kConfirmed.
// - read_tracks_jsonl reads a file; blank lines are skipped; every error names the file and the
//   1-based line ("tracks.jsonl:17: 'objects' is not an array"), and so does a frame index given
//   twice.
// Threading: pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

std::string to_jsonl_line(const FrameResult& frame);
Result<FrameResult> parse_jsonl_line(std::string_view line);
Result<std::vector<FrameResult>> read_tracks_jsonl(const std::string& path);

}  // namespace pitchtrack
