// Decode throughput through AsyncVideoReader (decode + BGR conversion + buffering).
// Usage: decode_bench --clip=PATH [--threads=N] [google benchmark flags]
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "pitchtrack/io/async_reader.hpp"

namespace {
std::string g_clip;
int g_threads = 0;

void BM_AsyncVideoReaderDecode(benchmark::State& state) {
  int64_t frames = 0;
  for (auto _ : state) {
    pitchtrack::SourceConfig cfg;
    cfg.decoder_threads = g_threads;
    auto reader = pitchtrack::AsyncVideoReader::open(g_clip, cfg, {.buffer_size = 8});
    if (!reader.is_ok()) {
      state.SkipWithError(reader.status().to_string().c_str());
      return;
    }
    (void)(*reader)->start();
    while (true) {
      auto f = (*reader)->get_frame();
      if (!f.is_ok()) break;
      benchmark::DoNotOptimize(f->frame.data());
      ++frames;
    }
  }
  state.counters["fps"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
  state.counters["frames"] = static_cast<double>(frames);
}
BENCHMARK(BM_AsyncVideoReaderDecode)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--clip=", 7) == 0) g_clip = argv[i] + 7;
    if (std::strncmp(argv[i], "--threads=", 10) == 0) g_threads = std::stoi(argv[i] + 10);
  }
  if (g_clip.empty()) {
    fprintf(stderr, "decode_bench: --clip=PATH is required\n");
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
