#include "detect/onnx/onnx_detector.hpp"

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "detect/centernet_model.hpp"
#include "detect/cv_frame.hpp"

namespace pitchtrack::detect {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

class OnnxModel;

class OnnxSession final : public Detector {
 public:
  OnnxSession(cv::dnn::Net net, CenterNetMeta meta, DetectorConfig config)
      : net_(std::move(net)), meta_(std::move(meta)), config_(std::move(config)) {}

  DetectorCaps caps() const override {
    return {"onnx", "cpu", "fp32", config_.max_batch, meta_.input_width, meta_.input_height, true, true};
  }
  DetectorTimings last_timings() const override { return timings_; }

  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    std::vector<std::vector<Detection>> results;
    results.reserve(frames.size());
    timings_ = {};
    for (size_t start = 0; start < frames.size(); start += static_cast<size_t>(config_.max_batch)) {
      const size_t n = std::min(frames.size() - start, static_cast<size_t>(config_.max_batch));
      PT_RETURN_IF_ERROR(run_batch(frames.subspan(start, n), results));
    }
    return results;
  }

 private:
  Status run_batch(std::span<const Frame> frames, std::vector<std::vector<Detection>>& results) {
    auto t0 = Clock::now();
    if (letterboxed_.size() < frames.size()) letterboxed_.resize(frames.size());
    scales_.resize(frames.size());
    PT_RETURN_IF_ERROR(check_frames(frames));
    for (size_t i = 0; i < frames.size(); ++i) {
      scales_[i] = letterbox_top_left(as_mat(frames[i]), meta_.input_width, meta_.input_height,
                                      meta_.pad_value, letterboxed_[i]);
    }
    blob_from_images(std::span<const cv::Mat>(letterboxed_.data(), frames.size()), 1.0f / 255.0f, blob_);
    timings_.preprocess_ms += ms_since(t0);

    t0 = Clock::now();
    try {
      net_.setInput(blob_);
      net_.forward(out_, meta_.output_name);
    } catch (const cv::Exception& e) {
      return internal_error("detect: OpenCV DNN forward failed: " + std::string(e.what()));
    }
    timings_.inference_ms += ms_since(t0);

    t0 = Clock::now();
    const std::vector<int64_t> shape(out_.size.p, out_.size.p + out_.dims);
    PT_RETURN_IF_ERROR(check_centernet_output(shape, static_cast<int64_t>(frames.size()), meta_));
    if (!out_.isContinuous() || out_.type() != CV_32F)
      return internal_error("detect: model output is not float32");
    decode_centernet_batch(out_.ptr<float>(), shape[2], shape[3], meta_, config_, frames, scales_, results);
    timings_.postprocess_ms += ms_since(t0);
    return Status::ok();
  }

  cv::dnn::Net net_;
  CenterNetMeta meta_;
  DetectorConfig config_;
  std::vector<cv::Mat> letterboxed_;  // reused per batch slot
  std::vector<float> scales_;
  cv::Mat blob_;
  cv::Mat out_;
  DetectorTimings timings_;
};

class OnnxModel final : public DetectorModel {
 public:
  OnnxModel(std::vector<uchar> bytes, CenterNetMeta meta, DetectorConfig config)
      : bytes_(std::move(bytes)), meta_(std::move(meta)), config_(std::move(config)) {}

  DetectorCaps caps() const override {
    return {"onnx", "cpu", "fp32", config_.max_batch, meta_.input_width, meta_.input_height, true, true};
  }

  Result<std::unique_ptr<Detector>> create_session() const override {
    cv::dnn::Net net;
    try {
      net = cv::dnn::readNetFromONNX(bytes_);
      net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    } catch (const cv::Exception& e) {
      return invalid_argument("detector model '" + config_.model_path +
                              "': OpenCV DNN cannot load it: " + e.what());
    }
    if (net.empty()) return invalid_argument("detector model '" + config_.model_path + "': empty network");
    return std::unique_ptr<Detector>(std::make_unique<OnnxSession>(std::move(net), meta_, config_));
  }

  // Loads once and runs one forward pass so a model with the wrong input shape or broken graph
  // fails here, at load time, with its name.
  Status validate() const {
    PT_ASSIGN_OR_RETURN(auto session, create_session());
    const Frame f = uniform_frame(meta_.input_width, meta_.input_height, 0);
    auto r = session->detect(std::span<const Frame>(&f, 1));
    if (!r.is_ok()) return r.status().with_context("detector model '" + config_.model_path + "'");
    return Status::ok();
  }

 private:
  std::vector<uchar> bytes_;
  CenterNetMeta meta_;
  DetectorConfig config_;
};

}  // namespace

Result<std::shared_ptr<const DetectorModel>> load_onnx_model(const DetectorConfig& config) {
  namespace fs = std::filesystem;
  const std::string& path = config.model_path;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return not_found("detector model '" + path + "': no such file");
  std::ifstream in(path, std::ios::binary);
  std::vector<uchar> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return invalid_argument("detector model '" + path + "': file is empty");
  PT_ASSIGN_OR_RETURN(CenterNetMeta meta, load_centernet_meta(config));
  static const bool quiet = [] {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    return true;
  }();
  (void)quiet;
  if (config.threads > 0) cv::setNumThreads(config.threads);
  auto model = std::make_shared<OnnxModel>(std::move(bytes), std::move(meta), config);
  PT_RETURN_IF_ERROR(model->validate());
  return std::shared_ptr<const DetectorModel>(std::move(model));
}

}  // namespace pitchtrack::detect
