// Annotated video: every processed frame drawn with its results and encoded to a video file
// (`pitchtrack run --annotate` writes annotated.mp4).
//
// Contract: annotate_frame() draws on a copy of the frame (the input Frame is immutable and
// untouched): a box per track coloured by team (team 0, team 1, referee, unknown; tentative and
// lost tracks thin), the track id above it, the ball as a circle, and an optional HUD line at the
// top left. The sink does that for each result it is given and encodes the picture through
// VideoWriter, one output frame per result, in result order; close() flushes the encoder and
// writes the trailer, so a run stopped by Ctrl-C or at the end of stream leaves a valid file.
// The writer opens at create() when width/height are given (errors naming the path come then),
// else at the first frame, with that frame's size; later frames of another size (a live stream
// reconnected at another resolution) are scaled to it. A result without a frame is an error.
// Threading: like every Sink, one thread writes (StreamProcessor's sink thread, so drawing and
// encoding never run on the pipeline thread). Units: boxes in pixels, HUD time in seconds.
#pragma once

#include <memory>
#include <string>

#include "pitchtrack/core/clock.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/io/sink.hpp"
#include "pitchtrack/io/video_writer.hpp"

namespace pitchtrack {

struct AnnotatedVideoConfig {
  VideoWriterConfig video;       // width/height 0 = the first frame's size; fps = the stream's rate
  bool hud = true;               // a line with frame index, stream time, processing FPS, tracks
  const Clock* clock = nullptr;  // measures the HUD's processing FPS; nullptr = steady_clock()
};

// A copy of `frame` with `result` drawn on it; `hud` (if not empty) is written at the top left.
Frame annotate_frame(const Frame& frame, const FrameResult& result, const std::string& hud = {});

// The sink behind `pitchtrack run --annotate`; errors name `path`.
Result<std::unique_ptr<Sink>> make_annotated_video_sink(const std::string& path,
                                                        const AnnotatedVideoConfig& config);

}  // namespace pitchtrack
