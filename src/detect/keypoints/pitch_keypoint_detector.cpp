#include "pitchtrack/detect/pitch_keypoint_detector.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "detect/cv_frame.hpp"
#include "pitchtrack/detect/registry.hpp"
#if PITCHTRACK_HAVE_TORCH
#include "detect/torch/torch_tensor_net.hpp"
#endif

namespace pitchtrack {
namespace {

constexpr int kNumKeypoints = 32;

struct KeypointMeta {
  int input_width = 0;
  int input_height = 0;
  int stride = 4;
  float threshold = 0.3f;
  double scale = 1.0 / 255.0;
  bool swap_rb = false;
  std::string output_name = "output";
};

Result<KeypointMeta> read_sidecar(const std::string& model_path) {
  const std::string path = std::filesystem::path(model_path).replace_extension(".json").string();
  std::ifstream in(path);
  if (!in)
    return not_found("pitch keypoint model metadata '" + path + "' (sidecar of '" + model_path +
                     "') not found");
  KeypointMeta m;
  try {
    const auto j = nlohmann::json::parse(in);
    m.input_width = j.at("input_width").get<int>();
    m.input_height = j.at("input_height").get<int>();
    m.stride = j.value("stride", 4);
    m.threshold = j.value("recommended_threshold", 0.3f);
    m.scale = j.value("scale", 1.0 / 255.0);
    m.output_name = j.value("output_name", std::string("output"));
    const std::string order = j.value("channel_order", std::string("bgr"));
    if (order != "bgr" && order != "rgb")
      return invalid_argument("'" + path + "': channel_order must be bgr or rgb");
    m.swap_rb = order == "rgb";
    const int n = j.value("num_keypoints", 0);
    if (n != kNumKeypoints) {
      return invalid_argument("'" + path + "': num_keypoints is " + std::to_string(n) + ", expected 32");
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument("'" + path + "': " + e.what());
  }
  if (m.input_width <= 0 || m.input_height <= 0 || m.input_width % 32 || m.input_height % 32) {
    return invalid_argument("'" + path + "': input size must be positive multiples of 32");
  }
  if (m.stride <= 0 || m.input_width % m.stride || m.input_height % m.stride) {
    return invalid_argument("'" + path + "': stride must divide the input size");
  }
  return m;
}

// The network run itself: blob [1,3,H,W] float32 -> output float32 and its shape.
class KeypointForward {
 public:
  virtual ~KeypointForward() = default;
  virtual Status run(const cv::Mat& blob, const float*& out, std::vector<int64_t>& shape) = 0;
};

class OpenCvForward final : public KeypointForward {
 public:
  OpenCvForward(cv::dnn::Net net, std::string output_name, std::string path)
      : net_(std::move(net)), output_name_(std::move(output_name)), path_(std::move(path)) {}
  Status run(const cv::Mat& blob, const float*& out, std::vector<int64_t>& shape) override {
    try {
      net_.setInput(blob);
      net_.forward(out_, output_name_);
    } catch (const cv::Exception& e) {
      return internal_error("pitch keypoints: OpenCV DNN forward of '" + path_ + "' failed: " + e.what());
    }
    shape.assign(out_.size.p, out_.size.p + out_.dims);
    out = out_.ptr<float>(0);
    return Status::ok();
  }

 private:
  cv::dnn::Net net_;
  std::string output_name_;
  std::string path_;
  cv::Mat out_;
};

#if PITCHTRACK_HAVE_TORCH
class TorchForward final : public KeypointForward {
 public:
  explicit TorchForward(std::unique_ptr<detect::TorchTensorNet> net) : net_(std::move(net)) {}
  Status run(const cv::Mat& blob, const float*& out, std::vector<int64_t>& shape) override {
    const int64_t in_shape[4] = {blob.size[0], blob.size[1], blob.size[2], blob.size[3]};
    std::span<const float> o;
    PT_RETURN_IF_ERROR(net_->run(blob.ptr<float>(0), in_shape, o, shape).with_context("pitch keypoints"));
    out = o.data();
    return Status::ok();
  }

 private:
  std::unique_ptr<detect::TorchTensorNet> net_;
};
#endif

class PitchKeypointDetectorImpl final : public PitchKeypointDetector {
 public:
  PitchKeypointDetectorImpl(std::unique_ptr<KeypointForward> forward, KeypointMeta meta, std::string path,
                            float threshold)
      : forward_(std::move(forward)), meta_(std::move(meta)), path_(std::move(path)), threshold_(threshold) {}

  ImageSize input_size() const override { return {meta_.input_width, meta_.input_height}; }
  double last_inference_ms() const override { return last_ms_; }

  Result<std::vector<PitchKeypoint>> detect(const Frame& frame) override {
    if (frame.empty() || frame.width() <= 0 || frame.height() <= 0) {
      return invalid_argument("pitch keypoints: frame " + std::to_string(frame.index) + " is empty");
    }
    const auto t0 = std::chrono::steady_clock::now();
    try {
      cv::resize(detect::as_mat(frame), resized_, cv::Size(meta_.input_width, meta_.input_height), 0, 0,
                 cv::INTER_LINEAR);
      cv::dnn::blobFromImage(resized_, blob_, meta_.scale, cv::Size(), cv::Scalar(), meta_.swap_rb, false);
    } catch (const cv::Exception& e) {
      return internal_error("pitch keypoints: preprocessing for '" + path_ + "' failed: " + e.what());
    }
    const float* base = nullptr;
    PT_RETURN_IF_ERROR(forward_->run(blob_, base, shape_));
    const int oh = meta_.input_height / meta_.stride, ow = meta_.input_width / meta_.stride;
    if (shape_.size() != 4 || shape_[0] != 1 || shape_[1] != 3 * kNumKeypoints || shape_[2] != oh ||
        shape_[3] != ow) {
      return internal_error("pitch keypoints: model '" + path_ +
                            "' output has an unexpected shape (want [1, 96, " + std::to_string(oh) + ", " +
                            std::to_string(ow) + "])");
    }
    // Decode: per keypoint the heatmap peak plus its sub-cell offset (train/keypoints_export.py).
    const float sx = static_cast<float>(frame.width()) / static_cast<float>(meta_.input_width);
    const float sy = static_cast<float>(frame.height()) / static_cast<float>(meta_.input_height);
    const auto plane = static_cast<size_t>(oh) * static_cast<size_t>(ow);
    std::vector<PitchKeypoint> kps;
    for (int k = 0; k < kNumKeypoints; ++k) {
      const float* heat = base + static_cast<size_t>(k) * plane;
      size_t best = 0;
      for (size_t i = 1; i < plane; ++i) {
        if (heat[i] > heat[best]) best = i;
      }
      const float conf = heat[best];
      if (!(conf >= threshold_)) continue;
      const float dx = base[static_cast<size_t>(kNumKeypoints + 2 * k) * plane + best];
      const float dy = base[static_cast<size_t>(kNumKeypoints + 2 * k + 1) * plane + best];
      const auto row = static_cast<float>(best / static_cast<size_t>(ow));
      const auto col = static_cast<float>(best % static_cast<size_t>(ow));
      const auto stride = static_cast<float>(meta_.stride);
      kps.push_back({k, (col + 0.5f + dx) * stride * sx, (row + 0.5f + dy) * stride * sy, conf});
    }
    last_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return kps;
  }

 private:
  std::unique_ptr<KeypointForward> forward_;
  KeypointMeta meta_;
  std::string path_;
  float threshold_;
  cv::Mat resized_, blob_;
  std::vector<int64_t> shape_;
  double last_ms_ = 0;
};

// The OpenCV DNN forward over an ONNX file.
Result<std::unique_ptr<KeypointForward>> load_onnx_forward(const std::string& path,
                                                           const KeypointMeta& meta) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uchar> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return invalid_argument("pitch keypoint model '" + path + "': file is empty");
  static const bool quiet = [] {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    return true;
  }();
  (void)quiet;
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(bytes);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    return invalid_argument("pitch keypoint model '" + path + "': OpenCV DNN cannot load it: " + e.what());
  }
  if (net.empty()) return invalid_argument("pitch keypoint model '" + path + "': empty network");
  return std::unique_ptr<KeypointForward>(
      std::make_unique<OpenCvForward>(std::move(net), meta.output_name, path));
}

}  // namespace

