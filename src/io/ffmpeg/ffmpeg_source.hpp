// FFmpeg-backed Source (internal): demux + threaded decode + BGR conversion into pooled frames.
#pragma once

#include <memory>
#include <string>

#include "pitchtrack/io/source.hpp"

namespace pitchtrack {

Result<std::unique_ptr<Source>> open_ffmpeg_source(const std::string& uri, const SourceConfig& config,
                                                   bool live);

}  // namespace pitchtrack
