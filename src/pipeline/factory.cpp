#include "pitchtrack/pipeline/factory.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

namespace pitchtrack {
namespace {

// Reads `node[key]` into `out` if present; records the key as known.
class Reader {
 public:
  Reader(const YAML::Node& node, std::string where, std::string file)
      : node_(node), where_(std::move(where)), file_(std::move(file)) {}

  template <typename T>
  Status get(const char* key, T& out) {
    known_.insert(key);
    const YAML::Node v = node_[key];
    if (!v) return Status::ok();
    try {
      out = v.as<T>();
    } catch (const YAML::Exception& e) {
      return invalid_argument(file_ + ": " + where_ + key + ": " + e.what());
    }
    return Status::ok();
  }
  YAML::Node child(const char* key) {
    known_.insert(key);
    return node_[key];
  }
  Status check_unknown() const {
    if (!node_ || !node_.IsMap()) return Status::ok();
    for (const auto& kv : node_) {
      const std::string k = kv.first.as<std::string>();
      if (!known_.count(k)) return invalid_argument(file_ + ": unknown key '" + where_ + k + "'");
    }
    return Status::ok();
  }

 private:
  YAML::Node node_;
  std::string where_;
  std::string file_;
  std::set<std::string> known_;
};

}  // namespace

Result<RunConfig> load_run_config(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return not_found("config '" + path + "': cannot open");
  } catch (const YAML::Exception& e) {
    return invalid_argument("config '" + path + "': " + e.what());
  }
  if (!root.IsMap()) return invalid_argument("config '" + path + "': expected a mapping at the top level");
  RunConfig c;
  Reader top(root, "", path);
  PT_RETURN_IF_ERROR(top.get("mode", c.mode));
  if (c.mode != "realtime" && c.mode != "batch") {
    return invalid_argument(path + ": mode must be realtime or batch, got '" + c.mode + "'");
  }
  PT_RETURN_IF_ERROR(top.get("target_fps", c.stream.target_fps));
  PT_RETURN_IF_ERROR(top.get("buffer_size", c.stream.buffer_size));
  PT_RETURN_IF_ERROR(top.get("max_processing_latency_ms", c.stream.max_processing_latency_ms));
  PT_RETURN_IF_ERROR(top.get("batch_size", c.stream.batch_size));
  PT_RETURN_IF_ERROR(top.get("pace_input", c.stream.pace_input));
  PT_RETURN_IF_ERROR(top.get("overlap_detection", c.stream.overlap_detection));
  PT_RETURN_IF_ERROR(top.get("teams", c.pipeline.teams));
  // camera_motion: a bool, or a mapping {enabled, work_width, max_features, lk_window_px, lk_levels}.
  if (YAML::Node n = top.child("camera_motion"); n && n.IsMap()) {
    Reader r(n, "camera_motion.", path);
    CameraMotionConfig& m = c.pipeline.motion;
    PT_RETURN_IF_ERROR(r.get("enabled", c.pipeline.camera_motion));
    PT_RETURN_IF_ERROR(r.get("work_width", m.work_width));
    PT_RETURN_IF_ERROR(r.get("max_features", m.max_features));
    PT_RETURN_IF_ERROR(r.get("lk_window_px", m.lk_window_px));
    PT_RETURN_IF_ERROR(r.get("lk_levels", m.lk_levels));
    PT_RETURN_IF_ERROR(r.check_unknown());
    PT_RETURN_IF_ERROR(validate(m).with_context(path));
  } else {
    PT_RETURN_IF_ERROR(top.get("camera_motion", c.pipeline.camera_motion));
  }
  PT_RETURN_IF_ERROR(top.get("cut_detection", c.pipeline.cut_detection));
  PT_RETURN_IF_ERROR(top.get("offline_stitch", c.offline_stitch));
  PT_RETURN_IF_ERROR(top.get("interpolate_max_gap", c.interpolate_max_gap));
  if (c.interpolate_max_gap < 0) return invalid_argument(path + ": interpolate_max_gap must be >= 0");

