// Source: a decoded video input, opened from a path or any URI FFmpeg understands
// (file, rtmp://, rtsp://, srt://, udp://, http(s):// incl. HLS .m3u8).
//
// Contract: open_source() validates the input and returns a ready Source or an error that
// names the input and the problem (missing, empty, directory, not a video, no video stream,
// unsupported codec, unreachable, timed out). read() returns the next frame as BGR8 with
// pts_us monotonic from 0; end of input is StatusCode::kEndOfStream, not an error.
// Nothing blocks forever: open and every read are bounded by the configured timeouts through
// FFmpeg's interrupt callback, and interrupt() (thread-safe) makes a blocked call return
// kCancelled promptly.
// Threading: one thread calls read(); interrupt() and info() may be called from any thread.
// Ownership: the caller owns the Source; frames it returns are independent of it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <stop_token>
#include <string>

#include "pitchtrack/core/clock.hpp"
#include "pitchtrack/core/device_frame.hpp"
#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

enum class SourceMode { kAuto, kFile, kLive };

struct SourceConfig {
  SourceMode mode = SourceMode::kAuto;  // kAuto: network URI -> kLive, else kFile
  int decoder_threads = 0;              // decoder threads; 0 = one per core
  int64_t open_timeout_ms = 5000;       // ms; bound on opening + probing a network input
  int64_t read_timeout_ms = 5000;       // ms; bound on one read() waiting for data
  std::string hwaccel = "none";         // "none" | "cuda" (falls back to CPU with one log line)
  // hwaccel cuda: at most this many sources of the process decode on NVDEC at once (0 = no
  // limit); a source opened past it decodes on the CPU (one log line; StreamInfo::hwaccel says
  // "none"). Each NVDEC decoder holds its own surfaces and state, about 94 MB of GPU memory for 1080p
  // H.264 (docs/PERFORMANCE.md): the cap trades GPU memory for CPU time.
  int hwaccel_max_decoders = 0;
  // hwaccel cuda: converts NVDEC's pictures to BGR on the GPU (core/device_frame.hpp) instead of
  // downloading NV12 and converting on the CPU; empty: the CPU conversion. Used only when FFmpeg
  // shares the CUDA runtime's primary context (the converter's device pointers must be valid).
  DeviceFrameConverterFactory device_converter;
  std::map<std::string, std::string> demuxer_options;  // extra FFmpeg options, e.g. rtsp_transport
  size_t frame_pool_size = 16;                         // idle frame buffers kept for reuse
  // A stop requested on this token makes an open or read in progress return kCancelled at once
  // (FFmpeg's interrupt callback), like interrupt(); StreamProcessor passes its own, so stop()
  // does not wait out open_timeout_ms during a reconnection.
  std::stop_token cancel;
  const Clock* clock = nullptr;  // stamps arrival_us; nullptr = steady_clock()
};

struct StreamInfo {
  std::string uri;
  std::string container;         // FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;             // e.g. "h264"
  int width = 0;                 // px
  int height = 0;                // px
  double fps = 0.0;              // frames per second (guessed from the stream when variable)
  double duration_s = -1.0;      // seconds; -1 when unknown (live)
  int64_t frame_count = -1;      // from the container; -1 when unknown
  int64_t bit_rate = 0;          // bits per second; 0 when unknown
  bool is_live = false;          // network input read in live mode
  std::string hwaccel = "none";  // decoder actually used: "none" or "cuda"
  bool gpu_convert = false;      // hwaccel cuda: pictures are converted to BGR on the GPU
};

struct SourceStats {
  int64_t frames_decoded = 0;
  int64_t packets_corrupt = 0;  // packets the decoder rejected and skipped
  int64_t pts_corrected = 0;    // frames whose timestamp was missing or went backwards
};

class Source {
 public:
  virtual ~Source() = default;
  virtual const StreamInfo& info() const = 0;
  // Next frame; kEndOfStream at the end; kTimeout when no data arrived within `timeout`
  // (negative: the configured read_timeout_ms); kCancelled after interrupt().
  virtual Result<Frame> read(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) = 0;
  // Thread-safe: makes a blocked or later read() return kCancelled.
  virtual void interrupt() = 0;
  virtual SourceStats stats() const = 0;
};

// One JSON object (docs/FORMATS.md, `pitchtrack probe`): every field; duration_s and
// frame_count are null when unknown.
std::string to_json(const StreamInfo& info);

// True for URIs with a network scheme (rtmp, rtsp, srt, udp, tcp, http, https, ...).
bool is_network_uri(const std::string& uri);

Result<std::unique_ptr<Source>> open_source(const std::string& uri, const SourceConfig& config = {});

}  // namespace pitchtrack
