#include "pitchtrack/pipeline/pipeline.hpp"

#include <condition_variable>
#include <mutex>

#include <spdlog/spdlog.h>
#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/motion/camera_motion.hpp"
#include "pitchtrack/motion/cut_detector.hpp"
#include "pitchtrack/motion/frame_motion.hpp"
#include "pitchtrack/pitch/homography.hpp"
#include "pitchtrack/team/team_classifier.hpp"
#include "pitchtrack/track/ball_tracker.hpp"

namespace pitchtrack {
namespace {

using SteadyTime = std::chrono::steady_clock;
double ms_since(SteadyTime::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyTime::now() - t0).count();
}

Eigen::Matrix3d to_matrix(const Homography& h) {
  Eigen::Matrix3d m;
  m << h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8];
  return m;
}

// Smoothed pitch velocity per track id, purged when an id is not seen for a while.
class PitchVelocity {
 public:
  std::optional<PitchPoint> update(int64_t id, const PitchPoint& p, int64_t pts_us) {
    State& s = states_[id];
    std::optional<PitchPoint> out;
    if (s.seen && pts_us > s.pts_us) {
      const double dt = static_cast<double>(pts_us - s.pts_us) / 1e6;
      const double vx = (p.x_m - s.pos.x_m) / dt, vy = (p.y_m - s.pos.y_m) / dt;
      constexpr double kAlpha = 0.25;  // exponential smoothing of noisy per-frame differences
      s.vel = s.has_vel
                  ? PitchPoint{s.vel.x_m + kAlpha * (vx - s.vel.x_m), s.vel.y_m + kAlpha * (vy - s.vel.y_m)}
                  : PitchPoint{vx, vy};
      s.has_vel = true;
      out = s.vel;
    }
    s.pos = p;
    s.pts_us = pts_us;
    s.seen = true;
    s.last_frame = frame_;
    return out;
  }
  void end_frame() {
    ++frame_;
    if (frame_ % 250 == 0)
      std::erase_if(states_, [&](const auto& kv) { return frame_ - kv.second.last_frame > 250; });
  }
  void clear() { states_.clear(); }

 private:
  struct State {
    PitchPoint pos, vel;
    int64_t pts_us = 0;
    int64_t last_frame = 0;
    bool seen = false, has_vel = false;
  };
  std::unordered_map<int64_t, State> states_;
  int64_t frame_ = 0;
};

class PipelineImpl final : public Pipeline {
 public:
  explicit PipelineImpl(const PipelineConfig& c)
      : cfg_(c), clock_(c.clock ? c.clock : &steady_clock()), metrics_(c.metrics_window, clock_) {}

