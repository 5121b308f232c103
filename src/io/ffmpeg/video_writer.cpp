#include "pitchtrack/io/video_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <system_error>

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

#include "io/ffmpeg/av_util.hpp"

namespace pitchtrack {

struct VideoWriter::Impl {
  std::string path;
  VideoWriterConfig config;
  av::FormatOutputPtr fmt;
  av::CodecContextPtr codec;
  av::SwsPtr sws;
  av::FramePtr frame{av_frame_alloc()};
  av::PacketPtr packet{av_packet_alloc()};
  AVStream* stream = nullptr;  // owned by fmt
  int64_t next_pts = 0;
  bool header_written = false;
  bool closed = false;

  Status open();
  Status drain(bool flushing);
  Status finish();
};

namespace {

Status validate(const std::string& path, const VideoWriterConfig& c) {
  if (path.empty()) return invalid_argument("video writer: empty output path");
  if (c.width <= 0 || c.height <= 0) {
    return invalid_argument("video_writer.width/height must be > 0 (got " + std::to_string(c.width) + "x" +
                            std::to_string(c.height) + ") for '" + path + "'");
  }
  if (!(c.fps > 0.0) || !std::isfinite(c.fps)) {
    return invalid_argument("video_writer.fps must be > 0 for '" + path + "'");
  }
  if (c.crf < 0 || c.crf > 51)
    return invalid_argument("video_writer.crf must be in 0..51 for '" + path + "'");
  if (c.threads < 0) return invalid_argument("video_writer.threads must be >= 0 for '" + path + "'");
  // x264/x265 print an unknown preset to stderr themselves and fail with a bare EINVAL.
  if ((c.codec == "libx264" || c.codec == "libx265") && !c.preset.empty()) {
    static const std::array<const char*, 10> kPresets = {"ultrafast", "superfast", "veryfast", "faster",
                                                         "fast",      "medium",    "slow",     "slower",
                                                         "veryslow",  "placebo"};
    if (std::find(kPresets.begin(), kPresets.end(), c.preset) == kPresets.end()) {
      return invalid_argument("video_writer.preset: '" + c.preset + "' is not a " + c.codec +
                              " preset (ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, "
                              "veryslow, placebo) for '" +
                              path + "'");
    }
  }
  const AVPixelFormat pf = av_get_pix_fmt(c.pix_fmt.c_str());
  if (pf == AV_PIX_FMT_NONE) {
    return invalid_argument("video_writer.pix_fmt: unknown pixel format '" + c.pix_fmt + "' for '" + path +
                            "'");
  }
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(pf);
  const int wmask = (1 << desc->log2_chroma_w) - 1;
  const int hmask = (1 << desc->log2_chroma_h) - 1;
  if ((c.width & wmask) != 0 || (c.height & hmask) != 0) {
    return invalid_argument("video_writer: " + c.pix_fmt + " needs an even frame size (got " +
                            std::to_string(c.width) + "x" + std::to_string(c.height) + ") for '" + path +
                            "'");
  }
  // A precise message for the most common mistake (the FFmpeg one says only "No such file").
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return not_found("open output '" + path + "': directory '" + parent.string() + "' does not exist");
  }
  if (fs::is_directory(path, ec)) return invalid_argument("open output '" + path + "': is a directory");
  return Status::ok();
}

}  // namespace

