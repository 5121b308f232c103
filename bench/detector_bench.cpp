// Detector speed on one frame (and batches of it): preprocessing + inference + decoding.
// Usage: detector_bench [--frame=VIDEO_OR_IMAGE] [--model=PATH.onnx] [benchmark flags]
// Without --frame it uses a 1280x720 drawn pitch scene; with a video it uses its first frame.
#include <benchmark/benchmark.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <string>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/io/source.hpp"

namespace {
std::string g_frame_path;
std::string g_model;
pitchtrack::Frame g_frame;

pitchtrack::Frame load_frame() {
  if (!g_frame_path.empty()) {
    cv::Mat img = cv::imread(g_frame_path, cv::IMREAD_COLOR);
    if (!img.empty())
      return pitchtrack::Frame::copy_from(img.data, img.cols, img.rows, static_cast<int>(img.step));
    auto src = pitchtrack::open_source(g_frame_path);
    if (src.is_ok()) {
      auto f = (*src)->read();
      if (f.is_ok()) return *f;
    }
    fprintf(stderr, "detector_bench: cannot read '%s', using a drawn frame\n", g_frame_path.c_str());
  }
  cv::Mat img(720, 1280, CV_8UC3, cv::Scalar(55, 140, 65));
  for (int i = 0; i < 22; ++i) {
    const int x = 60 + (i * 157) % 1160, y = 200 + (i * 89) % 480, h = 30 + y / 20;
    cv::rectangle(img, cv::Rect(x, y - h, h * 2 / 5, h), cv::Scalar(30, 30, 200), cv::FILLED);
  }
  return pitchtrack::Frame::copy_from(img.data, img.cols, img.rows, static_cast<int>(img.step));
}

void run(benchmark::State& state, const std::string& backend) {
  pitchtrack::DetectorConfig cfg;
  cfg.backend = backend;
  cfg.model_path = g_model;
  cfg.max_batch = static_cast<int>(state.range(0));
  auto det = pitchtrack::create_detector(cfg);
  if (!det.is_ok()) {
    state.SkipWithError(det.status().to_string().c_str());
    return;
  }
  std::vector<pitchtrack::Frame> batch(static_cast<size_t>(state.range(0)), g_frame);
  (void)(*det)->detect(batch);  // warm-up
  for (auto _ : state) {
    auto r = (*det)->detect(batch);
    benchmark::DoNotOptimize(r);
  }
  // Time is per call (one batch); fps counts frames.
  state.counters["fps"] = benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)),
                                             benchmark::Counter::kIsRate);
}
void BM_ClassicalDetector(benchmark::State& s) { run(s, "classical"); }
void BM_OnnxDetector(benchmark::State& s) { run(s, "onnx"); }
BENCHMARK(BM_ClassicalDetector)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OnnxDetector)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();
}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--frame=", 8) == 0) g_frame_path = argv[i] + 8;
    if (std::strncmp(argv[i], "--model=", 8) == 0) g_model = argv[i] + 8;
  }
  g_frame = load_frame();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
