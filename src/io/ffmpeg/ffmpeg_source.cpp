#include "io/ffmpeg/ffmpeg_source.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

extern "C" {
#include <libavutil/hwcontext.h>
// libavutil/hwcontext_cuda.h defines this flag but includes the CUDA driver's cuda.h, which a
// machine without the CUDA toolkit lacks; the value is part of FFmpeg's ABI (since 4.4).
#ifndef AV_CUDA_USE_PRIMARY_CONTEXT
#define AV_CUDA_USE_PRIMARY_CONTEXT (1 << 0)
#endif
#include <libavutil/pixdesc.h>
}

#include "io/ffmpeg/av_util.hpp"
#include "pitchtrack/core/bounded_queue.hpp"

namespace pitchtrack {
namespace {

using std::chrono::milliseconds;

int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// How much of a live input avformat_find_stream_info reads at most, microseconds.
constexpr int64_t kLiveAnalyzeUs = 1'000'000;
// Consecutive undecodable packets tolerated before the input is declared corrupt.
constexpr int kMaxConsecutiveCorrupt = 64;
// Decoded pictures buffered between the decode thread and conversion.
constexpr size_t kDecodeAhead = 2;

// Whether FFmpeg can decode this codec through a CUDA device (NVDEC). A profile NVDEC lacks
// (e.g. 4:2:2 H.264) still falls back in pick_cuda_format, at the first frame.
bool decodes_with_cuda(const AVCodec* decoder) {
  for (int i = 0;; ++i) {
    const AVCodecHWConfig* c = avcodec_get_hw_config(decoder, i);
    if (c == nullptr) return false;
    if (c->device_type == AV_HWDEVICE_TYPE_CUDA &&
        (c->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0)
      return true;
  }
}

AVPixelFormat pick_cuda_format(AVCodecContext* /*ctx*/, const AVPixelFormat* formats) {
  for (const AVPixelFormat* p = formats; *p != AV_PIX_FMT_NONE; ++p) {
    if (*p == AV_PIX_FMT_CUDA) return *p;
  }
  return formats[0];
}

// A place among the process's NVDEC decoders (SourceConfig::hwaccel_max_decoders): taken when a
// source opens its decoder on the GPU, given back when the source is destroyed.
class NvdecSlot {
 public:
  NvdecSlot() = default;
  NvdecSlot(const NvdecSlot&) = delete;
  NvdecSlot& operator=(const NvdecSlot&) = delete;
  ~NvdecSlot() { release(); }

  // True when this source holds a place: already held, or one is free under `cap` (0: no cap).
  bool take(int cap) {
    if (held_) return true;
    int n = in_use().load();
    do {
      if (cap > 0 && n >= cap) return false;
    } while (!in_use().compare_exchange_weak(n, n + 1));
    held_ = true;
    return true;
  }
  void release() {
    if (held_) in_use().fetch_sub(1);
    held_ = false;
  }
  static int count() { return in_use().load(); }

 private:
  static std::atomic<int>& in_use() {
    static std::atomic<int> n{0};
    return n;
  }
  bool held_ = false;
};

class FfmpegSource final : public Source {
 public:
  FfmpegSource(std::string uri, SourceConfig config, bool live)
      : uri_(std::move(uri)), config_(std::move(config)), live_(live) {
    clock_ = config_.clock != nullptr ? config_.clock : &steady_clock();
  }
  ~FfmpegSource() override {
    if (decode_thread_.joinable()) {
      abort_.store(true);
      decode_thread_.request_stop();
      decoded_.close();
      decode_thread_.join();
    }
  }

  Status open();
  const StreamInfo& info() const override { return info_; }
  Result<Frame> read(milliseconds timeout) override;
  void interrupt() override {
    abort_.store(true, std::memory_order_release);
    decoded_.close();
  }
  SourceStats stats() const override {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }

 private:
  static int interrupt_cb(void* opaque) {
    auto* self = static_cast<FfmpegSource*>(opaque);
    if (self->cancelled_now()) return 1;
    const int64_t deadline = self->deadline_us_.load(std::memory_order_acquire);
    return (deadline > 0 && steady_clock().now_us() > deadline) ? 1 : 0;
  }
  void arm_deadline(int64_t ms) {
    deadline_us_.store(ms > 0 ? steady_clock().now_us() + ms * 1000 : 0, std::memory_order_release);
  }
  // interrupt() was called or the config's cancel token was stopped.
  bool cancelled_now() const {
    return abort_.load(std::memory_order_acquire) || config_.cancel.stop_requested();
  }
  // Turns an AVERROR from an interruptible call into the right Status.
  Status blocked_call_status(int err, const std::string& what) const {
    if (cancelled_now()) return cancelled(what + " '" + uri_ + "': interrupted");
    if (err == AVERROR_EXIT || err == AVERROR(ETIMEDOUT)) {
      return timeout_error(what + " '" + uri_ + "': no answer within the timeout");
    }
    return av::to_status(err, what, uri_);
  }
  Status open_decoder();
  void use_nvdec(const AVCodec* decoder);
  // Demux + decode one frame (decode thread).
  Result<av::FramePtr> decode_next();
  void decode_loop(std::stop_token stop);
  Result<Frame> convert(AVFrame* decoded);
  Result<Frame> convert_on_gpu(AVFrame* decoded);
  Frame finish(MutableFrame out, const AVFrame* decoded);  // index, timestamps, stats
  void fit_pool(int width, int height);                    // a new pool when the picture size changed
  int64_t frame_pts_us(const AVFrame* f);

  std::string uri_;
  SourceConfig config_;
  bool live_;
  const Clock* clock_;
  StreamInfo info_;

  std::atomic<bool> abort_{false};
  std::atomic<int64_t> deadline_us_{0};

  NvdecSlot nvdec_slot_;  // declared before codec_: given back after the decoder is freed
  av::FormatInputPtr fmt_;
  av::CodecContextPtr codec_;
  av::BufferRefPtr hw_device_;
  std::unique_ptr<DeviceFrameConverter> gpu_convert_;  // NVDEC NV12 -> BGR on the GPU, or null
  av::SwsPtr sws_;
  av::PacketPtr packet_{av_packet_alloc()};
  av::FramePtr transferred_{av_frame_alloc()};
  std::unique_ptr<FramePool> pool_;
  int stream_index_ = -1;
  AVRational time_base_{1, 1};
  bool draining_ = false;
  int64_t first_pts_us_ = AV_NOPTS_VALUE;
  int64_t last_pts_us_ = AV_NOPTS_VALUE;
  int64_t frame_duration_us_ = 40000;
  int64_t next_index_ = 0;
  int consecutive_corrupt_ = 0;

  // Decoding runs one stage ahead of conversion: the decode thread keeps the decoder fed while
  // the caller converts the previous picture to BGR, so the two overlap on separate cores.
  struct Decoded {
    av::FramePtr frame;  // null: `status` ends the stream
    Status status;
    int64_t codec_us = 0;  // decoder time spent since the previous picture (wall, us)
  };
  int64_t codec_us_ = 0;  // decode thread: decoder time not yet attributed to a picture
  BoundedQueue<Decoded> decoded_{kDecodeAhead, OverflowPolicy::kBlock};
  std::jthread decode_thread_;
  Status end_ = Status::ok();  // set once the stream has ended (EOS, error or interrupt)

  mutable std::mutex stats_mutex_;
  SourceStats stats_;
};

Status FfmpegSource::open() {
  av::init_logging();
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return resource_exhausted("open '" + uri_ + "': out of memory");
  raw->interrupt_callback.callback = &FfmpegSource::interrupt_cb;
  raw->interrupt_callback.opaque = this;

  AVDictionary* opts = nullptr;
  if (live_) {
    const std::string rw = std::to_string(config_.read_timeout_ms * 1000);
    av_dict_set(&opts, "rw_timeout", rw.c_str(), 0);  // avio-level guard, microseconds
    av_dict_set(&opts, "reconnect", "0", 0);
    // Demuxers that announce streams lazily (FLV over RTMP, MPEG-TS) make the probe read for the
    // whole analyze duration (FFmpeg's default 5 s, as long as the default open timeout): 1 s of
    // a live stream is enough to know its video. demuxer_options may override it.
    av_dict_set(&opts, "analyzeduration", std::to_string(kLiveAnalyzeUs).c_str(), 0);
  }
  for (const auto& [k, v] : config_.demuxer_options) av_dict_set(&opts, k.c_str(), v.c_str(), 0);

  arm_deadline(live_ ? config_.open_timeout_ms : 0);
  int err = avformat_open_input(&raw, uri_.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (err < 0) {
    // avformat_open_input frees the context on failure.
    Status s = blocked_call_status(err, "open");
    if (err == AVERROR_INVALIDDATA) {
      s = invalid_argument("open '" + uri_ +
                           "': not a readable video container (unknown format, garbage or "
                           "truncated file: " +
                           av::error_string(err) + ")");
    }
    return s;
  }
  fmt_.reset(raw);

  err = avformat_find_stream_info(fmt_.get(), nullptr);
  if (err < 0) return blocked_call_status(err, "probe");
  // The probe may stop at the deadline and still succeed, with a protocol cut mid-message (RTMP
  // then fails with EIO once the probed packets are used up): that is a timed-out open.
  if (interrupt_cb(this) != 0) return blocked_call_status(AVERROR_EXIT, "probe");
  arm_deadline(0);

  stream_index_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_index_ < 0) {
    return invalid_argument("open '" + uri_ + "': no video stream in the input (" +
                            std::to_string(fmt_->nb_streams) + " stream(s), e.g. audio only)");
  }
  // Only the video stream is demuxed further.
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (static_cast<int>(i) != stream_index_) fmt_->streams[i]->discard = AVDISCARD_ALL;
  }
  PT_RETURN_IF_ERROR(open_decoder());

  const AVStream* st = fmt_->streams[stream_index_];
  time_base_ = st->time_base;
  info_.uri = uri_;
  info_.container = fmt_->iformat->name;
  info_.codec = avcodec_get_name(st->codecpar->codec_id);
  info_.width = st->codecpar->width;
  info_.height = st->codecpar->height;
  const AVRational rate = av_guess_frame_rate(fmt_.get(), const_cast<AVStream*>(st), nullptr);
  info_.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
  if (info_.fps > 0) frame_duration_us_ = static_cast<int64_t>(std::llround(1e6 / info_.fps));
  if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
    info_.duration_s = static_cast<double>(st->duration) * av_q2d(st->time_base);
  } else if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0) {
    info_.duration_s = static_cast<double>(fmt_->duration) / AV_TIME_BASE;
  }
  info_.frame_count = st->nb_frames > 0 ? st->nb_frames : -1;
  info_.bit_rate = st->codecpar->bit_rate > 0 ? st->codecpar->bit_rate : fmt_->bit_rate;
  info_.is_live = live_;
  if (info_.width <= 0 || info_.height <= 0) {
    return invalid_argument("open '" + uri_ + "': video stream has no frame size");
  }
  pool_ = std::make_unique<FramePool>(info_.width, info_.height, config_.frame_pool_size);
  decode_thread_ = std::jthread([this](std::stop_token stop) { decode_loop(stop); });
  return Status::ok();
}

