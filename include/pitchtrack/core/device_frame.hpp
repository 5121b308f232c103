// DeviceFrameConverter: turns a decoded picture that lives in GPU memory (NVDEC output, NV12)
// into a BGR frame in host memory, converting on the GPU.
//
// Contract:
// - A source decoding on the GPU (source.hwaccel: cuda) hands each picture's planes to
//   nv12_to_bgr() instead of downloading NV12 and converting it on the CPU. The planes are CUDA
//   device pointers of the process's primary context, valid for the duration of the call; the
//   picture was written on the CUDA legacy default stream (FFmpeg's), and the converter orders
//   its own work after that.
// - `out` has the picture's width and height; the call fills every row of it (BGR24, the colour
//   matrix and range given), and returns only when `out` holds the result.
// - One converter per source (it keeps that stream's buffers); not thread-safe.
// - Errors: kInvalidArgument for odd sizes or a frame of the wrong size, kInternal for a GPU
//   failure. The source then converts that picture and every later one of the stream on the CPU
//   (download + swscale), with one warning: a converter that failed once is not trusted again.
// The implementation lives with libtorch (detect module: cuda_frame_converter_factory()); io
// sees only this interface.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

struct DeviceNv12 {
  const uint8_t* y = nullptr;   // device pointer, luma rows `y_pitch` bytes apart
  int y_pitch = 0;              // bytes
  const uint8_t* uv = nullptr;  // device pointer, interleaved Cb Cr at half width and height
  int uv_pitch = 0;             // bytes
  int width = 0;                // px (even)
  int height = 0;               // px (even)
  bool bt709 = true;            // colour matrix: BT.709 (HD) or BT.601
  bool full_range = false;      // JPEG (0-255) or limited (16-235 / 16-240) range
};

class DeviceFrameConverter {
 public:
  virtual ~DeviceFrameConverter() = default;
  virtual Status nv12_to_bgr(const DeviceNv12& picture, MutableFrame& out) = 0;
};

// Makes one converter per source; empty when this build or machine cannot convert on a GPU.
using DeviceFrameConverterFactory = std::function<Result<std::unique_ptr<DeviceFrameConverter>>()>;

}  // namespace pitchtrack
