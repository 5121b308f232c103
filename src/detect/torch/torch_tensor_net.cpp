#include "detect/torch/torch_tensor_net.hpp"

#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>
#include <torch/script.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "detect/torch/cuda_session_stream.hpp"

namespace pitchtrack::detect {
namespace {

class TorchTensorNetImpl final : public TorchTensorNet {
 public:
  TorchTensorNetImpl(std::shared_ptr<torch::jit::Module> module, std::string path, bool cuda, bool fp16)
      : module_(std::move(module)),
        path_(std::move(path)),
        cuda_(cuda),
        fp16_(fp16),
        stream_(cuda, SessionStream::Kind::kShared) {}

  std::string device() const override { return cuda_ ? "cuda" : "cpu"; }

  Status run(const float* input, std::span<const int64_t> shape, std::span<const float>& output,
             std::vector<int64_t>& output_shape) override {
    try {
      c10::InferenceMode guard;
      [[maybe_unused]] const auto on_stream = stream_.use();
      const torch::Tensor host =
          torch::from_blob(const_cast<float*>(input), c10::IntArrayRef(shape.data(), shape.size()),
                           torch::TensorOptions().dtype(torch::kFloat));
      // Non-blocking both ways, then a wait for this call's work only: a blocking copy_ would wait
      // for the whole (shared) stream, other streams' nets included.
      torch::Tensor x = cuda_ ? host.to(torch::kCUDA, /*non_blocking=*/true) : host;
      if (fp16_) x = x.to(torch::kHalf);
      std::vector<torch::jit::IValue> args{x};
      // forward() of a loaded module changes nothing in it: the nets of one model share it.
      const torch::jit::IValue out = module_->forward(args);
      if (!out.isTensor())
        return internal_error("model '" + path_ + "': output is a " + out.tagKind() + ", want a tensor");
      torch::Tensor t = out.toTensor();
      if (t.scalar_type() != torch::kFloat) t = t.to(torch::kFloat);  // on the device, before the copy
      if (!out_.defined() || out_.sizes() != t.sizes()) {
        out_ = torch::empty(t.sizes(), torch::TensorOptions().dtype(torch::kFloat).pinned_memory(cuda_));
      }
      out_.copy_(t, /*non_blocking=*/cuda_);
      stream_.synchronize();
      output = std::span<const float>(out_.data_ptr<float>(), static_cast<size_t>(out_.numel()));
      output_shape.assign(out_.sizes().begin(), out_.sizes().end());
      return Status::ok();
    } catch (const c10::Error& e) {
      return internal_error("model '" + path_ + "': libtorch forward failed: " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      return internal_error("model '" + path_ + "': libtorch forward failed: " + e.what());
    }
  }

 private:
  std::shared_ptr<torch::jit::Module> module_;  // shared by the nets of one model (load_shared)
  std::string path_;
  bool cuda_;
  bool fp16_;
  SessionStream stream_;  // CUDA: the stream shared by the per-stream nets (cuda_session_stream.hpp)
  torch::Tensor out_;     // float32 host output (pinned with CUDA), reused
};

// One module per (file, device, precision) while any net uses it: each stream of a process has
// its own keypoint net, and 32 copies of the weights on the GPU cost 32 times the memory for
// nothing. Throws what torch::jit::load throws.
std::shared_ptr<torch::jit::Module> load_shared(const std::string& path, bool cuda, bool fp16) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<torch::jit::Module>> loaded;
  std::error_code ec;
  const std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
  const std::string key = (ec ? path : canonical) + (cuda ? "|cuda" : "|cpu") + (fp16 ? "|fp16" : "|fp32");
  std::lock_guard lock(mutex);
  std::erase_if(loaded, [](const auto& entry) { return entry.second.expired(); });
  if (auto module = loaded[key].lock()) return module;
  torch::jit::Module m =
      torch::jit::load(path, cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU));
  m.eval();
  if (fp16) m.to(torch::kHalf);
  if (!cuda) m = torch::jit::optimize_for_inference(m);
  auto module = std::make_shared<torch::jit::Module>(std::move(m));
  loaded[key] = module;
  return module;
}

}  // namespace

Result<std::unique_ptr<TorchTensorNet>> load_torch_tensor_net(const std::string& path,
                                                              const std::string& device,
                                                              const std::string& precision) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return not_found("model '" + path + "': no such file");
  bool have_cuda = false;
  try {
    have_cuda = torch::cuda::is_available();
  } catch (const c10::Error&) {
  }
  bool cuda = false;
  if (device == "cuda") {
    if (!have_cuda) {
      return failed_precondition("model '" + path +
                                 "': device 'cuda' asked, but libtorch has no usable CUDA device");
    }
    cuda = true;
  } else if (device == "auto") {
    cuda = have_cuda;
  } else if (device != "cpu") {
    return invalid_argument("model '" + path + "': device must be auto, cpu or cuda, got '" + device + "'");
  }
  if (precision != "fp32" && precision != "fp16") {
    return invalid_argument("model '" + path + "': precision must be fp32 or fp16, got '" + precision + "'");
  }
  if (precision == "fp16" && !cuda) {
    return invalid_argument("model '" + path + "': precision fp16 needs CUDA");
  }
  if (cuda) PT_RETURN_IF_ERROR(apply_cuda_wait(""));  // the detector's setting, or block
  try {
    auto module = load_shared(path, cuda, precision == "fp16");
    return std::unique_ptr<TorchTensorNet>(
        new TorchTensorNetImpl(std::move(module), path, cuda, precision == "fp16"));
  } catch (const c10::Error& e) {
    return invalid_argument("model '" + path +
                            "': libtorch cannot load it as TorchScript: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return invalid_argument("model '" + path + "': libtorch cannot load it as TorchScript: " + e.what());
  }
}

}  // namespace pitchtrack::detect
