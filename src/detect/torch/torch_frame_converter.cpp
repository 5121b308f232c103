// NV12 -> BGR24 through libtorch: on the GPU for NVDEC pictures (core/device_frame.hpp), or on
// host pointers with device "cpu" (the same arithmetic; the tests use it).
//
// Arithmetic (per pixel, float): Y' = (Y - 16) * 255/219 and C' = (C - 128) * 255/224 for limited
// range (Y' = Y, C' = C - 128 for full range), then R = Y' + a Cr', G = Y' - b Cb' - c Cr',
// B = Y' + d Cb' with the BT.709 (Kr 0.2126, Kb 0.0722) or BT.601 (Kr 0.299, Kb 0.114)
// coefficients, rounded and clamped to 0..255. Chroma is taken from the 2x2 block's sample
// (nearest); FFmpeg's swscale interpolates it, so the two differ by a few levels at sharp colour
// edges and agree to rounding on flat colour.
#include <c10/core/InferenceMode.h>
#include <torch/script.h>

#include <cstring>
#include <mutex>

#include "detect/torch/cuda_session_stream.hpp"
#include "detect/torch/torch_detector.hpp"

namespace pitchtrack::detect {
namespace {

struct Coefficients {
  float cr_to_r, cb_to_g, cr_to_g, cb_to_b;
};

Coefficients coefficients(bool bt709) {
  const float kr = bt709 ? 0.2126f : 0.299f, kb = bt709 ? 0.0722f : 0.114f, kg = 1.0f - kr - kb;
  return {2.0f * (1.0f - kr), 2.0f * kb * (1.0f - kb) / kg, 2.0f * kr * (1.0f - kr) / kg, 2.0f * (1.0f - kb)};
}

class TorchNv12Converter final : public DeviceFrameConverter {
 public:
  explicit TorchNv12Converter(bool cuda) : cuda_(cuda), stream_(cuda, SessionStream::Kind::kShared) {}
  ~TorchNv12Converter() override {
#if PITCHTRACK_SESSION_STREAMS
    if (decoded_ != nullptr) (void)cudaEventDestroy(decoded_);
#endif
  }