// One FFmpeg CUDA device for every source of the process (a CUDA context per stream would cost
// each stream a few hundred MB of GPU memory). First choice: the device's primary context, the
// one the CUDA runtime (libtorch) uses. FFmpeg wants it with blocking sync and refuses it
// (ENOTSUP) when libtorch has already made it with other flags; then one context of its own,
// still shared by all sources. Kept for the life of the process; *dev gets a new reference.
// *primary tells which of the two it is. (libtorch makes the primary context with blocking sync
// when detector.cuda_wait is block, the default, so FFmpeg can share it.)
int shared_cuda_device(AVBufferRef** dev, bool* primary) {
  static std::mutex mutex;
  static AVBufferRef* shared = nullptr;
  static bool shared_primary = false;
  std::lock_guard lock(mutex);
  if (shared == nullptr) {
    AVBufferRef* created = nullptr;
    int err = av_hwdevice_ctx_create(&created, AV_HWDEVICE_TYPE_CUDA, nullptr, nullptr,
                                     AV_CUDA_USE_PRIMARY_CONTEXT);
    shared_primary = err >= 0;
    if (err == AVERROR(ENOTSUP))
      err = av_hwdevice_ctx_create(&created, AV_HWDEVICE_TYPE_CUDA, nullptr, nullptr, 0);
    if (err < 0) return err;
    shared = created;
    spdlog::info("NVDEC: FFmpeg uses {}", shared_primary
                                              ? "the CUDA runtime's primary context"
                                              : "a CUDA context of its own (no GPU-side conversion)");
  }
  *primary = shared_primary;
  *dev = av_buffer_ref(shared);
  return *dev != nullptr ? 0 : AVERROR(ENOMEM);
}

