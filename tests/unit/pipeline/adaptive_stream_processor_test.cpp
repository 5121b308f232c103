// Adaptive frame rate: FpsController on a simulated live pipeline (pure, simulated time), and
// AdaptiveStreamProcessor end to end on a ManualClock with a scripted live source and a slow
// detector whose work advances the clock — deterministic, no machine-speed-dependent sleeps.
//
// The system in both: a live source at 25 fps; the reader selects frames at the controller's
// rate into a buffer of 8 (drop oldest); one pipeline thread processes a frame in `cost` ms.
// The highest rate whose latency meets the target is then the capacity 1000 / cost (the source
// rate at most): at or below it latency stays ~cost, above it the buffer fills and latency
// climbs to ~9 x cost. Convergence is asserted into capacity +- 1 fps within 5 s.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "pitchtrack/pipeline/adaptive_stream_processor.hpp"
#include "pitchtrack/pipeline/fps_controller.hpp"

namespace pitchtrack {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr double kSourceFps = 25.0;
constexpr int64_t kSourcePeriodUs = 40'000;
constexpr size_t kBuffer = 8;

using CostFn = std::function<int64_t(int64_t now_us)>;  // processing cost of a frame started now

struct FpsPoint {
  int64_t t_us;
  double fps;
};

// Start of the run of decisions that stays in [lo, hi] from `from_us` up to `until_us`, relative
// to `from_us`; -1 when the rate is out of the band at `until_us`.
int64_t settle_time(const std::vector<FpsPoint>& h, int64_t from_us, int64_t until_us, double lo, double hi) {
  auto in = [&](double f) { return f >= lo && f <= hi; };
  double v = h.front().fps;
  for (const FpsPoint& p : h) {
    if (p.t_us <= from_us) v = p.fps;
  }
  int64_t settled = in(v) ? from_us : -1;
  for (const FpsPoint& p : h) {
    if (p.t_us <= from_us || p.t_us >= until_us) continue;
    if (!in(p.fps)) {
      settled = -1;
    } else if (settled < 0) {
      settled = p.t_us;
    }
  }
  return settled < 0 ? -1 : settled - from_us;
}

std::string describe(const std::vector<FpsPoint>& h) {
  std::string s;
  char buf[48];
  for (const FpsPoint& p : h) {
    std::snprintf(buf, sizeof(buf), " %.2fs:%.2f", static_cast<double>(p.t_us) / 1e6, p.fps);
    s += buf;
  }
  return s;
}

// Nearest-rank quantile, as the processor computes it.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// ---------------------------------------------------------------------------------------------
// A discrete-event model of the live pipeline driving FpsController with the processor's
// windowing (a window closes at the end of a frame once it spans the interval and holds enough
// frames; backlog = frames buffered then).

struct SimOutcome {
  std::vector<FpsPoint> fps;                     // initial rate at t = 0, then every change
  std::vector<std::pair<int64_t, double>> done;  // (completion time, latency ms) per frame
};

SimOutcome simulate(const AdaptiveConfig& cfg, const CostFn& cost, int64_t duration_us) {
  FpsController ctl(cfg, kSourceFps);
  SimOutcome out;
  out.fps.push_back({0, ctl.fps()});
  // The reader's frame selection (AsyncVideoReader::select / set_target_fps).
  const int64_t tolerance = kSourcePeriodUs / 2;
  int64_t period = std::llround(1e6 / ctl.fps()), next_due = 0, last_taken = -1;
  auto select = [&](int64_t pts) {
    if (pts + tolerance < next_due) return false;
    next_due += period;
    if (next_due <= pts) next_due += ((pts - next_due) / period + 1) * period;
    last_taken = pts;
    return true;
  };
  std::deque<int64_t> queue;  // arrival times
  bool busy = false;
  int64_t busy_end = 0, busy_start = 0, busy_arrival = 0;
  int64_t win_start = -1, win_frames = 0;
  double win_ms = 0;
  std::vector<double> win_lat;
  auto start_next = [&](int64_t now) {
    if (queue.empty()) return;
    busy_arrival = queue.front();
    queue.pop_front();
    busy = true;
    busy_start = now;
    busy_end = now + cost(now);
  };
  for (int64_t j = 0;;) {
    const int64_t tj = j * kSourcePeriodUs;
    if (busy && busy_end < tj) {  // a completion (an arrival at the same instant comes first)
      busy = false;
      const int64_t now = busy_end;
      if (win_start < 0) win_start = busy_start;
      const double lat = static_cast<double>(now - busy_arrival) / 1000.0;
      out.done.emplace_back(now, lat);
      win_lat.push_back(lat);
      win_ms += static_cast<double>(now - busy_start) / 1000.0;
      ++win_frames;
      if (static_cast<double>(now - win_start) / 1000.0 >= cfg.control_interval_ms &&
          win_frames >= cfg.min_window_frames) {
        FpsWindow w{win_frames, win_ms / static_cast<double>(win_frames),
                    quantile(win_lat, cfg.latency_quantile), static_cast<int64_t>(queue.size())};
        const double before = ctl.fps();
        const double f = ctl.update(w);
        win_start = now;
        win_frames = 0;
        win_ms = 0;
        win_lat.clear();
        if (f != before) {
          out.fps.push_back({now, f});
          period = std::max<int64_t>(1, std::llround(1e6 / f));
          next_due = last_taken < 0 ? 0 : last_taken + period;
        }
      }
      start_next(now);
      continue;
    }
    if (tj > duration_us) break;
    if (select(tj)) {
      if (queue.size() >= kBuffer) queue.pop_front();
      queue.push_back(tj);
    }
    if (!busy) start_next(tj);
    ++j;
  }
  return out;
}

AdaptiveConfig test_config(double initial_fps) {
  AdaptiveConfig c;  // defaults: target 250 ms (p95), 500 ms windows, max 30 fps
  c.initial_fps = initial_fps;
  return c;
}

CostFn constant_cost(int64_t ms) {
  return [ms](int64_t) { return ms * 1000; };
}
CostFn step_cost(int64_t before_ms, int64_t at_us, int64_t after_ms) {
  return [=](int64_t now) { return (now < at_us ? before_ms : after_ms) * 1000; };
}

// Latency quantile of the frames completed in [from, to).
double latency_q(const SimOutcome& o, int64_t from, int64_t to, double q) {
  std::vector<double> v;
  for (const auto& [t, l] : o.done) {
    if (t >= from && t < to) v.push_back(l);
  }
  return quantile(v, q);
}

// ---------------------------------------------------------------------------------------------

TEST(FpsController, ValidateNamesTheField) {
  AdaptiveConfig c;
  c.min_fps = 0;
  EXPECT_NE(validate(c).message().find("adaptive.min_fps"), std::string::npos);
  c = AdaptiveConfig{};
  c.initial_fps = 100;
  EXPECT_NE(validate(c).message().find("adaptive.initial_fps"), std::string::npos);
  c = AdaptiveConfig{};
  c.increase_gain = 0;
  EXPECT_NE(validate(c).message().find("adaptive.increase_gain"), std::string::npos);
  EXPECT_TRUE(validate(AdaptiveConfig{}).is_ok());
}

TEST(FpsController, SingleDecisions) {
  AdaptiveConfig c = test_config(10.0);
  FpsController ctl(c, kSourceFps);
  EXPECT_EQ(ctl.fps_cap(), 25.0);  // the source's rate caps max_fps (30)
  // Too few frames: no decision.
  EXPECT_EQ(ctl.update({2, 80.0, 80.0, 0}), 10.0);
  // Headroom (latency 80 <= 0.8 x 250): half-way to 0.97 x 12.5.
  EXPECT_DOUBLE_EQ(ctl.update({5, 80.0, 80.0, 0}), 10.0 + 0.5 * (0.97 * 12.5 - 10.0));
  EXPECT_EQ(ctl.last_reason(), FpsReason::kIncrease);
  // Latency between 0.8 and 1 x target: hold.
  const double f = ctl.fps();
  EXPECT_EQ(ctl.update({5, 80.0, 230.0, 0}), f);
  EXPECT_EQ(ctl.last_reason(), FpsReason::kNone);
  // Within the dead band of the aim: hold.
  FpsController near(test_config(12.0), kSourceFps);
  EXPECT_EQ(near.update({5, 80.0, 80.0, 0}), 12.0);
  // Slower frames: down to the new aim at once.
  EXPECT_DOUBLE_EQ(ctl.update({5, 100.0, 100.0, 0}), 0.97 * 10.0);
  EXPECT_EQ(ctl.last_reason(), FpsReason::kCapacity);
  // Overload with a backlog of 2 frames: aim - 2 / 0.5 s.
  FpsController over(test_config(25.0), kSourceFps);
  EXPECT_DOUBLE_EQ(over.update({6, 80.0, 400.0, 2}), 0.97 * 12.5 - 4.0);
  EXPECT_EQ(over.last_reason(), FpsReason::kLatency);
  // A big backlog never takes it below half the aim.
  FpsController big(test_config(25.0), kSourceFps);
  EXPECT_DOUBLE_EQ(big.update({6, 80.0, 600.0, 8}), 0.5 * 0.97 * 12.5);
  // Processing slower than the target: nothing meets it, the minimum.
  FpsController slow(test_config(10.0), kSourceFps);
  EXPECT_EQ(slow.update({5, 300.0, 320.0, 0}), 1.0);
  EXPECT_EQ(slow.last_reason(), FpsReason::kUnreachable);
}

struct SimCase {
  const char* name;
  double initial_fps;
  CostFn cost;
  int64_t change_us;  // when the cost changes (or the run's length)
  double capacity_before, capacity_after;
};

TEST(FpsController, ConvergesToTheHighestRateMeetingTheTargetAndStays) {
  const int64_t kRun = 20 * kSecond, kChange = 10 * kSecond;
  const std::vector<SimCase> cases = {
      {"80 ms from 5 fps", 5.0, constant_cost(80), kRun, 12.5, 12.5},
      {"80 ms from 25 fps (overload at start)", 25.0, constant_cost(80), kRun, 12.5, 12.5},
      {"80 ms from 1 fps", 1.0, constant_cost(80), kRun, 12.5, 12.5},
      {"80 -> 50 ms at 10 s", 5.0, step_cost(80, kChange, 50), kChange, 12.5, 20.0},
      {"50 -> 80 ms at 10 s (overload mid-run)", 5.0, step_cost(50, kChange, 80), kChange, 20.0, 12.5},
      {"80 -> 40 ms at 10 s (source-bound)", 5.0, step_cost(80, kChange, 40), kChange, 12.5, 25.0},
  };
  for (const SimCase& k : cases) {
    SCOPED_TRACE(k.name);
    const AdaptiveConfig cfg = test_config(k.initial_fps);
    const SimOutcome o = simulate(cfg, k.cost, kRun);
    SCOPED_TRACE("fps history:" + describe(o.fps));
    const int64_t s1 = settle_time(o.fps, 0, k.change_us, k.capacity_before - 1, k.capacity_before + 1);
    ASSERT_GE(s1, 0);
    EXPECT_LE(s1, 5 * kSecond);
    EXPECT_LE(latency_q(o, s1 + kSecond, k.change_us, 1.0), cfg.target_latency_ms);
    if (k.change_us < kRun) {
      const int64_t s2 =
          settle_time(o.fps, k.change_us, kRun + 1, k.capacity_after - 1, k.capacity_after + 1);
      ASSERT_GE(s2, 0);
      EXPECT_LE(s2, 5 * kSecond);
      EXPECT_LE(latency_q(o, k.change_us + s2 + kSecond, kRun + 1, 1.0), cfg.target_latency_ms);
    }
    // Settled means settled: no decision in the last 3 s of each phase.
    for (const FpsPoint& p : o.fps) {
      EXPECT_FALSE(p.t_us > k.change_us - 3 * kSecond && p.t_us < k.change_us) << p.t_us;
      EXPECT_FALSE(p.t_us > kRun - 3 * kSecond) << p.t_us;
    }
  }
}

TEST(FpsController, UnreachableTargetGoesToTheMinimum) {
  const SimOutcome o = simulate(test_config(10.0), constant_cost(300), 10 * kSecond);
  EXPECT_EQ(o.fps.back().fps, 1.0) << describe(o.fps);
}

// ---------------------------------------------------------------------------------------------
// End to end: AdaptiveStreamProcessor on a ManualClock.
//
// Simulated time moves only here: (a) the detector spends its cost by stepping the clock
// through every source frame time inside it, waiting at each until the reader has taken that
// frame (so the frame's arrival stamp is its own time), and (b) when the whole stream is idle
// (source waiting, reader buffer empty, every delivered frame processed) a driver thread moves
// the clock to the next source frame. Nothing else reads the clock while it moves, so every
// arrival, latency, window and decision is the same on every run and every machine.

class SimWorld {
 public:
  explicit SimWorld(int64_t frames, CostFn cost) : frames_(frames), cost_(std::move(cost)) {}

