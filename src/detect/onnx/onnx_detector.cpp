#include "detect/onnx/onnx_detector.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "detect/cv_frame.hpp"
#include "detect/postprocess.hpp"

namespace pitchtrack::detect {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct ModelMeta {
  int input_width = 0;
  int input_height = 0;
  int stride = 4;
  int pad_value = 114;
  std::array<float, kNumObjectClasses> thresholds = {0.3f, 0.3f, 0.3f, 0.3f};
  std::string output_name = "output";
};

Result<ModelMeta> read_sidecar(const std::string& model_path) {
  const std::string path = std::filesystem::path(model_path).replace_extension(".json").string();
  std::ifstream in(path);
  if (!in)
    return not_found("detector model metadata '" + path + "' (sidecar of '" + model_path + "') not found");
  ModelMeta m;
  try {
    const auto j = nlohmann::json::parse(in);
    m.input_width = j.at("input_width").get<int>();
    m.input_height = j.at("input_height").get<int>();
    m.stride = j.value("stride", 4);
    m.pad_value = j.value("pad_value", 114);
    m.output_name = j.value("output_name", std::string("output"));
    const auto classes = j.at("classes").get<std::vector<std::string>>();
    if (classes.size() != kNumObjectClasses) {
      return invalid_argument("'" + path + "': expected 4 classes (ball, goalkeeper, player, referee)");
    }
    for (int c = 0; c < kNumObjectClasses; ++c) {
      if (classes[static_cast<size_t>(c)] != to_string(static_cast<ObjectClass>(c))) {
        return invalid_argument("'" + path + "': class " + std::to_string(c) + " is '" +
                                classes[static_cast<size_t>(c)] + "', expected '" +
                                std::string(to_string(static_cast<ObjectClass>(c))) + "'");
      }
      if (j.contains("recommended_thresholds")) {
        const auto& t = j["recommended_thresholds"];
        const std::string name(to_string(static_cast<ObjectClass>(c)));
        if (t.contains(name)) m.thresholds[static_cast<size_t>(c)] = t[name].get<float>();
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument("'" + path + "': " + e.what());
  }
  if (m.input_width <= 0 || m.input_height <= 0 || m.input_width % 32 || m.input_height % 32) {
    return invalid_argument("'" + path + "': input size must be positive multiples of 32");
  }
  return m;
}

class OnnxModel;

class OnnxSession final : public Detector {
 public:
  OnnxSession(cv::dnn::Net net, ModelMeta meta, DetectorConfig config)
      : net_(std::move(net)), meta_(std::move(meta)), config_(std::move(config)) {}

  DetectorCaps caps() const override {
    return {"onnx", "cpu", "fp32", config_.max_batch, meta_.input_width, meta_.input_height, true};
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
    for (size_t i = 0; i < frames.size(); ++i) {
      const Frame& f = frames[i];
      if (f.empty() || f.width() <= 0 || f.height() <= 0) {
        return invalid_argument("detect: frame " + std::to_string(f.index) + " is empty");
      }
      scales_[i] = letterbox_top_left(as_mat(f), meta_.input_width, meta_.input_height, meta_.pad_value,
                                      letterboxed_[i]);
    }
    std::vector<cv::Mat> views(letterboxed_.begin(),
                               letterboxed_.begin() + static_cast<ptrdiff_t>(frames.size()));
    cv::dnn::blobFromImages(views, blob_, 1.0 / 255.0, cv::Size(), cv::Scalar(), /*swapRB=*/false,
                            /*crop=*/false);
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
    if (out_.dims != 4 || out_.size[0] != static_cast<int>(frames.size()) ||
        out_.size[1] < kNumObjectClasses + 4) {
      return internal_error("detect: model output has an unexpected shape (want [N, 8, H/4, W/4])");
    }
    std::array<float, kNumObjectClasses> thr = meta_.thresholds;
    for (size_t c = 0; c < thr.size(); ++c) {
      if (config_.thresholds[c] >= 0) thr[c] = config_.thresholds[c];
    }
    const int C = out_.size[1], H = out_.size[2], W = out_.size[3];
    for (size_t i = 0; i < frames.size(); ++i) {
      CenterNetOutput o{out_.ptr<float>(static_cast<int>(i)), C, H, W, meta_.stride};
      auto dets = decode_centernet(o, thr, scales_[i], frames[i].width(), frames[i].height());
      results.push_back(nms_per_class(std::move(dets), config_.nms_iou, config_.max_detections));
    }
    timings_.postprocess_ms += ms_since(t0);
    return Status::ok();
  }

  cv::dnn::Net net_;
  ModelMeta meta_;
  DetectorConfig config_;
  std::vector<cv::Mat> letterboxed_;  // reused per batch slot
  std::vector<float> scales_;
  cv::Mat blob_;
  cv::Mat out_;
  DetectorTimings timings_;
};

class OnnxModel final : public DetectorModel {
 public:
  OnnxModel(std::vector<uchar> bytes, ModelMeta meta, DetectorConfig config)
      : bytes_(std::move(bytes)), meta_(std::move(meta)), config_(std::move(config)) {}

  DetectorCaps caps() const override {
    return {"onnx", "cpu", "fp32", config_.max_batch, meta_.input_width, meta_.input_height, true};
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
    MutableFrame probe(meta_.input_width, meta_.input_height);
    std::memset(probe.data(), 0, static_cast<size_t>(probe.stride_bytes()) * probe.height());
    const Frame f = std::move(probe).freeze();
    auto r = session->detect(std::span<const Frame>(&f, 1));
    if (!r.is_ok()) return r.status().with_context("detector model '" + config_.model_path + "'");
    return Status::ok();
  }

 private:
  std::vector<uchar> bytes_;
  ModelMeta meta_;
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
  PT_ASSIGN_OR_RETURN(ModelMeta meta, read_sidecar(path));
  if (config.input_width > 0) meta.input_width = config.input_width;
  if (config.input_height > 0) meta.input_height = config.input_height;
  if (meta.input_width % 32 || meta.input_height % 32) {
    return invalid_argument("detector.input_width/input_height must be multiples of 32");
  }
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
