// Detector speed on one frame (and batches of it): preprocessing + inference + decoding.
// Usage: detector_bench [--frame=VIDEO_OR_IMAGE] [--model=PATH.onnx] [--torch-model=PATH.pt]
//                       [--input=WxH] [benchmark flags]
// --input sets the network input size (default: the model's own).
// Without --frame it uses a 1280x720 drawn pitch scene; with a video it uses its first frame.
// Torch cases need a binary built with libtorch (else they report "torch backend not built");
// the CUDA ones report an error where libtorch sees no GPU. Counters pre_ms / infer_ms / post_ms
// are the detector's own per-call stage times (last_timings()), averaged over the iterations.
#include <benchmark/benchmark.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>
#include <string>

#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/io/image.hpp"
#include "pitchtrack/io/source.hpp"

namespace {
std::string g_frame_path;
std::string g_model;
std::string g_torch_model;
int g_input_width = 0, g_input_height = 0;
pitchtrack::Frame g_frame;

pitchtrack::Frame load_frame() {
  if (!g_frame_path.empty()) {
    auto image = pitchtrack::read_image(g_frame_path);
    if (image.is_ok()) return *image;
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

void run(benchmark::State& state, const std::string& backend, const std::string& device = "cpu",
         const std::string& precision = "fp32") {
  pitchtrack::DetectorConfig cfg;
  cfg.backend = backend;
  cfg.model_path = backend == "torch" ? g_torch_model : g_model;
  cfg.device = device;
  cfg.precision = precision;
  cfg.max_batch = static_cast<int>(state.range(0));
  cfg.input_width = g_input_width;
  cfg.input_height = g_input_height;
  auto det = pitchtrack::create_detector(cfg);
  if (!det.is_ok()) {
    state.SkipWithError(det.status().to_string().c_str());
    return;
  }
  std::vector<pitchtrack::Frame> batch(static_cast<size_t>(state.range(0)), g_frame);
  (void)(*det)->detect(batch);  // warm-up
  pitchtrack::DetectorTimings sum;
  for (auto _ : state) {
    auto r = (*det)->detect(batch);
    benchmark::DoNotOptimize(r);
    const auto t = (*det)->last_timings();
    sum.preprocess_ms += t.preprocess_ms;
    sum.inference_ms += t.inference_ms;
    sum.postprocess_ms += t.postprocess_ms;
  }
  // Time is per call (one batch); fps counts frames.
  state.counters["fps"] = benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)),
                                             benchmark::Counter::kIsRate);
  const double n = static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  state.counters["pre_ms"] = sum.preprocess_ms / n;
  state.counters["infer_ms"] = sum.inference_ms / n;
  state.counters["post_ms"] = sum.postprocess_ms / n;
}
void BM_ClassicalDetector(benchmark::State& s) { run(s, "classical"); }
void BM_OnnxDetector(benchmark::State& s) { run(s, "onnx"); }
void BM_TorchDetectorCpu(benchmark::State& s) { run(s, "torch", "cpu"); }
void BM_TorchDetectorCuda(benchmark::State& s) { run(s, "torch", "cuda"); }
void BM_TorchDetectorCudaFp16(benchmark::State& s) { run(s, "torch", "cuda", "fp16"); }
BENCHMARK(BM_ClassicalDetector)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OnnxDetector)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TorchDetectorCpu)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TorchDetectorCuda)->Arg(1)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TorchDetectorCudaFp16)->Arg(1)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--frame=", 8) == 0) g_frame_path = argv[i] + 8;
    if (std::strncmp(argv[i], "--model=", 8) == 0) g_model = argv[i] + 8;
    if (std::strncmp(argv[i], "--torch-model=", 14) == 0) g_torch_model = argv[i] + 14;
    char rest = 0;
    if (std::strncmp(argv[i], "--input=", 8) == 0 &&
        (std::sscanf(argv[i] + 8, "%dx%d%c", &g_input_width, &g_input_height, &rest) != 2 ||
         g_input_width <= 0 || g_input_height <= 0)) {
      fprintf(stderr, "detector_bench: --input wants WxH, got '%s'\n", argv[i] + 8);
      return 2;
    }
  }
  g_frame = load_frame();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