  ManualClock clock;

  int64_t cost_us() const { return cost_(clock.now_us()); }

  // Source side: blocks until the clock reaches frame i's time; false when interrupted.
  bool wait_for_frame(int64_t i) {
    std::unique_lock lock(m_);
    waiting_ = i;
    cv_.notify_all();
    cv_.wait(lock, [&] { return interrupted_ || clock.now_us() >= i * kSourcePeriodUs; });
    waiting_ = -1;
    return !interrupted_;
  }
  void source_ended() {
    std::lock_guard lock(m_);
    waiting_ = frames_;
    cv_.notify_all();
  }
  void interrupt() {
    std::lock_guard lock(m_);
    interrupted_ = true;
    cv_.notify_all();
  }

  // Detector side: spends `cost_us` of simulated time.
  void spend(int64_t cost_us) {
    const int64_t end = clock.now_us() + cost_us;
    for (int64_t j = clock.now_us() / kSourcePeriodUs + 1; j < frames_ && j * kSourcePeriodUs <= end; ++j) {
      std::unique_lock lock(m_);
      clock.set_us(j * kSourcePeriodUs);
      cv_.notify_all();
      cv_.wait(lock, [&] { return interrupted_ || waiting_ > j; });  // the reader took frame j
    }
    std::lock_guard lock(m_);
    clock.set_us(end);
  }