// hwaccel cuda: decodes through NVDEC when FFmpeg can for this codec, a place under
// hwaccel_max_decoders is free and the CUDA device opens; otherwise on the CPU, with a log line.
void FfmpegSource::use_nvdec(const AVCodec* decoder) {
  if (!decodes_with_cuda(decoder)) {
    spdlog::warn("'{}': FFmpeg has no CUDA decoding for codec '{}'; decoding on the CPU", uri_,
                 decoder->name);
    return;
  }
  if (!nvdec_slot_.take(config_.hwaccel_max_decoders)) {
    spdlog::info(
        "'{}': decoding on the CPU: {} sources already decode on NVDEC (source.hwaccel_max_decoders)", uri_,
        NvdecSlot::count());
    return;
  }
  AVBufferRef* dev = nullptr;
  bool primary = false;
  const int err = shared_cuda_device(&dev, &primary);
  if (err < 0) {
    nvdec_slot_.release();
    spdlog::warn("hwaccel cuda unavailable for '{}' ({}); decoding on the CPU", uri_, av::error_string(err));
    return;
  }
  hw_device_.reset(dev);
  codec_->hw_device_ctx = av_buffer_ref(dev);
  codec_->get_format = &pick_cuda_format;
  info_.hwaccel = "cuda";
  if (primary && config_.device_converter) {
    auto conv = config_.device_converter();
    if (conv.is_ok() && *conv) {
      gpu_convert_ = std::move(conv).value();
      info_.gpu_convert = true;
    } else if (!conv.is_ok()) {
      spdlog::warn("'{}': no GPU frame conversion ({}); converting on the CPU", uri_,
                   conv.status().to_string());
    }
  }
}

