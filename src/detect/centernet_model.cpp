#include "detect/centernet_model.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "detect/postprocess.hpp"

namespace pitchtrack::detect {
namespace {

// `recommended_thresholds` of a sidecar object, by class name; classes it leaves out keep `thr`.
void read_thresholds(const nlohmann::json& j, std::array<float, kNumObjectClasses>& thr) {
  if (!j.contains("recommended_thresholds")) return;
  const auto& t = j["recommended_thresholds"];
  for (int c = 0; c < kNumObjectClasses; ++c) {
    const std::string name(to_string(static_cast<ObjectClass>(c)));
    if (t.contains(name)) thr[static_cast<size_t>(c)] = t[name].get<float>();
  }
}

// A network input size the stride-32 backbone takes.
bool valid_input_size(int width, int height) {
  return width > 0 && height > 0 && width % 32 == 0 && height % 32 == 0;
}

}  // namespace

Result<CenterNetMeta> read_centernet_sidecar(const std::string& model_path) {
  const std::string path = std::filesystem::path(model_path).replace_extension(".json").string();
  std::ifstream in(path);
  if (!in)
    return not_found("detector model metadata '" + path + "' (sidecar of '" + model_path + "') not found");
  CenterNetMeta m;
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
    }
    read_thresholds(j, m.thresholds);
    for (const auto& op : j.value("operating_points", nlohmann::json::array())) {
      CenterNetOperatingPoint p;
      p.input_width = op.at("input_width").get<int>();
      p.input_height = op.at("input_height").get<int>();
      p.thresholds = m.thresholds;
      read_thresholds(op, p.thresholds);
      if (!valid_input_size(p.input_width, p.input_height)) {
        return invalid_argument("'" + path + "': operating point " + std::to_string(p.input_width) + "x" +
                                std::to_string(p.input_height) +
                                ": input size must be positive multiples of 32");
      }
      m.operating_points.push_back(p);
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument("'" + path + "': " + e.what());
  }
  if (!valid_input_size(m.input_width, m.input_height)) {
    return invalid_argument("'" + path + "': input size must be positive multiples of 32");
  }
  if (m.stride <= 0) return invalid_argument("'" + path + "': stride must be positive");
  return m;
}

Result<CenterNetMeta> load_centernet_meta(const DetectorConfig& config) {
  PT_ASSIGN_OR_RETURN(CenterNetMeta meta, read_centernet_sidecar(config.model_path));
  if (config.input_width > 0) meta.input_width = config.input_width;
  if (config.input_height > 0) meta.input_height = config.input_height;
  if (!valid_input_size(meta.input_width, meta.input_height)) {
    return invalid_argument("detector.input_width/input_height must be multiples of 32");
  }
  for (const CenterNetOperatingPoint& op : meta.operating_points) {
    if (op.input_width == meta.input_width && op.input_height == meta.input_height)
      meta.thresholds = op.thresholds;
  }
  return meta;
}

std::array<float, kNumObjectClasses> effective_thresholds(const CenterNetMeta& meta,
                                                          const DetectorConfig& config) {
  std::array<float, kNumObjectClasses> thr = meta.thresholds;
  for (size_t c = 0; c < thr.size(); ++c) {
    if (config.thresholds[c] >= 0) thr[c] = config.thresholds[c];
  }
  return thr;
}

Status check_centernet_output(std::span<const int64_t> shape, int64_t batch, const CenterNetMeta& meta) {
  const int64_t h = meta.input_height / meta.stride, w = meta.input_width / meta.stride;
  if (shape.size() == 4 && shape[0] == batch && shape[1] == kCenterNetChannels && shape[2] == h &&
      shape[3] == w) {
    return Status::ok();
  }
  std::string got = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) got += ',';
    got += std::to_string(shape[i]);
  }
  got += "]";
  return internal_error("detect: model output has shape " + got + ", want [" + std::to_string(batch) + "," +
                        std::to_string(kCenterNetChannels) + "," + std::to_string(h) + "," +
                        std::to_string(w) + "] ([N, 8, H/" + std::to_string(meta.stride) + ", W/" +
                        std::to_string(meta.stride) + "], models/MODEL_CARD.md)");
}

}  // namespace pitchtrack::detect

namespace pitchtrack {

LetterboxGeometry letterbox_geometry(int frame_width, int frame_height, int input_width, int input_height) {
  LetterboxGeometry g;
  g.scale = std::min(static_cast<float>(input_width) / static_cast<float>(frame_width),
                     static_cast<float>(input_height) / static_cast<float>(frame_height));
  g.width = std::max(1, std::min(input_width, static_cast<int>(std::lround(frame_width * g.scale))));
  g.height = std::max(1, std::min(input_height, static_cast<int>(std::lround(frame_height * g.scale))));
  return g;
}

}  // namespace pitchtrack

namespace pitchtrack::detect {

void decode_centernet_batch(const float* output, int64_t out_height, int64_t out_width,
                            const CenterNetMeta& meta, const DetectorConfig& config,
                            std::span<const Frame> frames, std::span<const float> scales,
                            std::vector<std::vector<Detection>>& results) {
  const auto thr = effective_thresholds(meta, config);
  const size_t per_image =
      static_cast<size_t>(kCenterNetChannels) * static_cast<size_t>(out_height * out_width);
  for (size_t i = 0; i < frames.size(); ++i) {
    CenterNetOutput o{output + i * per_image, kCenterNetChannels, static_cast<int>(out_height),
                      static_cast<int>(out_width), meta.stride};
    auto dets = decode_centernet(o, thr, scales[i], frames[i].width(), frames[i].height());
    results.push_back(nms_per_class(std::move(dets), config.nms_iou, config.max_detections));
  }
}

Status check_frames(std::span<const Frame> frames) {
  for (const Frame& f : frames) {
    if (f.empty() || f.width() <= 0 || f.height() <= 0) {
      return invalid_argument("detect: frame " + std::to_string(f.index) + " is empty");
    }
  }
  return Status::ok();
}

}  // namespace pitchtrack::detect
