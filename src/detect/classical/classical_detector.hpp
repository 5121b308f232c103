// ClassicalDetector (internal): weight-free player and ball detection for a broadcast wide shot.
//
// Steps, at a working width of ~640 px: (1) grass mask from the frame's dominant green hue
// (adaptive: peak of the hue histogram of saturated pixels); (2) pitch region = convex hull of
// the largest closed grass component, so players on it are inside; (3) foreground = pitch
// region minus grass, opened to drop pitch lines; (4) connected components become person boxes,
// filtered and split with a perspective size prior (expected height grows linearly with the
// image row; fitted per frame on the blobs that look like single people); (5) ball candidates:
// small, compact, bright, low-saturation blobs. It cannot tell roles apart: every person is a
// player. It is the fallback when no model loads, and a speed baseline.
#pragma once

#include <memory>

#include "pitchtrack/detect/detector.hpp"

namespace pitchtrack::detect {

std::shared_ptr<const DetectorModel> make_classical_model(const DetectorConfig& config);

}  // namespace pitchtrack::detect