  Status init(std::vector<std::unique_ptr<Detector>> detectors) {
    if (cfg_.keypoints_every_n < 1) return invalid_argument("pipeline.keypoints_every_n must be >= 1");
    if (!(cfg_.fps > 0)) return invalid_argument("pipeline.fps must be > 0");
    if (cfg_.detector_sessions < 1 || cfg_.detector_sessions > 8) {
      return invalid_argument("pipeline.detector_sessions must be in 1..8, got " +
                              std::to_string(cfg_.detector_sessions));
    }
    if (!detectors.empty()) {
      if (cfg_.detector_sessions != static_cast<int>(detectors.size())) {
        return invalid_argument("pipeline.detector_sessions is " + std::to_string(cfg_.detector_sessions) +
                                " but the caller gave " + std::to_string(detectors.size()) +
                                " detector sessions");
      }
      sessions_ = std::move(detectors);
    } else {
      PT_ASSIGN_OR_RETURN(auto model, load_detector_model(cfg_.detector));
      for (int i = 0; i < cfg_.detector_sessions; ++i) {
        PT_ASSIGN_OR_RETURN(auto session, model->create_session());
        sessions_.push_back(std::move(session));
      }
    }
    for (auto& d : sessions_) free_sessions_.push_back(d.get());
    TrackerConfig tc = cfg_.tracker;
    tc.fps = cfg_.fps;
    PT_ASSIGN_OR_RETURN(tracker_, Tracker::create(tc));
    PT_ASSIGN_OR_RETURN(ball_, BallTracker::create(BallTrackerConfig{}));
    if (cfg_.camera_motion) {
      PT_ASSIGN_OR_RETURN(motion_, CameraMotionEstimator::create(cfg_.motion));
    }
    if (cfg_.cut_detection) {
      PT_ASSIGN_OR_RETURN(cuts_, CutDetector::create(CutDetectorConfig{}));
    }
    if (cfg_.teams) {
      TeamClassifierConfig tcc;
      tcc.fps = cfg_.fps;
      PT_ASSIGN_OR_RETURN(teams_, TeamClassifier::create(tcc));
    }
    if (cfg_.calibration == "auto") {
      PT_ASSIGN_OR_RETURN(calibrator_, PitchCalibrator::create(cfg_.calibrator));
      auto kp = PitchKeypointDetector::create(cfg_.keypoints);
      if (!kp.is_ok())
        return kp.status().with_context("pipeline.calibration 'auto' needs the pitch keypoint model");
      keypoints_ = std::move(kp).value();
    } else if (cfg_.calibration == "static") {
      CalibratorConfig cc = cfg_.calibrator;
      cc.mode = "static";
      PT_ASSIGN_OR_RETURN(calibrator_, PitchCalibrator::create(cc));
    } else if (cfg_.calibration == "off") {
      CalibratorConfig cc = cfg_.calibrator;  // projection helper only
      cc.mode = "auto";
      PT_ASSIGN_OR_RETURN(calibrator_, PitchCalibrator::create(cc));
    } else {
      return invalid_argument("pipeline.calibration '" + cfg_.calibration +
                              "' is not one of auto, static, off");
    }
    return Status::ok();
  }

  Result<FrameResult> process_frame(const Frame& frame) override {
    auto results = process_batch(std::span<const Frame>(&frame, 1));
    if (!results.is_ok()) return results.status();
    return std::move(results->front());
  }

  Result<std::vector<FrameResult>> process_batch(std::span<const Frame> frames) override {
    if (frames.empty()) return std::vector<FrameResult>{};
    PT_ASSIGN_OR_RETURN(DetectedBatch detected, detect_batch(frames));
    return track_batch(frames, std::move(detected));
  }

  Result<DetectedBatch> detect_batch(std::span<const Frame> frames) override {
    DetectedBatch d;
    if (frames.empty()) return d;
    const SessionLease lease(*this);  // released on every path, exceptions included
    Detector* session = lease.session;
    const auto t_det = SteadyTime::now();
    auto dets = session->detect(frames);
    d.total_ms = ms_since(t_det);
    d.timings = session->last_timings();
    // The device-wide memory query takes a driver lock: twice a second is enough for metrics.
    const int64_t now_us = clock_->now_us();
    bool sample = false;
    {
      std::lock_guard lock(sessions_mutex_);
      if (now_us - gpu_sampled_us_ >= kGpuMemorySampleUs) {
        gpu_sampled_us_ = now_us;
        sample = true;
      }
    }
    if (sample) metrics_.set_gpu_memory_mb(session->gpu_memory_mb());
    if (!dets.is_ok()) return dets.status();
    d.detections = std::move(dets).value();
    return d;
  }