Status FfmpegSource::open_decoder() {
  const AVStream* st = fmt_->streams[stream_index_];
  const AVCodec* decoder = avcodec_find_decoder(st->codecpar->codec_id);
  if (decoder == nullptr) {
    return unsupported("open '" + uri_ + "': no decoder for codec '" +
                       avcodec_get_name(st->codecpar->codec_id) + "' in this FFmpeg build");
  }
  codec_.reset(avcodec_alloc_context3(decoder));
  if (!codec_) return resource_exhausted("open '" + uri_ + "': out of memory");
  int err = avcodec_parameters_to_context(codec_.get(), st->codecpar);
  if (err < 0) return av::to_status(err, "decoder parameters for", uri_);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  codec_->thread_count = config_.decoder_threads > 0 ? config_.decoder_threads : static_cast<int>(cores);
  // Frame threading gives throughput; live inputs use slices only, so no frame waits in the
  // decoder for its siblings (each frame thread adds one frame of latency).
  codec_->thread_type = live_ ? FF_THREAD_SLICE : (FF_THREAD_FRAME | FF_THREAD_SLICE);
  codec_->pkt_timebase = st->time_base;

  if (config_.hwaccel == "cuda") {
    use_nvdec(decoder);
  } else if (config_.hwaccel != "none" && !config_.hwaccel.empty()) {
    return invalid_argument("source.hwaccel: '" + config_.hwaccel + "' is not one of none, cuda");
  }
  err = avcodec_open2(codec_.get(), decoder, nullptr);
  if (err < 0) return av::to_status(err, "open decoder for", uri_);
  return Status::ok();
}

int64_t FfmpegSource::frame_pts_us(const AVFrame* f) {
  int64_t pts = f->best_effort_timestamp;
  if (pts == AV_NOPTS_VALUE) pts = f->pts;
  int64_t us = pts == AV_NOPTS_VALUE ? AV_NOPTS_VALUE : av_rescale_q(pts, time_base_, AVRational{1, 1000000});
  if (us != AV_NOPTS_VALUE && first_pts_us_ == AV_NOPTS_VALUE) first_pts_us_ = us;
  if (us != AV_NOPTS_VALUE) us -= first_pts_us_;
  // Missing or non-increasing timestamps: continue the sequence at the nominal frame rate so
  // pts stays strictly monotonic (counted in stats).
  if (us == AV_NOPTS_VALUE || (last_pts_us_ != AV_NOPTS_VALUE && us <= last_pts_us_)) {
    us = last_pts_us_ == AV_NOPTS_VALUE ? 0 : last_pts_us_ + frame_duration_us_;
    std::lock_guard lock(stats_mutex_);
    ++stats_.pts_corrected;
  }
  last_pts_us_ = us;
  return us;
}

