// Synthetic match generator throughput (pitchtrack synth).
//   BM_SynthRender/W/H: simulation + rendering + ground truth of one frame (render thread only).
//   BM_SynthRunAndEncode/preset: the whole run() of a 4 s 1080p25 match: rendering, H.264
//     encoding on the encoder thread, ground-truth files; reports frames per second of wall time.
// Usage: synth_bench [google benchmark flags]; numbers and machine in docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <string>

#include "pitchtrack/synth/match_synthesizer.hpp"

namespace {

void BM_SynthRender(benchmark::State& state) {
  pitchtrack::SynthConfig cfg;
  cfg.width = static_cast<int>(state.range(0));
  cfg.height = static_cast<int>(state.range(1));
  cfg.seconds = 3600;
  auto synth = pitchtrack::MatchSynthesizer::create(cfg);
  if (!synth.is_ok()) {
    state.SkipWithError(synth.status().to_string().c_str());
    return;
  }
  int64_t frames = 0;
  for (auto _ : state) {
    auto f = (*synth)->render_next();
    benchmark::DoNotOptimize(f);
    ++frames;
  }
  state.counters["fps"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SynthRender)
    ->Args({1920, 1080})
    ->Args({1280, 720})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

const std::array<const char*, 3> kPresets = {"veryfast", "superfast", "ultrafast"};

void BM_SynthRunAndEncode(benchmark::State& state) {
  const std::string preset = kPresets[static_cast<size_t>(state.range(0))];
  state.SetLabel(preset);
  const auto dir =
      std::filesystem::temp_directory_path() / ("pitchtrack_synth_bench_" + std::to_string(::getpid()));
  int64_t frames = 0;
  for (auto _ : state) {
    pitchtrack::SynthConfig cfg;
    cfg.out_dir = dir.string();
    cfg.seconds = 4.0;
    cfg.preset = preset;
    auto synth = pitchtrack::MatchSynthesizer::create(cfg);  // building the stadium is part of the cost
    if (!synth.is_ok()) {
      state.SkipWithError(synth.status().to_string().c_str());
      break;
    }
    auto summary = (*synth)->run();
    if (!summary.is_ok()) {
      state.SkipWithError(summary.status().to_string().c_str());
      break;
    }
    frames += summary->frames;
    state.counters["run_fps"] = summary->fps;  // excludes create(): the steady-state rate
  }
  state.counters["fps"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_SynthRunAndEncode)
    ->DenseRange(0, 2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
