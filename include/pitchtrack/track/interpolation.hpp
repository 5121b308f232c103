// Offline gap filling: a confirmed track missing for at most max_gap frames between two
// observations gets linearly interpolated boxes for the missing frames (score = the lower of
// the two ends, det_index = -1). Used by `pitchtrack track` on whole sequences, where the future
// is known; the live pipeline does not wait for it.
#pragma once

#include <vector>

#include "pitchtrack/core/track.hpp"

namespace pitchtrack {

// frames[k] holds the tracks output at frame k; returns the same with gaps filled.
std::vector<std::vector<Track>> interpolate_gaps(const std::vector<std::vector<Track>>& frames, int max_gap);

}  // namespace pitchtrack