Result<Frame> FfmpegSource::convert_on_gpu(AVFrame* decoded) {
  const auto* frames_ctx = decoded->hw_frames_ctx
                               ? reinterpret_cast<const AVHWFramesContext*>(decoded->hw_frames_ctx->data)
                               : nullptr;
  if (frames_ctx == nullptr || frames_ctx->sw_format != AV_PIX_FMT_NV12) {
    return unsupported("GPU conversion of '" + uri_ + "': the decoder's pictures are " +
                       (frames_ctx ? av_get_pix_fmt_name(frames_ctx->sw_format) : "?") + ", not nv12");
  }
  fit_pool(decoded->width, decoded->height);
  DeviceNv12 pic;
  pic.y = decoded->data[0];
  pic.y_pitch = decoded->linesize[0];
  pic.uv = decoded->data[1];
  pic.uv_pitch = decoded->linesize[1];
  pic.width = decoded->width;
  pic.height = decoded->height;
  pic.bt709 = decoded->colorspace == AVCOL_SPC_BT709;
  pic.full_range = decoded->color_range == AVCOL_RANGE_JPEG;
  MutableFrame out = pool_->acquire();
  PT_RETURN_IF_ERROR(gpu_convert_->nv12_to_bgr(pic, out));
  return finish(std::move(out), decoded);
}

void FfmpegSource::fit_pool(int width, int height) {
  if (width == pool_->width() && height == pool_->height()) return;
  spdlog::info("'{}': frame size changed to {}x{}", uri_, width, height);
  pool_ = std::make_unique<FramePool>(width, height, config_.frame_pool_size);
  info_.width = width;
  info_.height = height;
}

Frame FfmpegSource::finish(MutableFrame out, const AVFrame* decoded) {
  Frame frame = std::move(out).freeze();
  frame.index = next_index_++;
  frame.pts_us = frame_pts_us(decoded);
  frame.arrival_us = clock_->now_us();
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.frames_decoded;
  }
  return frame;
}