  Result<std::vector<FrameResult>> track_batch(std::span<const Frame> frames,
                                               DetectedBatch detected) override {
    // The results are the call's output, moved out (never copied): one vector per call.
    std::vector<FrameResult> out;
    if (frames.empty()) return out;
    if (detected.detections.size() != frames.size()) {
      return invalid_argument("track_batch: " + std::to_string(detected.detections.size()) +
                              " detection lists for " + std::to_string(frames.size()) + " frames");
    }
    const double det_total_ms = detected.total_ms;
    const DetectorTimings& dt = detected.timings;
    auto& dets = detected.detections;
    const double n = static_cast<double>(frames.size());
    // Batched inference: its time is shared equally by the frames of the batch.
    const double pre_ms = dt.preprocess_ms / n;
    const double detect_ms = std::max(0.0, det_total_ms - dt.preprocess_ms) / n;
    out.reserve(frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
      FrameResult r;
      StageTimes st;
      st[Stage::kDecode] = static_cast<double>(frames[i].decode_us) / 1000.0;
      st[Stage::kPreprocess] = pre_ms;
      st[Stage::kDetect] = detect_ms;
      PT_RETURN_IF_ERROR(process_stateful(frames[i], dets[i], r, st));
      const double latency_ms = static_cast<double>(clock_->now_us() - frames[i].arrival_us) / 1000.0;
      for (int k = 0; k < kNumStages; ++k) {
        r.timings_ms[stage_name(static_cast<Stage>(k))] = st.ms[static_cast<size_t>(k)];
      }
      metrics_.record_frame(latency_ms, st);
      out.push_back(std::move(r));
    }
    return out;
  }

  Status set_homography(const Homography& h) override {
    CalibratorConfig cc = cfg_.calibrator;
    cc.mode = "static";
    cc.static_homography = h;
    cc.static_points.clear();
    PT_ASSIGN_OR_RETURN(calibrator_, PitchCalibrator::create(cc));
    cfg_.calibration = "static";
    keypoints_.reset();
    return Status::ok();
  }

  PipelineMetrics get_metrics() const override { return metrics_.snapshot(); }
  std::string profile(size_t num_frames) const override { return metrics_.snapshot(num_frames).to_json(); }
  MetricsCollector& metrics() override { return metrics_; }
  DetectorCaps detector_caps() const override { return sessions_.front()->caps(); }
  int detection_concurrency() const override { return static_cast<int>(sessions_.size()); }

  Status warm_up(int width, int height) override {
    if (width <= 0 || height <= 0) {
      return invalid_argument("pipeline warm-up: bad frame size " + std::to_string(width) + "x" +
                              std::to_string(height));
    }
    const Frame grey = uniform_frame(width, height, 114);
    const size_t n = static_cast<size_t>(std::max(1, detector_caps().max_batch));
    const std::vector<Frame> batch(n, grey);
    // Every session (whichever detect_batch picks later), then the stateful stages on the last
    // session's detections.
    DetectedBatch detected;
    for (size_t i = 0; i < sessions_.size(); ++i) {
      auto d = sessions_[i]->detect(batch);
      if (!d.is_ok())
        return d.status().with_context("pipeline warm-up, detector session " + std::to_string(i));
      detected.detections = std::move(d).value();
    }
    auto r = track_batch(batch, std::move(detected));
    if (!r.is_ok()) return r.status().with_context("pipeline warm-up");
    reset();
    metrics_.reset();
    return Status::ok();
  }

  void reset() override {
    tracker_->reset();
    ball_->reset();
    if (motion_) motion_->reset();
    if (cuts_) cuts_->reset();
    if (calibrator_) calibrator_->reset();
    velocity_.clear();
    homography_.reset();
    frames_seen_ = 0;
  }