  if (YAML::Node n = top.child("source")) {
    Reader r(n, "source.", path);
    PT_RETURN_IF_ERROR(r.get("decoder_threads", c.source.decoder_threads));
    PT_RETURN_IF_ERROR(r.get("open_timeout_ms", c.source.open_timeout_ms));
    PT_RETURN_IF_ERROR(r.get("read_timeout_ms", c.source.read_timeout_ms));
    PT_RETURN_IF_ERROR(r.get("hwaccel", c.source.hwaccel));
    PT_RETURN_IF_ERROR(r.get("hwaccel_max_decoders", c.source.hwaccel_max_decoders));
    if (c.source.hwaccel_max_decoders < 0) {
      return invalid_argument(path + ": source.hwaccel_max_decoders must be >= 0");
    }
    PT_RETURN_IF_ERROR(r.check_unknown());
  }
  if (YAML::Node n = top.child("detector")) {
    Reader r(n, "detector.", path);
    DetectorConfig& d = c.pipeline.detector;
    PT_RETURN_IF_ERROR(r.get("backend", d.backend));
    PT_RETURN_IF_ERROR(r.get("model", d.model_path));
    PT_RETURN_IF_ERROR(r.get("weights", d.weights_path));
    PT_RETURN_IF_ERROR(r.get("nms_iou", d.nms_iou));
    PT_RETURN_IF_ERROR(r.get("max_detections", d.max_detections));
    PT_RETURN_IF_ERROR(r.get("max_batch", d.max_batch));
    PT_RETURN_IF_ERROR(r.get("input_width", d.input_width));
    PT_RETURN_IF_ERROR(r.get("input_height", d.input_height));
    PT_RETURN_IF_ERROR(r.get("threads", d.threads));
    PT_RETURN_IF_ERROR(r.get("device", d.device));
    PT_RETURN_IF_ERROR(r.get("precision", d.precision));
    PT_RETURN_IF_ERROR(r.get("warmup_runs", d.warmup_runs));
    PT_RETURN_IF_ERROR(r.get("gpu_memory_limit_mb", d.gpu_memory_limit_mb));
    PT_RETURN_IF_ERROR(r.get("cuda_wait", d.cuda_wait));
    PT_RETURN_IF_ERROR(r.get("pin_frames", d.pin_frames));
    PT_RETURN_IF_ERROR(r.get("cuda_graphs", d.cuda_graphs));
    PT_RETURN_IF_ERROR(r.get("sessions", c.pipeline.detector_sessions));
    if (d.cuda_wait != "block" && d.cuda_wait != "spin") {
      return invalid_argument(path + ": detector.cuda_wait must be block or spin, got '" + d.cuda_wait + "'");
    }
    if (YAML::Node t = r.child("thresholds")) {
      Reader tr(t, "detector.thresholds.", path);
      for (int k = 0; k < kNumObjectClasses; ++k) {
        const std::string name(to_string(static_cast<ObjectClass>(k)));
        PT_RETURN_IF_ERROR(tr.get(name.c_str(), d.thresholds[static_cast<size_t>(k)]));
      }
      PT_RETURN_IF_ERROR(tr.check_unknown());
    }
    PT_RETURN_IF_ERROR(r.check_unknown());
  }
  if (YAML::Node n = top.child("tracker")) {
    Reader r(n, "tracker.", path);
    TrackerConfig& t = c.pipeline.tracker;
    PT_RETURN_IF_ERROR(r.get("high_score", t.high_score));
    PT_RETURN_IF_ERROR(r.get("low_score", t.low_score));
    PT_RETURN_IF_ERROR(r.get("new_track_score", t.new_track_score));
    PT_RETURN_IF_ERROR(r.get("buffer_scale", t.buffer_scale));
    PT_RETURN_IF_ERROR(r.get("confirm_hits", t.confirm_hits));
    PT_RETURN_IF_ERROR(r.get("max_lost_s", t.max_lost_s));
    PT_RETURN_IF_ERROR(r.get("max_tracks", t.max_tracks));
    PT_RETURN_IF_ERROR(r.get("filtered_boxes", t.filtered_boxes));
    PT_RETURN_IF_ERROR(r.get("class_duplicate_iou", t.class_duplicate_iou));
    PT_RETURN_IF_ERROR(r.get("team_weight", t.team_weight));
    PT_RETURN_IF_ERROR(r.get("team_memory", t.team_memory));
    PT_RETURN_IF_ERROR(r.get("role_weight", t.role_weight));
    PT_RETURN_IF_ERROR(r.check_unknown());
  }
  if (YAML::Node n = top.child("calibration")) {
    Reader r(n, "calibration.", path);
    PT_RETURN_IF_ERROR(r.get("mode", c.pipeline.calibration));
    PT_RETURN_IF_ERROR(r.get("keypoints_every_n", c.pipeline.keypoints_every_n));
    PT_RETURN_IF_ERROR(r.get("keypoints_model", c.pipeline.keypoints.model_path));
    PT_RETURN_IF_ERROR(r.get("keypoints_threads", c.pipeline.keypoints.threads));
    PT_RETURN_IF_ERROR(r.get("keypoints_backend", c.pipeline.keypoints.backend));
    PT_RETURN_IF_ERROR(r.get("keypoints_device", c.pipeline.keypoints.device));
    PT_RETURN_IF_ERROR(r.get("keypoints_precision", c.pipeline.keypoints.precision));
    std::vector<double> h;
    PT_RETURN_IF_ERROR(r.get("homography", h));
    if (!h.empty()) {
      if (h.size() != 9)
        return invalid_argument(path + ": calibration.homography needs 9 numbers (row-major 3x3)");
      Homography hh{};
      std::copy(h.begin(), h.end(), hh.begin());
      c.pipeline.calibrator.static_homography = hh;
    }
    PT_RETURN_IF_ERROR(r.check_unknown());
  }
  if (c.pipeline.detector_sessions > 1 && !c.stream.overlap_detection) {
    return invalid_argument(path +
                            ": detector.sessions > 1 needs overlap_detection: true (otherwise the extra "
                            "sessions would never run)");
  }
  if (YAML::Node n = top.child("multistream")) {
    Reader r(n, "multistream.", path);
    PT_RETURN_IF_ERROR(r.get("max_batch", c.batcher.max_batch));
    PT_RETURN_IF_ERROR(r.get("max_wait_ms", c.batcher.max_wait_ms));
    PT_RETURN_IF_ERROR(r.get("resize_on_clients", c.batcher.resize_on_clients));
    PT_RETURN_IF_ERROR(r.get("sessions", c.batcher.sessions));
    PT_RETURN_IF_ERROR(r.get("clients_per_stream", c.batcher.clients_per_stream));
    PT_RETURN_IF_ERROR(r.check_unknown());
    if (c.batcher.max_batch < 1) return invalid_argument(path + ": multistream.max_batch must be >= 1");
    if (c.batcher.max_wait_ms < 0) return invalid_argument(path + ": multistream.max_wait_ms must be >= 0");
    if (c.batcher.clients_per_stream < 1 || c.batcher.clients_per_stream > 8) {
      return invalid_argument(path + ": multistream.clients_per_stream must be in 1..8, got " +
                              std::to_string(c.batcher.clients_per_stream));
    }
    if (c.batcher.clients_per_stream > 1 && !c.stream.overlap_detection) {
      return invalid_argument(path + ": multistream.clients_per_stream > 1 needs overlap_detection: true");
    }
    if (c.batcher.sessions < 1 || c.batcher.sessions > 8) {
      return invalid_argument(path + ": multistream.sessions must be in 1..8, got " +
                              std::to_string(c.batcher.sessions));
    }
  }
  PT_RETURN_IF_ERROR(top.check_unknown());
  if (c.mode == "batch")
    c.pipeline.detector.max_batch =
        std::max<int>(c.pipeline.detector.max_batch, static_cast<int>(c.stream.batch_size));
  return c;
}