Result<Frame> FfmpegSource::convert(AVFrame* decoded) {
  if (decoded->format == AV_PIX_FMT_CUDA && gpu_convert_) {
    auto frame = convert_on_gpu(decoded);
    if (frame.is_ok()) return frame;
    spdlog::warn("'{}': GPU frame conversion failed ({}); converting on the CPU from now on", uri_,
                 frame.status().to_string());
    gpu_convert_.reset();
    info_.gpu_convert = false;
  }
  AVFrame* src = decoded;
  if (decoded->format == AV_PIX_FMT_CUDA) {
    av_frame_unref(transferred_.get());
    int err = av_hwframe_transfer_data(transferred_.get(), decoded, 0);
    if (err < 0) return av::to_status(err, "download GPU frame of", uri_);
    src = transferred_.get();
  }
  fit_pool(src->width, src->height);
  const auto fmt = static_cast<AVPixelFormat>(src->format);
  sws_.reset(sws_getCachedContext(sws_.release(), src->width, src->height, fmt, src->width, src->height,
                                  AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!sws_) {
    return unsupported("convert '" + uri_ + "': cannot convert pixel format " +
                       (av_get_pix_fmt_name(fmt) ? av_get_pix_fmt_name(fmt) : "?") + " to BGR");
  }
  // Honour the stream's colour matrix and range (HD video is BT.709, usually limited range).
  const int cs = src->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
  const int src_range = src->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
  sws_setColorspaceDetails(sws_.get(), sws_getCoefficients(cs), src_range,
                           sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
  MutableFrame out = pool_->acquire();
  uint8_t* dst[4] = {out.data(), nullptr, nullptr, nullptr};
  int dst_stride[4] = {out.stride_bytes(), 0, 0, 0};
  sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, dst, dst_stride);
  return finish(std::move(out), decoded);
}

Result<av::FramePtr> FfmpegSource::decode_next() {
  while (true) {
    av::FramePtr frame(av_frame_alloc());
    if (!frame) return resource_exhausted("decode '" + uri_ + "': out of memory");
    int64_t t0 = wall_us();
    int err = avcodec_receive_frame(codec_.get(), frame.get());
    codec_us_ += wall_us() - t0;
    if (err == 0) return frame;
    if (err == AVERROR_EOF) return end_of_stream("end of '" + uri_ + "'");
    if (err != AVERROR(EAGAIN)) return av::to_status(err, "decode", uri_);
    if (draining_) return end_of_stream("end of '" + uri_ + "'");
    arm_deadline(live_ ? config_.read_timeout_ms : 0);
    err = av_read_frame(fmt_.get(), packet_.get());
    // Some demuxers report an interrupted read as the end of the input (HLS waiting for a
    // playlist that stopped growing): a live read that ran past its deadline is a stall.
    if (err < 0 && live_ && !cancelled_now() && interrupt_cb(this) != 0) err = AVERROR_EXIT;
    if (err == AVERROR_EOF || (err < 0 && fmt_->pb != nullptr && avio_feof(fmt_->pb) && !live_)) {
      draining_ = true;
      avcodec_send_packet(codec_.get(), nullptr);  // flush the decoder's delayed frames
      continue;
    }
    if (err < 0) {
      if (cancelled_now()) return cancelled("read '" + uri_ + "': interrupted");
      if (err == AVERROR_EXIT || err == AVERROR(ETIMEDOUT)) {
        return unavailable("read '" + uri_ + "': no data for " + std::to_string(config_.read_timeout_ms) +
                           " ms (stream stalled or lost)");
      }
      if (live_) return unavailable("read '" + uri_ + "': stream lost (" + av::error_string(err) + ")");
      return av::to_status(err, "read", uri_);
    }
    if (packet_->stream_index != stream_index_) {
      av_packet_unref(packet_.get());
      continue;
    }
    // Decode time is the codec's work (demuxing waits on the network for live inputs).
    t0 = wall_us();
    err = avcodec_send_packet(codec_.get(), packet_.get());
    codec_us_ += wall_us() - t0;
    av_packet_unref(packet_.get());
    if (err == AVERROR_INVALIDDATA) {
      std::lock_guard lock(stats_mutex_);
      ++stats_.packets_corrupt;
      if (++consecutive_corrupt_ > kMaxConsecutiveCorrupt) {
        return data_loss("decode '" + uri_ + "': more than " + std::to_string(kMaxConsecutiveCorrupt) +
                         " consecutive corrupt packets");
      }
      continue;
    }
    if (err < 0 && err != AVERROR(EAGAIN)) return av::to_status(err, "decode", uri_);
    consecutive_corrupt_ = 0;
  }
}

void FfmpegSource::decode_loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto frame = decode_next();
    if (!frame.is_ok()) {
      decoded_.push(Decoded{nullptr, frame.status()}, BoundedQueue<Decoded>::kForever, stop);
      break;
    }
    Decoded item{std::move(frame).value(), Status::ok(), codec_us_};
    codec_us_ = 0;
    const PushOutcome out = decoded_.push(std::move(item), BoundedQueue<Decoded>::kForever, stop);
    if (out != PushOutcome::kPushed) break;
  }
  decoded_.close();
}

Result<Frame> FfmpegSource::read(milliseconds timeout) {
  if (!end_.is_ok()) return end_;
  if (abort_.load()) return cancelled("read '" + uri_ + "': interrupted");
  const auto wait = timeout.count() >= 0 ? std::chrono::duration_cast<std::chrono::microseconds>(timeout)
                                         : BoundedQueue<Decoded>::kForever;
  auto item = decoded_.pop(wait);
  if (!item.is_ok()) {
    if (item.status().code() == StatusCode::kTimeout) {
      return timeout_error("read '" + uri_ + "': no frame within " + std::to_string(timeout.count()) + " ms");
    }
    if (abort_.load()) return cancelled("read '" + uri_ + "': interrupted");
    end_ = end_of_stream("end of '" + uri_ + "'");
    return end_;
  }
  if (!item->frame) {
    end_ = abort_.load() ? cancelled("read '" + uri_ + "': interrupted") : item->status;
    return end_;
  }
  const int64_t t0 = wall_us();
  auto frame = convert(item->frame.get());
  if (frame.is_ok()) frame->decode_us = item->codec_us + (wall_us() - t0);
  return frame;
}

}  // namespace

Result<std::unique_ptr<Source>> open_ffmpeg_source(const std::string& uri, const SourceConfig& config,
                                                   bool live) {
  auto source = std::make_unique<FfmpegSource>(uri, config, live);
  PT_RETURN_IF_ERROR(source->open());
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace pitchtrack