 private:
  Status process_stateful(const Frame& frame, const std::vector<Detection>& dets, FrameResult& r,
                          StageTimes& st) {
    r.frame_index = frame.index;
    r.pts_us = frame.pts_us;
    r.arrival_us = frame.arrival_us;

    auto t0 = SteadyTime::now();
    persons_.clear();
    balls_.clear();
    person_boxes_.clear();
    for (const Detection& d : dets) {
      if (is_person(d.class_id)) {
        persons_.push_back(d);
        person_boxes_.push_back(d.box_px);
      } else {
        balls_.push_back(d);
      }
    }
    // Shot change, then the camera's motion since the previous frame (players masked out).
    PT_ASSIGN_OR_RETURN(const FrameMotion fm,
                        update_frame_motion(frame, person_boxes_, cuts_.get(), motion_.get()));
    r.camera_cut = fm.cut;
    camera_motion_ = fm.affine;
    FrameContext ctx;
    ctx.frame_index = frame.index;
    ctx.pts_us = frame.pts_us;
    ctx.camera_motion = camera_motion_;
    ctx.camera_cut = r.camera_cut;
    auto tt = SteadyTime::now();
    team_evidence_.clear();
    if (teams_ && cfg_.tracker.team_weight > 0) {  // colour evidence for the tracker (once fitted)
      PT_RETURN_IF_ERROR(detection_team_evidence(*teams_, frame, persons_, det_tracks_, team_evidence_));
    }
    const double evidence_ms = ms_since(tt);  // counted as team time
    ctx.team_evidence = team_evidence_;
    r.tracks = tracker_->update(persons_, ctx);
    r.ball = ball_->update(balls_, ctx);
    st[Stage::kTrack] = ms_since(t0) - evidence_ms;

    if (teams_) {
      t0 = SteadyTime::now();
      Status ts = teams_->assign(frame, r.tracks, TeamFrameInfo{frame.index, r.camera_cut});
      if (!ts.is_ok() && ts.code() != StatusCode::kFailedPrecondition) return ts;
      st[Stage::kTeam] = ms_since(t0) + evidence_ms;
    }

    t0 = SteadyTime::now();
    calibrate(frame, r);
    st[Stage::kCalibrate] = ms_since(t0);

    t0 = SteadyTime::now();
    project(r);
    st[Stage::kProject] = ms_since(t0);
    ++frames_seen_;
    return Status::ok();
  }