  Status nv12_to_bgr(const DeviceNv12& p, MutableFrame& out) override {
    const int w = p.width, h = p.height;
    if (w <= 0 || h <= 0 || w % 2 != 0 || h % 2 != 0) {
      return invalid_argument("nv12 -> bgr: picture size " + std::to_string(w) + "x" + std::to_string(h) +
                              " is not positive and even");
    }
    if (p.y == nullptr || p.uv == nullptr || p.y_pitch < w || p.uv_pitch < w) {
      return invalid_argument("nv12 -> bgr: missing plane or pitch below the width");
    }
    if (out.width() != w || out.height() != h) {
      return invalid_argument("nv12 -> bgr: output frame is " + std::to_string(out.width()) + "x" +
                              std::to_string(out.height()) + ", picture " + std::to_string(w) + "x" +
                              std::to_string(h));
    }
    try {
      c10::InferenceMode guard;
      [[maybe_unused]] const auto on_stream = stream_.use();
      // On the GPU one conversion's kernels are queued at a time, process-wide (queueing takes
      // ~0.1 ms of CPU; the GPU runs them later), and its temporaries (~35 MB of floats and the
      // 6 MB BGR picture at 1080p) go back to libtorch's caching allocator before the lock is
      // released: the next conversion reuses them instead of every reader thread converting at
      // once leaving a set of its own cached (32 streams could hold 1 GB), or keeping its own
      // BGR picture (0.2 GB at 32 streams). All converters share one stream, so the reuse is
      // ordered on the GPU: the next conversion's kernels run after this one's download. CPU
      // conversions run in parallel.
      torch::Tensor host;
      const bool into_frame = cuda_ && out.pinned() && out.stride_bytes() == w * 3;
      {
        std::unique_lock queueing(queue_mutex(), std::defer_lock);
        if (cuda_) queueing.lock();
        PT_RETURN_IF_ERROR(after_decoder());
        const auto opts =
            torch::TensorOptions().dtype(torch::kUInt8).device(cuda_ ? torch::kCUDA : torch::kCPU);
        const torch::Tensor y = torch::from_blob(const_cast<uint8_t*>(p.y), {h, w}, {p.y_pitch, 1}, opts);
        const torch::Tensor uv =
            torch::from_blob(const_cast<uint8_t*>(p.uv), {h / 2, w / 2, 2}, {p.uv_pitch, 2, 1}, opts);
        const Coefficients k = coefficients(p.bt709);
        const float ys = p.full_range ? 1.0f : 255.0f / 219.0f, yo = p.full_range ? 0.0f : 16.0f;
        const float cs = p.full_range ? 1.0f : 255.0f / 224.0f;
        // Chroma terms at half resolution in B, G, R order; each chroma sample serves its 2x2
        // block ([h/2, 1, w/2, 1] broadcast against the luma's [h/2, 2, w/2, 2]). One channel at
        // a time into the uint8 picture.
        const torch::Tensor c = (uv.to(torch::kFloat) - 128.0f) * cs;
        const torch::Tensor cb = c.select(2, 0), cr = c.select(2, 1);
        const torch::Tensor luma = ((y.to(torch::kFloat) - yo) * ys).view({h / 2, 2, w / 2, 2});
        const torch::Tensor bgr = torch::empty({h, w, 3}, opts);
        const torch::Tensor out5 = bgr.view({h / 2, 2, w / 2, 2, 3});
        const torch::Tensor terms[3] = {cb * k.cb_to_b, -(cb * k.cb_to_g + cr * k.cr_to_g), cr * k.cr_to_r};
        for (int64_t ch = 0; ch < 3; ++ch) {
          // Rounded and clamped in float, so the copy into uint8 is exact.
          out5.select(4, ch).copy_(
              (luma + terms[ch].view({h / 2, 1, w / 2, 1})).round_().clamp_(0.0f, 255.0f));
        }
        host = bgr;
        if (cuda_) {
          if (into_frame) {
            // A page-locked frame (detector.pin_frames) with unpadded rows: the download goes
            // straight into it.
            host = torch::from_blob(out.data(), {h, w, 3}, torch::kUInt8);
          } else {
            if (!host_.defined() || host_.size(0) != h || host_.size(1) != w) {
              host_ =
                  torch::empty({h, w, 3}, torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(true));
            }
            host = host_;
          }
          host.copy_(bgr, /*non_blocking=*/true);
          stream_.mark();
        }
      }                       // temporaries freed, then the lock released
      stream_.wait_marked();  // this conversion's download, not the ones queued since
      if (into_frame) return Status::ok();
      const uint8_t* src = host.data_ptr<uint8_t>();
      const size_t row_bytes = static_cast<size_t>(w) * 3;
      for (int r = 0; r < h; ++r)
        std::memcpy(out.row(r), src + static_cast<size_t>(r) * row_bytes, row_bytes);
      return Status::ok();
    } catch (const c10::Error& e) {
      return internal_error(std::string("nv12 -> bgr on the ") + (cuda_ ? "GPU" : "CPU") +
                            " failed: " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      return internal_error(std::string("nv12 -> bgr failed: ") + e.what());
    }
  }

 private:
  // The decoder wrote the picture on the legacy default stream (FFmpeg's); the conversion's
  // stream waits for that on the GPU, without blocking this thread.
  Status after_decoder() {
#if PITCHTRACK_SESSION_STREAMS
    if (!cuda_) return Status::ok();
    if (decoded_ == nullptr && cudaEventCreateWithFlags(&decoded_, cuda_event_flags()) != cudaSuccess) {
      decoded_ = nullptr;
      return internal_error(std::string("nv12 -> bgr: cannot create a CUDA event: ") +
                            cudaGetErrorString(cudaGetLastError()));
    }
    if (cudaEventRecord(decoded_, cudaStreamLegacy) != cudaSuccess ||
        cudaStreamWaitEvent(stream_.raw(), decoded_, 0) != cudaSuccess) {
      return internal_error(std::string("nv12 -> bgr: cannot order after the decoder: ") +
                            cudaGetErrorString(cudaGetLastError()));
    }
#endif
    return Status::ok();
  }

  static std::mutex& queue_mutex() {
    static std::mutex m;
    return m;
  }

  bool cuda_;
  SessionStream stream_;
  torch::Tensor host_;  // CUDA: pinned [h, w, 3] staging for the download
#if PITCHTRACK_SESSION_STREAMS
  cudaEvent_t decoded_ = nullptr;
#endif
};

}  // namespace

DeviceFrameConverterFactory torch_frame_converter_factory(const std::string& device) {
  if (device == "cpu") {
    return []() -> Result<std::unique_ptr<DeviceFrameConverter>> {
      return std::unique_ptr<DeviceFrameConverter>(new TorchNv12Converter(false));
    };
  }
#if PITCHTRACK_SESSION_STREAMS
  if (device == "cuda" && torch_cuda_available()) {
    return []() -> Result<std::unique_ptr<DeviceFrameConverter>> {
      try {
        return std::unique_ptr<DeviceFrameConverter>(new TorchNv12Converter(true));
      } catch (const c10::Error& e) {
        return internal_error(std::string("GPU frame converter: ") + e.what_without_backtrace());
      }
    };
  }
#endif
  return {};
}

}  // namespace pitchtrack::detect