Status VideoWriter::Impl::open() {
  av::init_logging();
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, nullptr, path.c_str());
  if (err < 0 || raw == nullptr) {
    return invalid_argument(
        "open output '" + path +
        "': cannot choose a container from the file extension (use .mp4, .mkv, .mov ...)");
  }
  fmt.reset(raw);

  const AVCodec* encoder = avcodec_find_encoder_by_name(config.codec.c_str());
  if (encoder == nullptr) {
    return unsupported("open output '" + path + "': encoder '" + config.codec +
                       "' is not in this FFmpeg build");
  }
  if (encoder->type != AVMEDIA_TYPE_VIDEO) {
    return invalid_argument("open output '" + path + "': '" + config.codec + "' is not a video encoder");
  }
  codec.reset(avcodec_alloc_context3(encoder));
  if (!codec) return resource_exhausted("open output '" + path + "': out of memory");

  const AVRational rate = av_d2q(config.fps, 100000);
  codec->width = config.width;
  codec->height = config.height;
  codec->pix_fmt = av_get_pix_fmt(config.pix_fmt.c_str());
  codec->time_base = av_inv_q(rate);
  codec->framerate = rate;
  codec->thread_count = config.threads;
  codec->color_range = AVCOL_RANGE_MPEG;
  codec->colorspace = AVCOL_SPC_BT709;
  codec->color_primaries = AVCOL_PRI_BT709;
  codec->color_trc = AVCOL_TRC_BT709;
  if (fmt->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  AVDictionary* opts = nullptr;
  if (!config.preset.empty()) av_dict_set(&opts, "preset", config.preset.c_str(), 0);
  av_dict_set(&opts, "crf", std::to_string(config.crf).c_str(), 0);
  err = avcodec_open2(codec.get(), encoder, &opts);
  // Options the encoder does not know (e.g. crf for mpeg4) stay in the dictionary: not an error.
  av_dict_free(&opts);
  if (err < 0) return av::to_status(err, "open encoder '" + config.codec + "' for", path);

  stream = avformat_new_stream(fmt.get(), nullptr);
  if (stream == nullptr) return resource_exhausted("open output '" + path + "': out of memory");
  stream->time_base = codec->time_base;
  stream->avg_frame_rate = rate;
  stream->r_frame_rate = rate;
  err = avcodec_parameters_from_context(stream->codecpar, codec.get());
  if (err < 0) return av::to_status(err, "stream parameters for", path);

  if (!(fmt->oformat->flags & AVFMT_NOFILE)) {
    err = avio_open(&fmt->pb, path.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) return av::to_status(err, "open output", path);
  }
  err = avformat_write_header(fmt.get(), nullptr);
  if (err < 0) return av::to_status(err, "write header of", path);
  header_written = true;

  frame->format = codec->pix_fmt;
  frame->width = config.width;
  frame->height = config.height;
  err = av_frame_get_buffer(frame.get(), 0);
  if (err < 0) return av::to_status(err, "allocate frame for", path);

  sws.reset(sws_getContext(config.width, config.height, AV_PIX_FMT_BGR24, config.width, config.height,
                           codec->pix_fmt, SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!sws) {
    return unsupported("open output '" + path + "': cannot convert BGR to " + config.pix_fmt);
  }
  // Full-range BGR in, BT.709 limited-range YUV out (what the stream is tagged with).
  const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
  sws_setColorspaceDetails(sws.get(), bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
  return Status::ok();
}

Status VideoWriter::Impl::drain(bool flushing) {
  while (true) {
    int err = avcodec_receive_packet(codec.get(), packet.get());
    if (err == AVERROR(EAGAIN) && !flushing) return Status::ok();
    if (err == AVERROR_EOF) return Status::ok();
    if (err < 0) return av::to_status(err, "encode", path);
    av_packet_rescale_ts(packet.get(), codec->time_base, stream->time_base);
    packet->stream_index = stream->index;
    err = av_interleaved_write_frame(fmt.get(), packet.get());  // takes the packet's reference
    if (err < 0) return av::to_status(err, "write", path);
  }
}

Status VideoWriter::Impl::finish() {
  if (closed) return Status::ok();
  closed = true;
  Status status;
  if (header_written) {
    int err = avcodec_send_frame(codec.get(), nullptr);
    if (err < 0 && err != AVERROR_EOF) status = av::to_status(err, "flush encoder for", path);
    if (status.is_ok()) status = drain(true);
    err = av_write_trailer(fmt.get());
    if (err < 0 && status.is_ok()) status = av::to_status(err, "write trailer of", path);
  }
  if (fmt && fmt->pb != nullptr && !(fmt->oformat->flags & AVFMT_NOFILE)) {
    int err = avio_closep(&fmt->pb);
    if (err < 0 && status.is_ok()) status = av::to_status(err, "close", path);
  }
  return status;
}

VideoWriter::VideoWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

VideoWriter::~VideoWriter() {
  if (!impl_) return;
  Status s = impl_->finish();
  if (!s.is_ok()) spdlog::warn("video writer: {}", s.to_string());
}

Result<std::unique_ptr<VideoWriter>> VideoWriter::create(const std::string& path,
                                                         const VideoWriterConfig& config) {
  PT_RETURN_IF_ERROR(validate(path, config));
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->config = config;
  if (!impl->frame || !impl->packet) return resource_exhausted("open output '" + path + "': out of memory");
  Status s = impl->open();
  if (!s.is_ok()) {
    impl->closed = true;  // nothing valid to finalise; the deleters release what was opened
    if (impl->fmt && impl->fmt->pb != nullptr) {
      avio_closep(&impl->fmt->pb);
      std::error_code ec;
      std::filesystem::remove(path, ec);  // no half-written file with a broken header
    }
    return s;
  }
  return std::unique_ptr<VideoWriter>(new VideoWriter(std::move(impl)));
}

Status VideoWriter::write(const Frame& frame) {
  Impl& d = *impl_;
  if (d.closed) return failed_precondition("write '" + d.path + "': writer is closed");
  if (frame.empty()) return invalid_argument("write '" + d.path + "': empty frame");
  if (frame.width() != d.config.width || frame.height() != d.config.height) {
    return invalid_argument("write '" + d.path + "': frame is " + std::to_string(frame.width()) + "x" +
                            std::to_string(frame.height()) + ", the writer expects " +
                            std::to_string(d.config.width) + "x" + std::to_string(d.config.height));
  }
  // The encoder may still hold a reference to the previous buffer.
  int err = av_frame_make_writable(d.frame.get());
  if (err < 0) return av::to_status(err, "prepare frame for", d.path);
  const uint8_t* src[4] = {frame.data(), nullptr, nullptr, nullptr};
  const int src_stride[4] = {frame.stride_bytes(), 0, 0, 0};
  sws_scale(d.sws.get(), src, src_stride, 0, frame.height(), d.frame->data, d.frame->linesize);
  d.frame->pts = d.next_pts++;
  err = avcodec_send_frame(d.codec.get(), d.frame.get());
  if (err < 0) return av::to_status(err, "encode", d.path);
  return d.drain(false);
}

Status VideoWriter::close() { return impl_->finish(); }

int64_t VideoWriter::frames_written() const { return impl_->next_pts; }
const std::string& VideoWriter::path() const { return impl_->path; }
const VideoWriterConfig& VideoWriter::config() const { return impl_->config; }

}  // namespace pitchtrack