  void calibrate(const Frame& frame, FrameResult& r) {
    const ImageSize size{frame.width(), frame.height()};
    if (cfg_.calibration == "static") {
      const CalibrationResult c = calibrator_->update({}, size, frame.index, false);
      r.homography = c.image_to_pitch;
      r.calibration_quality = c.quality;
      return;
    }
    if (cfg_.calibration != "auto") return;
    // The keypoint model is the costly stage: it runs on every n-th frame (and on a cut), never
    // more often, even while no calibration holds.
    const bool measure = frames_seen_ % cfg_.keypoints_every_n == 0 || r.camera_cut;
    if (measure) {
      auto kps = keypoints_->detect(frame);
      if (!kps.is_ok()) {
        spdlog::warn("frame {}: pitch keypoints failed: {}", frame.index, kps.status().to_string());
        homography_.reset();
      } else {
        const CalibrationResult c = calibrator_->update(*kps, size, frame.index, r.camera_cut);
        homography_ = c.image_to_pitch;
        quality_ = c.quality;
      }
    } else if (homography_ && camera_motion_) {
      // Between keypoint frames the calibration follows the camera: H_t = H_{t-1} * A^-1, with
      // A the image motion from the previous frame to this one.
      const auto& a = *camera_motion_;
      Eigen::Matrix3d A;
      A << a[0], a[1], a[2], a[3], a[4], a[5], 0, 0, 1;
      const Eigen::Matrix3d m = to_matrix(*homography_) * A.inverse();
      homography_ = normalize_homography(
          {m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2), m(2, 0), m(2, 1), m(2, 2)});
    } else {
      homography_.reset();  // camera motion unknown this frame: no stale calibration
    }
    r.homography = homography_;
    r.calibration_quality = homography_ ? quality_ : 0.0;
  }

  void project(FrameResult& r) {
    if (!r.homography) {
      velocity_.end_frame();
      return;
    }
    for (Track& t : r.tracks) {
      const auto foot = t.box_px.foot();
      t.pitch_m = calibrator_->project(*r.homography, foot[0], foot[1]);
      if (t.pitch_m) t.velocity_mps = velocity_.update(t.track_id, *t.pitch_m, r.pts_us);
    }
    if (r.ball) {
      const auto foot = r.ball->box_px.foot();
      r.ball->pitch_m = calibrator_->project(*r.homography, foot[0], foot[1]);
    }
    velocity_.end_frame();
  }

  // A free detector session; waits while all are in use (more detect_batch calls than sessions).
  Detector* acquire_session() {
    std::unique_lock lock(sessions_mutex_);
    sessions_cv_.wait(lock, [this] { return !free_sessions_.empty(); });
    Detector* d = free_sessions_.back();
    free_sessions_.pop_back();
    return d;
  }
  void release_session(Detector* d) {
    {
      std::lock_guard lock(sessions_mutex_);
      free_sessions_.push_back(d);
    }
    sessions_cv_.notify_one();
  }
  struct SessionLease {
    explicit SessionLease(PipelineImpl& p) : owner(p), session(p.acquire_session()) {}
    ~SessionLease() { owner.release_session(session); }
    SessionLease(const SessionLease&) = delete;
    SessionLease& operator=(const SessionLease&) = delete;
    PipelineImpl& owner;
    Detector* session;
  };

  PipelineConfig cfg_;
  const Clock* clock_;
  MetricsCollector metrics_;
  std::vector<std::unique_ptr<Detector>> sessions_;  // detector sessions, one model
  std::mutex sessions_mutex_;                        // guards free_sessions_ and gpu_sampled_us_
  std::condition_variable sessions_cv_;
  std::vector<Detector*> free_sessions_;
  static constexpr int64_t kGpuMemorySampleUs = 500'000;
  int64_t gpu_sampled_us_ = std::numeric_limits<int64_t>::min() / 2;
  std::unique_ptr<Tracker> tracker_;
  std::unique_ptr<PitchCalibrator> calibrator_;
  std::unique_ptr<PitchKeypointDetector> keypoints_;
  std::optional<Homography> homography_;
  std::optional<std::array<double, 6>> camera_motion_;
  double quality_ = 0.0;
  int64_t frames_seen_ = 0;
  PitchVelocity velocity_;
  std::unique_ptr<BallTracker> ball_;
  std::unique_ptr<CameraMotionEstimator> motion_;
  std::unique_ptr<CutDetector> cuts_;
  std::unique_ptr<TeamClassifier> teams_;
  std::vector<Detection> persons_, balls_;
  std::vector<BoxXyxy> person_boxes_;
  std::vector<Track> det_tracks_;     // person detections as boxes, for the team features
  std::vector<float> team_evidence_;  // per person detection, for the tracker
};

}  // namespace

Result<std::unique_ptr<Pipeline>> Pipeline::create(const PipelineConfig& config) {
  auto p = std::make_unique<PipelineImpl>(config);
  PT_RETURN_IF_ERROR(p->init({}));
  return std::unique_ptr<Pipeline>(std::move(p));
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(const PipelineConfig& config,
                                                   std::unique_ptr<Detector> detector) {
  if (!detector) return invalid_argument("Pipeline::create: detector is null");
  std::vector<std::unique_ptr<Detector>> sessions;
  sessions.push_back(std::move(detector));
  return create(config, std::move(sessions));
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(const PipelineConfig& config,
                                                   std::vector<std::unique_ptr<Detector>> detectors) {
  if (detectors.empty()) return invalid_argument("Pipeline::create: no detector session given");
  for (const auto& d : detectors) {
    if (!d) return invalid_argument("Pipeline::create: a detector session is null");
  }
  auto p = std::make_unique<PipelineImpl>(config);
  PT_RETURN_IF_ERROR(p->init(std::move(detectors)));
  return std::unique_ptr<Pipeline>(std::move(p));
}

}  // namespace pitchtrack
