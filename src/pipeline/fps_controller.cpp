#include "pitchtrack/pipeline/fps_controller.hpp"

#include <algorithm>
#include <cmath>

namespace pitchtrack {

Status validate(const AdaptiveConfig& c) {
  if (!(c.min_fps > 0)) return invalid_argument("adaptive.min_fps must be > 0");
  if (!(c.max_fps >= c.min_fps)) return invalid_argument("adaptive.max_fps must be >= adaptive.min_fps");
  if (!(c.initial_fps >= c.min_fps && c.initial_fps <= c.max_fps))
    return invalid_argument("adaptive.initial_fps must be in [min_fps, max_fps]");
  if (!(c.target_latency_ms > 0)) return invalid_argument("adaptive.target_latency_ms must be > 0");
  if (!(c.control_interval_ms > 0)) return invalid_argument("adaptive.control_interval_ms must be > 0");
  if (!(c.latency_quantile >= 0 && c.latency_quantile <= 1))
    return invalid_argument("adaptive.latency_quantile must be in [0, 1]");
  if (c.min_window_frames < 1) return invalid_argument("adaptive.min_window_frames must be >= 1");
  if (!(c.margin > 0 && c.margin <= 1)) return invalid_argument("adaptive.margin must be in (0, 1]");
  if (!(c.increase_gain > 0 && c.increase_gain <= 1))
    return invalid_argument("adaptive.increase_gain must be in (0, 1]");
  if (!(c.drain_floor > 0 && c.drain_floor <= 1))
    return invalid_argument("adaptive.drain_floor must be in (0, 1]");
  if (!(c.hysteresis >= 0 && c.hysteresis < 1))
    return invalid_argument("adaptive.hysteresis must be in [0, 1)");
  if (!(c.dead_band_fps >= 0)) return invalid_argument("adaptive.dead_band_fps must be >= 0");
  return Status::ok();
}

std::string_view to_string(FpsReason reason) {
  switch (reason) {
    case FpsReason::kNone: return "none";
    case FpsReason::kIncrease: return "increase";
    case FpsReason::kCapacity: return "capacity";
    case FpsReason::kLatency: return "latency";
    case FpsReason::kUnreachable: return "unreachable";
  }
  return "?";
}

FpsController::FpsController(const AdaptiveConfig& config, double source_fps)
    : cfg_(config), cap_(config.max_fps), fps_(config.initial_fps) {
  set_source_fps(source_fps);
}

void FpsController::set_source_fps(double source_fps) {
  cap_ = source_fps > 0 ? std::max(cfg_.min_fps, std::min(cfg_.max_fps, source_fps)) : cfg_.max_fps;
  fps_ = std::clamp(fps_, cfg_.min_fps, cap_);
}

double FpsController::update(const FpsWindow& w) {
  reason_ = FpsReason::kNone;
  if (w.frames < cfg_.min_window_frames || !(w.processing_ms > 0)) return fps_;
  const double target = cfg_.target_latency_ms;
  double next = fps_;
  FpsReason why = FpsReason::kNone;
  if (w.processing_ms >= target) {
    next = cfg_.min_fps;
    why = FpsReason::kUnreachable;
  } else {
    const double aim = std::clamp(cfg_.margin * 1000.0 / w.processing_ms, cfg_.min_fps, cap_);
    if (w.latency_ms > target && w.backlog_frames > 0) {
      const double drain = static_cast<double>(w.backlog_frames) * 1000.0 / cfg_.control_interval_ms;
      next = std::min(fps_, std::max(cfg_.drain_floor * aim, aim - drain));
      why = FpsReason::kLatency;
    } else if (std::abs(aim - fps_) <= cfg_.dead_band_fps) {
      next = fps_;
    } else if (aim < fps_) {
      next = aim;
      why = FpsReason::kCapacity;
    } else if (w.latency_ms <= (1.0 - cfg_.hysteresis) * target) {
      next = fps_ + cfg_.increase_gain * (aim - fps_);
      why = FpsReason::kIncrease;
    }
  }
  next = std::clamp(next, cfg_.min_fps, cap_);
  if (next != fps_) {
    fps_ = next;
    reason_ = why;
  }
  return fps_;
}

}  // namespace pitchtrack
