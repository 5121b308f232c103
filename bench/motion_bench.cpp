// Camera-motion estimation and cut detection per frame.
//   BM_CameraMotion/redetect:0  the steady state: tracked background points are reused and
//                               corners are detected only when too few survive.
//   BM_CameraMotion/redetect:1  corners detected on every frame (the worst case, e.g. after
//                               a failed estimate).
//   BM_CutDetector              one update().
// Each iteration processes one frame of a consecutive 1280x720 pair (a, b, a, b, ...), with 20
// person boxes masked.
//   BM_CameraMotionSequence     the first 120 frames of --clip in order (cut detector + estimator
//                               per frame, no masks, restarting at the end): the real mix of
//                               reused and re-detected features. Needs --clip.
// Usage: motion_bench [--clip=PATH] [--motion=WORK_WIDTH,MAX_FEATURES,LK_LEVELS] [--cv-threads=N]
// [google benchmark flags]. --motion sets the estimator's settings (the YAML `camera_motion`
// mapping; default 640,250,3); --cv-threads OpenCV's thread count (the multi-stream GPU config
// runs OpenCV on 1 thread per stream). With --clip, two consecutive frames
// (the 51st and 52nd) of that video are used; otherwise a synthetic textured pair shifted by
// (6, -2) px. Numbers and machine in docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <opencv2/core/utility.hpp>
#include <random>
#include <string>
#include <vector>

#include "pitchtrack/io/source.hpp"
#include "pitchtrack/motion/camera_motion.hpp"
#include "pitchtrack/motion/cut_detector.hpp"

namespace {

using pitchtrack::BoxXyxy;
using pitchtrack::Frame;

std::string g_clip;
std::vector<Frame> g_pair;
std::vector<Frame> g_sequence;
std::string g_input = "synthetic";
pitchtrack::CameraMotionConfig g_motion;

// A textured picture (random rectangles on noise) seen shifted by (dx, dy) px.
Frame synthetic(int w, int h, int dx, int dy) {
  static std::vector<uint8_t> world;
  const int ww = w + 64, wh = h + 64;
  if (world.empty()) {
    std::mt19937 rng(3);
    world.resize(static_cast<size_t>(ww) * wh * 3);
    for (auto& v : world) v = static_cast<uint8_t>(100 + rng() % 24);
    for (int k = 0; k < 1500; ++k) {
      const int x0 = static_cast<int>(rng() % static_cast<unsigned>(ww)),
                y0 = static_cast<int>(rng() % static_cast<unsigned>(wh));
      const int rw = 4 + static_cast<int>(rng() % 30), rh = 4 + static_cast<int>(rng() % 30);
      const uint8_t c[3] = {static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()),
                            static_cast<uint8_t>(rng())};
      for (int y = y0; y < std::min(wh, y0 + rh); ++y) {
        for (int x = x0; x < std::min(ww, x0 + rw); ++x) {
          for (int ch = 0; ch < 3; ++ch) world[(static_cast<size_t>(y) * ww + x) * 3 + ch] = c[ch];
        }
      }
    }
  }
  const uint8_t* origin = world.data() + (static_cast<size_t>(32 - dy) * ww + (32 - dx)) * 3;
  return Frame::copy_from(origin, w, h, ww * 3);
}

bool load_pair() {
  if (g_clip.empty()) {
    g_pair = {synthetic(1280, 720, 0, 0), synthetic(1280, 720, 6, -2)};
    return true;
  }
  auto src = pitchtrack::open_source(g_clip);
  if (!src.is_ok()) {
    std::fprintf(stderr, "motion_bench: %s\n", src.status().to_string().c_str());
    return false;
  }
  for (int i = 0; i < 120; ++i) {
    auto f = (*src)->read();
    if (!f.is_ok()) break;
    g_sequence.push_back(f->clone());
  }
  std::vector<Frame> frames(g_sequence.begin() + std::min<ptrdiff_t>(50, std::ssize(g_sequence)),
                            g_sequence.begin() + std::min<ptrdiff_t>(52, std::ssize(g_sequence)));
  if (frames.size() < 2) {
    std::fprintf(stderr, "motion_bench: '%s' has fewer than 2 frames\n", g_clip.c_str());
    return false;
  }
  g_pair = frames;
  g_input = g_clip;
  return true;
}