Result<std::unique_ptr<PitchKeypointDetector>> PitchKeypointDetector::create(
    const PitchKeypointConfig& config) {
  namespace fs = std::filesystem;
  if (config.backend != "onnx" && config.backend != "torch") {
    return invalid_argument("calibration.keypoints_backend must be onnx or torch, got '" + config.backend +
                            "'");
  }
  const bool torch = config.backend == "torch";
  const std::string path =
      config.model_path.empty()
          ? (fs::path(default_models_dir()) / (torch ? "pitch_keypoints.pt" : "pitch_keypoints.onnx"))
                .string()
          : config.model_path;
  if (config.threshold > 1.0f) return invalid_argument("pitch_keypoints.threshold must be <= 1");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return not_found("pitch keypoint model '" + path + "': no such file");
  if (fs::file_size(path, ec) == 0)
    return invalid_argument("pitch keypoint model '" + path + "': file is empty");
  PT_ASSIGN_OR_RETURN(KeypointMeta meta, read_sidecar(path));
  if (config.threads > 0) cv::setNumThreads(config.threads);  // resize + blob (and the onnx forward)
  std::unique_ptr<KeypointForward> forward;
  if (torch) {
#if PITCHTRACK_HAVE_TORCH
    PT_ASSIGN_OR_RETURN(auto net, detect::load_torch_tensor_net(path, config.device, config.precision));
    forward = std::make_unique<TorchForward>(std::move(net));
#else
    return unsupported("calibration.keypoints_backend 'torch': torch backend not built in this binary");
#endif
  } else {
    if (config.device == "cuda" || config.precision == "fp16") {
      return invalid_argument("pitch keypoint model '" + path +
                              "': the onnx backend runs on the CPU in fp32 (keypoints_device/precision need "
                              "keypoints_backend: torch)");
    }
    PT_ASSIGN_OR_RETURN(forward, load_onnx_forward(path, meta));
  }
  const float thr = config.threshold >= 0 ? config.threshold : meta.threshold;
  auto det = std::make_unique<PitchKeypointDetectorImpl>(std::move(forward), meta, path, thr);
  // One forward pass now so a graph that does not run or has the wrong output fails at load time.
  const Frame f = uniform_frame(meta.input_width, meta.input_height, 0);
  auto r = det->detect(f);
  if (!r.is_ok()) return r.status().with_context("pitch keypoint model '" + path + "'");
  return std::unique_ptr<PitchKeypointDetector>(std::move(det));
}

}  // namespace pitchtrack
