// VideoWriter: encodes BGR8 frames into a video file (H.264 MP4 by default) through FFmpeg.
//
// Contract: create() validates the configuration, opens the encoder and the output file and
// writes the container header, or returns an error naming the path and the problem (directory
// missing or not writable, unknown container extension, encoder not in this FFmpeg build, odd
// size for a 4:2:0 format). write() converts one frame to the configured pixel format (BT.709,
// limited range, tagged as such so Source decodes the colours back) and encodes it; frames get
// consecutive timestamps at the configured rate. close() flushes the encoder's delayed frames
// and writes the trailer; it is idempotent and the destructor calls it (errors there are only
// logged, so call close() to see them). write() after close() is kFailedPrecondition.
// Threading: thread-compatible (one thread at a time); the encoder runs its own threads
// (`threads`).
// Ownership: write() copies the pixels it needs; the caller keeps the Frame.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

struct VideoWriterConfig {
  int width = 0;                    // px; > 0 (even for 4:2:0 pixel formats)
  int height = 0;                   // px; > 0 (even for 4:2:0 pixel formats)
  double fps = 25.0;                // frames per second; > 0
  std::string codec = "libx264";    // FFmpeg encoder name
  std::string preset = "veryfast";  // encoder speed preset (libx264/libx265); empty = encoder default
  int crf = 23;                     // constant rate factor (quality; lower = better), 0..51
  int threads = 0;                  // encoder threads; 0 = chosen by the encoder
  std::string pix_fmt = "yuv420p";  // FFmpeg pixel format name of the encoded video
};

class VideoWriter {
 public:
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // Opens `path` for writing; the container is chosen from the extension (.mp4, .mkv, .mov ...).
  static Result<std::unique_ptr<VideoWriter>> create(const std::string& path,
                                                     const VideoWriterConfig& config);

  // Encodes one frame; its size must equal the configured size.
  Status write(const Frame& frame);
  // Flushes and finalises the file. Idempotent.
  Status close();

  int64_t frames_written() const;
  const std::string& path() const;
  const VideoWriterConfig& config() const;

  struct Impl;

 private:
  explicit VideoWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pitchtrack
