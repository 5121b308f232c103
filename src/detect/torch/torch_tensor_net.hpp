// TorchTensorNet: a TorchScript network with one float input and one float output (the pitch
// keypoint model), run through libtorch on CUDA (FP32 or FP16) or the CPU. No libtorch type
// appears here, so OpenCV code can use it without libtorch's headers.
//
// Contract: load() loads the module onto the device and runs nothing; run() copies the NCHW
// float32 host input to the device, runs the module, and returns the output as float32 in a
// host buffer owned by the net (valid until the next run) with its shape. Errors (libtorch
// exceptions) come back as Status naming the model file. One thread at a time per net; nets
// loaded from the same file for the same device and precision share one module (its weights are
// on the device once, however many streams have a net), so a file rewritten while such a net
// lives is not read again.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pitchtrack/core/status.hpp"

namespace pitchtrack::detect {

class TorchTensorNet {
 public:
  virtual ~TorchTensorNet() = default;
  virtual Status run(const float* input, std::span<const int64_t> shape, std::span<const float>& output,
                     std::vector<int64_t>& output_shape) = 0;
  virtual std::string device() const = 0;
};

// device: auto | cpu | cuda; precision: fp32 | fp16 (CUDA only).
Result<std::unique_ptr<TorchTensorNet>> load_torch_tensor_net(const std::string& path,
                                                              const std::string& device,
                                                              const std::string& precision);

}  // namespace pitchtrack::detect
