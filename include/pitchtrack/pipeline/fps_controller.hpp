// FpsController: the decision rule of adaptive frame-rate selection — a pure function of
// measured windows, no threads and no clock, so it is unit-tested with simulated time.
//
// Contract: update(window) takes what one control window measured (frames processed, mean
// processing time per frame, the latency quantile arrival -> result, frames waiting in the
// reader's buffer at its end) and returns the frame rate to select from then on, in
// [min_fps, min(max_fps, source fps)]. Deterministic.
//
// Control law, one decision per window (p = mean processing ms per frame, L = latency
// quantile ms, Q = backlog frames, f = current fps, T = target_latency_ms, I = control
// interval in s):
//   capacity  C   = 1000 / p                            frames/s the pipeline sustains
//   aim       f*  = clamp(margin * C, min_fps, fps_cap)   fps_cap = min(max_fps, source fps)
//   1. p >= T:              f' = min_fps        latency >= p: no rate meets the target
//   2. L > T and Q > 0:     f' = min(f, max(drain_floor * f*, f* - Q / I))
//                           overload: below capacity by what clears the backlog in about one
//                           interval (never below drain_floor of the aim), at once
//   3. |f* - f| <= dead_band_fps:  f' = f       dead band: no small corrections
//   4. f* < f:              f' = f*             estimate below the rate: down at once
//   5. L <= (1 - hysteresis) * T:  f' = f + gain * (f* - f)   damped step up
//   6. otherwise:           f' = f              latency near or over the target with no queue
//                                               (the window still shows a drained backlog): hold
// Why it settles without oscillating: with a steady p, f* is a constant. Decreases land at or
// below it in one step; increases approach it geometrically (gap x (1 - gain) per window) until
// inside the dead band, after which nothing changes. The aim never exceeds margin * C, so no
// queue builds (Q = 0, L ~ p) and rule 2, the only one that undershoots f*, stays silent in
// steady state. Between (1 - hysteresis) T and T the rate is held, so a latency that hovers near
// the target does not make the rate climb and fall in turn. A drained backlog leaves high
// latencies in the next window: with Q = 0 that holds (rule 6) instead of cutting again.
// With p = 80 ms (C = 12.5 fps) and the defaults, 5 fps reaches 11.9 fps in 5 windows (2.5 s)
// and stays; a start at 25 fps (overload) settles in ~4 s (tests/unit/pipeline).
// Windows with fewer than min_window_frames frames carry too little to judge: no change.
#pragma once

#include <cstdint>
#include <string_view>

#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

struct AdaptiveConfig {
  double initial_fps = 10.0;           // frames/s selected at start
  double min_fps = 1.0;                // frames/s, lower bound (> 0)
  double max_fps = 30.0;               // frames/s, upper bound; also capped at the source's rate
  double target_latency_ms = 250.0;    // ms, arrival -> result, at latency_quantile
  double control_interval_ms = 500.0;  // ms of the stream's Clock between decisions
  double latency_quantile = 0.95;      // quantile of the window's latencies compared to the target
  int min_window_frames = 3;           // frames a window needs before it is judged
  double margin = 0.97;                // fraction of the estimated capacity aimed at, (0, 1]
  double increase_gain = 0.5;          // share of the gap to the aim closed per window, (0, 1]
  double drain_floor = 0.5;            // draining a backlog never goes below this x the aim, (0, 1]
  double hysteresis = 0.2;             // raise only while latency <= (1 - this) * target, [0, 1)
  double dead_band_fps = 0.25;         // frames/s; smaller corrections are not made
};

// Checks every field; the message names the offending one ("adaptive.min_fps ...").
Status validate(const AdaptiveConfig& config);

// What one control window measured.
struct FpsWindow {
  int64_t frames = 0;          // frames processed in the window
  double processing_ms = 0.0;  // mean pipeline time per frame, ms
  double latency_ms = 0.0;     // latency quantile (arrival -> result), ms
  int64_t backlog_frames = 0;  // frames waiting in the reader's buffer at the window's end
};

enum class FpsReason { kNone, kIncrease, kCapacity, kLatency, kUnreachable };
std::string_view to_string(FpsReason reason);

class FpsController {
 public:
  // `config` must pass validate(); source_fps <= 0 means unknown (no cap beyond max_fps).
  explicit FpsController(const AdaptiveConfig& config, double source_fps = 0.0);

  double update(const FpsWindow& window);
  double fps() const { return fps_; }
  // Why the last update() changed the rate (kNone: it did not).
  FpsReason last_reason() const { return reason_; }
  // The cap on the rate: min(max_fps, source fps); source_fps <= 0 leaves max_fps.
  void set_source_fps(double source_fps);
  double fps_cap() const { return cap_; }

 private:
  AdaptiveConfig cfg_;
  double cap_;
  double fps_;
  FpsReason reason_ = FpsReason::kNone;
};

}  // namespace pitchtrack
