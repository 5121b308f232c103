// RAII wrappers and error conversion for FFmpeg C handles (internal to src/io).
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

#include "pitchtrack/core/status.hpp"

namespace pitchtrack::av {

struct FormatInputDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct FormatOutputDeleter {
  void operator()(AVFormatContext* p) const {
    if (p == nullptr) return;
    if (p->pb != nullptr && !(p->oformat->flags & AVFMT_NOFILE)) avio_closep(&p->pb);
    avformat_free_context(p);
  }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct BufferRefDeleter {
  void operator()(AVBufferRef* p) const { av_buffer_unref(&p); }
};
struct DictDeleter {
  void operator()(AVDictionary* p) const { av_dict_free(&p); }
};

using FormatInputPtr = std::unique_ptr<AVFormatContext, FormatInputDeleter>;
using FormatOutputPtr = std::unique_ptr<AVFormatContext, FormatOutputDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;
using BufferRefPtr = std::unique_ptr<AVBufferRef, BufferRefDeleter>;

// FFmpeg's text for an AVERROR code.
std::string error_string(int averror);

// Maps an AVERROR to a Status whose message is "<what> '<input>': <ffmpeg text>".
Status to_status(int averror, const std::string& what, const std::string& input);

// Routes FFmpeg's own log output to spdlog at a sensible level (called once).
void init_logging();

}  // namespace pitchtrack::av