  // Idle driver: when the source waits for a frame that is not due yet and `idle()` says no
  // frame is buffered or being processed, moves the clock to that frame's time. The source must
  // wait for the same frame before and after idle() is evaluated: a frame it emitted in between
  // could be on its way to the buffer.
  void drive(const std::function<bool()>& idle, const std::function<bool()>& done) {
    auto pending = [&] {  // under m_
      return waiting_ >= 0 && waiting_ < frames_ && clock.now_us() < waiting_ * kSourcePeriodUs ? waiting_
                                                                                                : -1;
    };
    while (!done()) {
      int64_t w = -1;
      {
        std::lock_guard lock(m_);
        w = pending();
      }
      if (w >= 0 && idle()) {
        std::lock_guard lock(m_);
        if (pending() == w) {
          clock.set_us(w * kSourcePeriodUs);
          cv_.notify_all();
          continue;
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // polling only: no effect on results
    }
  }

  int64_t frames() const { return frames_; }

 private:
  int64_t frames_;
  CostFn cost_;
  std::mutex m_;
  std::condition_variable cv_;
  int64_t waiting_ = -1;  // frame index the source waits for; frames_ once ended; -1 while not reading
  bool interrupted_ = false;
};

class SimLiveSource final : public Source {
 public:
  explicit SimLiveSource(SimWorld& w) : world_(w), pool_(64, 48, 4) {
    info_.uri = "sim://live";
    info_.container = "sim";
    info_.codec = "raw";
    info_.width = 64;
    info_.height = 48;
    info_.fps = kSourceFps;
    info_.is_live = true;
  }
  const StreamInfo& info() const override { return info_; }
  Result<Frame> read(std::chrono::milliseconds /*timeout*/) override {
    if (next_ >= world_.frames()) {
      world_.source_ended();
      return end_of_stream();
    }
    if (!world_.wait_for_frame(next_)) return cancelled("sim source interrupted");
    Frame f = pool_.acquire().freeze();
    f.index = next_;
    f.pts_us = next_ * kSourcePeriodUs;
    ++next_;
    return f;
  }
  void interrupt() override { world_.interrupt(); }
  SourceStats stats() const override { return SourceStats{next_, 0, 0}; }

 private:
  SimWorld& world_;
  FramePool pool_;
  StreamInfo info_;
  int64_t next_ = 0;
};

class SlowDetector final : public Detector {
 public:
  explicit SlowDetector(SimWorld& w) : world_(w) {}
  Result<std::vector<std::vector<Detection>>> detect(std::span<const Frame> frames) override {
    for (size_t i = 0; i < frames.size(); ++i) world_.spend(world_.cost_us());
    return std::vector<std::vector<Detection>>(frames.size());
  }
  DetectorCaps caps() const override { return DetectorCaps{.backend = "sim-slow"}; }

 private:
  SimWorld& world_;
};

struct E2eRun {
  std::vector<FpsPoint> fps;
  StreamStats stats;
  PipelineMetrics metrics;
  Status status;
};

E2eRun run_end_to_end(const AdaptiveConfig& adaptive, const CostFn& cost, int64_t duration_us) {
  SimWorld world(duration_us / kSourcePeriodUs + 1, cost);
  PipelineConfig pc;
  pc.calibration = "off";
  pc.camera_motion = false;
  pc.cut_detection = false;
  pc.teams = false;
  pc.clock = &world.clock;
  auto pipeline = Pipeline::create(pc, std::make_unique<SlowDetector>(world));
  EXPECT_TRUE(pipeline.is_ok()) << pipeline.status().to_string();
  StreamProcessorConfig sc;
  sc.warm_up = false;  // the simulated detector's cost belongs to the scripted timeline only
  sc.buffer_size = kBuffer;
  sc.clock = &world.clock;
  sc.source_opener = [&world](const std::string&, const SourceConfig&) -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<SimLiveSource>(world));
  };
  AdaptiveStreamProcessor asp(std::move(pipeline).value(), "sim://live", SourceConfig{}, adaptive, sc);
  E2eRun run;
  run.status = asp.start();
  if (!run.status.is_ok()) return run;
  std::atomic<bool> finished{false};
  std::thread driver([&] {
    world.drive(
        [&] {
          const StreamStats s = asp.stats();  // before the reader's counters (see SimWorld)
          const ReaderStats r = asp.reader_stats();
          return r.buffered == 0 && r.delivered == s.frames_processed + s.dropped_latency;
        },
        [&] { return finished.load(); });
  });
  run.status = asp.wait();
  finished = true;
  driver.join();
  run.fps.push_back({0, adaptive.initial_fps});
  for (const FpsChange& c : asp.fps_history()) run.fps.push_back({c.at_us, c.to_fps});
  EXPECT_EQ(asp.current_fps(), run.fps.back().fps);
  run.stats = asp.stats();
  run.metrics = asp.metrics();
  return run;
}

TEST(AdaptiveStreamProcessor, EndToEndConvergesDeterministicallyAndMatchesTheModel) {
  const int64_t kRun = 20 * kSecond, kChange = 10 * kSecond;
  struct Case {
    const char* name;
    CostFn cost;
    double capacity_before, capacity_after;
    bool overload;  // the change leaves the rate above capacity: a backlog forms and is drained
  };
  const std::vector<Case> cases = {
      {"80 -> 50 ms", step_cost(80, kChange, 50), 12.5, 20.0, false},
      {"50 -> 80 ms", step_cost(50, kChange, 80), 20.0, 12.5, true},
  };
  const AdaptiveConfig cfg = test_config(5.0);
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    const E2eRun a = run_end_to_end(cfg, k.cost, kRun);
    ASSERT_TRUE(a.status.is_ok()) << a.status.to_string();
    SCOPED_TRACE("fps history:" + describe(a.fps));

    const int64_t s1 = settle_time(a.fps, 0, kChange, k.capacity_before - 1, k.capacity_before + 1);
    ASSERT_GE(s1, 0);
    EXPECT_LE(s1, 5 * kSecond);
    const int64_t s2 = settle_time(a.fps, kChange, kRun + 1, k.capacity_after - 1, k.capacity_after + 1);
    ASSERT_GE(s2, 0);
    EXPECT_LE(s2, 5 * kSecond);
    EXPECT_GT(a.stats.frames_processed, 250);
    if (!k.overload) {
      EXPECT_LE(a.metrics.latency.max_ms, cfg.target_latency_ms);  // the window holds every frame
      EXPECT_EQ(a.stats.dropped_reader, 0);
    }

    // The real threads, reader and windows make the same decisions as the model above.
    const SimOutcome model = simulate(cfg, k.cost, kRun);
    ASSERT_EQ(a.fps.size(), model.fps.size()) << "model:" << describe(model.fps);
    for (size_t i = 0; i < a.fps.size(); ++i) {
      EXPECT_EQ(a.fps[i].t_us, model.fps[i].t_us) << i;
      EXPECT_DOUBLE_EQ(a.fps[i].fps, model.fps[i].fps) << i;
    }

    // And again: identical.
    const E2eRun b = run_end_to_end(cfg, k.cost, kRun);
    ASSERT_EQ(b.fps.size(), a.fps.size());
    for (size_t i = 0; i < a.fps.size(); ++i) {
      EXPECT_EQ(b.fps[i].t_us, a.fps[i].t_us);
      EXPECT_EQ(b.fps[i].fps, a.fps[i].fps);
    }
    EXPECT_EQ(b.stats.frames_processed, a.stats.frames_processed);
    EXPECT_EQ(b.stats.dropped_reader, a.stats.dropped_reader);
  }
}

TEST(AdaptiveStreamProcessor, BadConfigIsAnErrorNamingTheField) {
  SimWorld world(10, constant_cost(10));
  PipelineConfig pc;
  pc.calibration = "off";
  auto pipeline = Pipeline::create(pc, std::make_unique<SlowDetector>(world));
  ASSERT_TRUE(pipeline.is_ok());
  AdaptiveConfig bad;
  bad.target_latency_ms = 0;
  AdaptiveStreamProcessor asp(std::move(pipeline).value(), "sim://live", SourceConfig{}, bad,
                              StreamProcessorConfig{});
  const Status s = asp.start();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("adaptive.target_latency_ms"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