std::vector<BoxXyxy> person_boxes(int w, int h) {
  std::vector<BoxXyxy> boxes;
  for (int i = 0; i < 20; ++i) {
    const float x = static_cast<float>((i * 211) % (w - 60)), y = static_cast<float>((i * 97) % (h - 120));
    boxes.push_back({x, y, x + 40.0f, y + 90.0f});
  }
  return boxes;
}

void BM_CameraMotion(benchmark::State& state) {
  pitchtrack::CameraMotionConfig cfg = g_motion;
  if (state.range(0) == 1) cfg.redetect_fraction = 1.0f;
  auto est = pitchtrack::CameraMotionEstimator::create(cfg);
  if (!est.is_ok()) {
    state.SkipWithError(est.status().to_string().c_str());
    return;
  }
  const auto boxes = person_boxes(g_pair[0].width(), g_pair[0].height());
  int64_t n = 0, estimated = 0, inliers = 0;
  for (auto _ : state) {
    auto r = (*est)->estimate(g_pair[static_cast<size_t>(n % 2)], boxes);
    if (r.is_ok() && r->affine) {
      ++estimated;
      inliers += r->inliers;
    }
    ++n;
  }
  state.counters["estimated"] =
      static_cast<double>(estimated) / static_cast<double>(std::max<int64_t>(1, n - 1));
  state.counters["inliers"] =
      static_cast<double>(inliers) / static_cast<double>(std::max<int64_t>(1, estimated));
  state.SetLabel(g_input);
}
BENCHMARK(BM_CameraMotion)->ArgName("redetect")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CutDetector(benchmark::State& state) {
  auto det = pitchtrack::CutDetector::create({});
  if (!det.is_ok()) {
    state.SkipWithError(det.status().to_string().c_str());
    return;
  }
  int64_t n = 0, cuts = 0;
  for (auto _ : state) {
    auto r = (*det)->update(g_pair[static_cast<size_t>(n % 2)]);
    cuts += r.is_ok() && *r;
    ++n;
  }
  state.counters["cuts"] = static_cast<double>(cuts);
  state.SetLabel(g_input);
}
BENCHMARK(BM_CutDetector)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CameraMotionSequence(benchmark::State& state) {
  if (g_sequence.size() < 2) {
    state.SkipWithError("needs --clip=PATH");
    return;
  }
  auto est = pitchtrack::CameraMotionEstimator::create(g_motion);
  auto cut = pitchtrack::CutDetector::create({});
  if (!est.is_ok() || !cut.is_ok()) {
    state.SkipWithError("create failed");
    return;
  }
  size_t i = 0;
  int64_t estimated = 0, n = 0;
  for (auto _ : state) {
    if (i == g_sequence.size()) {  // wrap: a new sequence, not a jump
      i = 0;
      (*est)->reset();
      (*cut)->reset();
    }
    const Frame& f = g_sequence[i++];
    auto c = (*cut)->update(f);
    if (c.is_ok() && *c) (*est)->reset();
    auto r = (*est)->estimate(f, {});
    estimated += r.is_ok() && r->affine.has_value();
    ++n;
  }
  state.counters["estimated"] = static_cast<double>(estimated) / static_cast<double>(std::max<int64_t>(1, n));
  state.SetLabel(g_input);
}
BENCHMARK(BM_CameraMotionSequence)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--clip=", 0) == 0) {
      g_clip = a.substr(7);
    } else if (a.rfind("--motion=", 0) == 0) {
      if (std::sscanf(a.c_str() + 9, "%d,%d,%d", &g_motion.work_width, &g_motion.max_features,
                      &g_motion.lk_levels) != 3) {
        std::fprintf(stderr, "motion_bench: --motion wants WORK_WIDTH,MAX_FEATURES,LK_LEVELS, got '%s'\n",
                     a.c_str() + 9);
        return 1;
      }
    } else if (a.rfind("--cv-threads=", 0) == 0) {
      cv::setNumThreads(std::atoi(a.c_str() + 13));
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  if (!load_pair()) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
