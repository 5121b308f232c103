#include "detect/darknet/darknet_detector.hpp"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <filesystem>

#include "detect/cv_frame.hpp"
#include "detect/postprocess.hpp"

namespace pitchtrack::detect {
namespace {

constexpr int kCocoSportsBall = 32;
using SteadyTime = std::chrono::steady_clock;
double ms_since(SteadyTime::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyTime::now() - t0).count();
}

class DarknetSession final : public Detector {
 public:
  DarknetSession(cv::dnn::Net net, DetectorConfig config) : net_(std::move(net)), config_(std::move(config)) {
    names_ = net_.getUnconnectedOutLayersNames();
  }
  DetectorCaps caps() const override {
    return {"darknet", "cpu", "fp32", config_.max_batch, config_.input_width, config_.input_height, true};
  }
  DetectorTimings last_timings() const override { return timings_; }

  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    timings_ = {};
    std::vector<std::vector<Detection>> results;
    for (const Frame& f : frames) {
      if (f.empty()) return invalid_argument("detect: frame " + std::to_string(f.index) + " is empty");
      auto t0 = SteadyTime::now();
      cv::resize(as_mat(f), resized_, cv::Size(config_.input_width, config_.input_height));
      cv::dnn::blobFromImage(resized_, blob_, 1.0 / 255.0, cv::Size(), cv::Scalar(), /*swapRB=*/true, false);
      timings_.preprocess_ms += ms_since(t0);
      t0 = SteadyTime::now();
      try {
        net_.setInput(blob_);
        net_.forward(outs_, names_);
      } catch (const cv::Exception& e) {
        return internal_error("detect: darknet forward failed: " + std::string(e.what()));
      }
      timings_.inference_ms += ms_since(t0);
      t0 = SteadyTime::now();
      std::vector<Detection> dets;
      for (const cv::Mat& out : outs_) {
        const int ncls = out.cols - 5;
        for (int r = 0; r < out.rows; ++r) {
          const float* row = out.ptr<float>(r);
          for (int c = 0; c < ncls; ++c) {
            const float score = row[5 + c];
            ObjectClass cls;
            if (c == 0) {
              cls = ObjectClass::kPlayer;
            } else if (ncls == 80 && c == kCocoSportsBall) {
              cls = ObjectClass::kBall;
            } else {
              continue;
            }
            const float thr = config_.thresholds[static_cast<size_t>(cls)] >= 0
                                  ? config_.thresholds[static_cast<size_t>(cls)]
                                  : 0.25f;
            if (score < thr) continue;
            const float W = static_cast<float>(f.width()), H = static_cast<float>(f.height());
            BoxXyxy b = BoxXyxy::from_cxcywh(row[0] * W, row[1] * H, row[2] * W, row[3] * H);
            b.x1 = std::max(0.0f, b.x1);
            b.y1 = std::max(0.0f, b.y1);
            b.x2 = std::min(W, b.x2);
            b.y2 = std::min(H, b.y2);
            dets.push_back({b, score, cls});
          }
        }
      }
      results.push_back(nms_per_class(std::move(dets), config_.nms_iou, config_.max_detections));
      timings_.postprocess_ms += ms_since(t0);
    }
    return results;
  }

 private:
  cv::dnn::Net net_;
  DetectorConfig config_;
  std::vector<std::string> names_;
  cv::Mat resized_, blob_;
  std::vector<cv::Mat> outs_;
  DetectorTimings timings_;
};

class DarknetModel final : public DetectorModel {
 public:
  explicit DarknetModel(DetectorConfig config) : config_(std::move(config)) {}
  DetectorCaps caps() const override {
    return {"darknet", "cpu", "fp32", config_.max_batch, config_.input_width, config_.input_height, true};
  }
  Result<std::unique_ptr<Detector>> create_session() const override {
    try {
      cv::dnn::Net net = cv::dnn::readNetFromDarknet(config_.model_path, config_.weights_path);
      if (net.empty()) return invalid_argument("darknet model '" + config_.model_path + "': empty network");
      return std::unique_ptr<Detector>(std::make_unique<DarknetSession>(std::move(net), config_));
    } catch (const cv::Exception& e) {
      return invalid_argument("darknet model '" + config_.model_path + "' / '" + config_.weights_path +
                              "': OpenCV DNN cannot load it: " + e.what());
    }
  }

 private:
  DetectorConfig config_;
};

}  // namespace

Result<std::shared_ptr<const DetectorModel>> load_darknet_model(const DetectorConfig& config) {
  namespace fs = std::filesystem;
  for (const std::string* p : {&config.model_path, &config.weights_path}) {
    std::error_code ec;
    if (p->empty() || !fs::is_regular_file(*p, ec)) {
      return not_found("darknet model file '" + *p + "': no such file (need .cfg and .weights)");
    }
  }
  DetectorConfig c = config;
  if (c.input_width <= 0) c.input_width = 640;
  if (c.input_height <= 0) c.input_height = 352;
  auto model = std::make_shared<DarknetModel>(c);
  PT_ASSIGN_OR_RETURN(auto probe, model->create_session());
  (void)probe;
  return std::shared_ptr<const DetectorModel>(std::move(model));
}

}  // namespace pitchtrack::detect