Result<std::unique_ptr<Pipeline>> PipelineFactory::create_realtime_pipeline(PipelineConfig config,
                                                                            double target_fps) {
  if (target_fps < 0) return invalid_argument("target_fps must be >= 0");
  config.detector.max_batch = 1;
  return Pipeline::create(config);
}

Result<std::unique_ptr<Pipeline>> PipelineFactory::create_batch_pipeline(PipelineConfig config,
                                                                         int batch_size) {
  if (batch_size < 1) return invalid_argument("batch_size must be >= 1");
  config.detector.max_batch = batch_size;
  return Pipeline::create(config);
}

StreamProcessorConfig PipelineFactory::realtime_stream_config(double target_fps, double max_latency_ms) {
  StreamProcessorConfig s;
  s.target_fps = target_fps;
  s.buffer_size = 4;
  s.batch_size = 1;
  s.max_processing_latency_ms = max_latency_ms;
  return s;
}

StreamProcessorConfig PipelineFactory::batch_stream_config(int batch_size) {
  StreamProcessorConfig s;
  s.batch_size = static_cast<size_t>(std::max(batch_size, 1));
  s.buffer_size = s.batch_size * 3;
  s.mode = SourceMode::kFile;
  s.max_processing_latency_ms = 0;
  return s;
}

}  // namespace pitchtrack
