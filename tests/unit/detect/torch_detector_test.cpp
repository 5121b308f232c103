// TorchDetector (libtorch, built only with PITCHTRACK_WITH_TORCH): cross-backend agreement with
// the onnx backend on generated frames, the CUDA path against the CPU (skipped without CUDA), and
// the bad inputs (missing, empty, truncated, garbage model; missing sidecar; models made here
// with the wrong output; empty frame; CUDA or fp16 asked for without CUDA), and the NV12 -> BGR
// frame converter of the NVDEC path (CPU round trip, bad pictures, CUDA against CPU).
#include <gtest/gtest.h>
#include <torch/script.h>  // only to make small TorchScript models for the error tests
#if PITCHTRACK_TORCH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "detect/torch/torch_detector.hpp"
#include "pitchtrack/detect/pitch_keypoint_detector.hpp"
#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/synth/match_synthesizer.hpp"
#include "support/cross_backend.hpp"

namespace pitchtrack {
namespace {
namespace fs = std::filesystem;

const std::string kModel = default_models_dir() + "/football_det.pt";

// CPU cross-backend tolerance. Both backends get a bit-identical input blob (the same OpenCV
// letterbox code, the same float 1/255 factor) and decode with the same code, so they differ
// only in the fp32 summation order of the convolutions (OpenCV DNN vs libtorch's MKL-DNN):
// ~1e-6 on the heatmaps and ~1e-4 px on the sizes (models/MODEL_CARD.md measured PyTorch vs
// OpenCV at 7e-7 and 4.7e-5 px). Boxes are those values / 0.9 (letterbox scale). 0.05 px and
// 1e-4 leave a margin of ~100x for other CPUs' SIMD paths, yet any real difference in
// preprocessing or decoding (a 1-px shift, swapped channels, another resize) is far outside.
constexpr float kCpuBoxEpsPx = 0.05f;
constexpr float kCpuScoreEps = 1e-4f;
// CUDA vs CPU: the GPU letterbox does not round the resized pixels to uint8 (up to 0.5/255 per
// pixel), cuDNN may use TF32 for fp32 convolutions (10-bit mantissa) and fp16 keeps 11 bits, so
// scores move by up to ~1e-2 and boxes by a fraction of a pixel; detections within 0.05 of a
// class threshold may fall on either side and are not required to match.
constexpr float kCudaBoxEpsPx = 1.0f;
constexpr float kCudaScoreEps = 0.02f;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("pt_torch_" + std::to_string(getpid()) + "_" + name)).string();
}

// Copies the shipped sidecar next to `model_path`.
void write_sidecar(const std::string& model_path) {
  fs::copy_file(fs::path(kModel).replace_extension(".json"), fs::path(model_path).replace_extension(".json"),
                fs::copy_options::overwrite_existing);
}

// A TorchScript model whose forward is `body` (TorchScript source of `def forward(self, x)`),
// saved with the shipped sidecar.
std::string make_script_model(const std::string& name, const std::string& body) {
  torch::jit::Module m("TestDetector");
  m.define("def forward(self, x):\n" + body);
  const std::string path = temp_path(name);
  m.save(path);
  write_sidecar(path);
  return path;
}

DetectorConfig torch_config(const std::string& device = "cpu") {
  DetectorConfig c;
  c.backend = "torch";
  c.device = device;
  c.max_batch = 4;
  c.warmup_runs = 0;
  return c;
}

// Synthetic broadcast frames (MatchSynthesizer seed 1): frames first..first+count-1.
std::vector<Frame> synth_frames(int width, int height, int first, int count) {
  SynthConfig sc;
  sc.seed = 1;
  sc.width = width;
  sc.height = height;
  sc.seconds = 4.0;
  auto synth = MatchSynthesizer::create(sc);
  EXPECT_TRUE(synth.is_ok()) << synth.status().to_string();
  std::vector<Frame> frames;
  if (!synth.is_ok()) return frames;
  for (int i = 0; i < first + count; ++i) {
    auto f = (*synth)->render_next();
    EXPECT_TRUE(f.is_ok()) << f.status().to_string();
    if (!f.is_ok()) return {};
    if (i >= first) frames.push_back(*f);
  }
  return frames;
}

std::vector<std::vector<Detection>> run(Detector& det, const std::vector<Frame>& frames) {
  auto out = det.detect(frames);
  EXPECT_TRUE(out.is_ok()) << out.status().to_string();
  return out.is_ok() ? *out : std::vector<std::vector<Detection>>(frames.size());
}

bool cuda() { return detect::torch_cuda_available(); }

TEST(TorchDetector, ShippedModelLoadsOnTheCpu) {
  auto det = create_detector(torch_config());
  ASSERT_TRUE(det.is_ok()) << det.status().to_string();
  const DetectorCaps caps = (*det)->caps();
  EXPECT_EQ(caps.backend, "torch");
  EXPECT_EQ(caps.device, "cpu");
  EXPECT_EQ(caps.precision, "fp32");
  EXPECT_EQ(caps.max_batch, 4);
  EXPECT_EQ(caps.input_width, 1312);
  EXPECT_EQ(caps.input_height, 736);
}

// The acceptance test of the backend: same frames through OnnxDetector and TorchDetector (CPU),
// singly and as one batch of frames of two sizes (down- and up-scaled letterbox).
TEST(TorchDetector, MatchesOnnxOnGeneratedFrames) {
  std::vector<Frame> frames = synth_frames(1280, 720, 22, 4);
  const std::vector<Frame> small = synth_frames(640, 360, 25, 1);
  ASSERT_EQ(frames.size(), 4u);
  ASSERT_EQ(small.size(), 1u);
  frames[2] = small[0];  // a batch of mixed sizes

  DetectorConfig oc = torch_config();
  oc.backend = "onnx";
  auto onnx = create_detector(oc);
  auto torch = create_detector(torch_config());
  ASSERT_TRUE(onnx.is_ok()) << onnx.status().to_string();
  ASSERT_TRUE(torch.is_ok()) << torch.status().to_string();

  const auto expected = run(**onnx, frames);
  const auto batched = run(**torch, frames);
  ASSERT_EQ(batched.size(), frames.size());
  size_t total = 0;
  float max_box = 0, max_score = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto single = run(**torch, {frames[i]});
    for (const auto* got : {&batched[i], &single[0]}) {
      const auto d = testing::diff_detections(expected[i], *got);
      EXPECT_EQ(got->size(), expected[i].size()) << "frame " << i;
      EXPECT_TRUE(d.unmatched.empty()) << "frame " << i << ":\n" << d.unmatched;
      EXPECT_LE(d.max_box_px, kCpuBoxEpsPx) << "frame " << i;
      EXPECT_LE(d.max_score, kCpuScoreEps) << "frame " << i;
      max_box = std::max(max_box, d.max_box_px);
      max_score = std::max(max_score, d.max_score);
    }
    total += expected[i].size();
  }
  EXPECT_GE(total, 40u) << "synthetic broadcast frames with 20+ people should give many detections";
  std::cout << "onnx vs torch (cpu): " << total << " detections in " << frames.size()
            << " frames, max |box diff| " << max_box << " px, max |score diff| " << max_score << "\n";
}

TEST(TorchDetector, CudaMatchesCpu) {
  if (!cuda()) GTEST_SKIP() << "libtorch sees no CUDA device";
  const std::vector<Frame> frames = synth_frames(1280, 720, 22, 4);
  ASSERT_EQ(frames.size(), 4u);
  auto cpu = create_detector(torch_config("cpu"));
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  const auto expected = run(**cpu, frames);
  for (const std::string precision : {"fp32", "fp16"}) {
    DetectorConfig c = torch_config("cuda");
    c.precision = precision;
    c.warmup_runs = 1;
    auto gpu = create_detector(c);
    ASSERT_TRUE(gpu.is_ok()) << gpu.status().to_string();
    EXPECT_EQ((*gpu)->caps().device, "cuda");
    EXPECT_EQ((*gpu)->caps().precision, precision);
    const auto got = run(**gpu, frames);
    ASSERT_EQ(got.size(), frames.size());
    float max_box = 0, max_score = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
      // Detections within 0.05 of the lowest class threshold (0.246) may differ.
      const auto d = testing::diff_detections(expected[i], got[i], 8.0f, 0.30f);
      EXPECT_TRUE(d.unmatched.empty()) << precision << " frame " << i << ":\n" << d.unmatched;
      EXPECT_LE(d.max_box_px, kCudaBoxEpsPx) << precision << " frame " << i;
      EXPECT_LE(d.max_score, kCudaScoreEps) << precision << " frame " << i;
      max_box = std::max(max_box, d.max_box_px);
      max_score = std::max(max_score, d.max_score);
    }
    std::cout << "torch cpu vs cuda " << precision << ": max |box diff| " << max_box
              << " px, max |score diff| " << max_score << "\n";
  }
}

// GPU memory in metrics: the CPU session reports none, a CUDA session the device memory in use.
TEST(TorchDetector, GpuMemoryIsReported) {
  auto cpu = create_detector(torch_config("cpu"));
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  EXPECT_LT((*cpu)->gpu_memory_mb(), 0.0);
  if (!cuda()) GTEST_SKIP() << "libtorch sees no CUDA device";
  DetectorConfig c = torch_config("cuda");
  c.precision = "fp16";
  auto gpu = create_detector(c);
  ASSERT_TRUE(gpu.is_ok()) << gpu.status().to_string();
  const double mb = (*gpu)->gpu_memory_mb();
  std::cout << "CUDA session (batch 4, fp16): GPU memory in use " << mb << " MB\n";
  EXPECT_GT(mb, 100.0);   // at least the CUDA context
  EXPECT_LT(mb, 8000.0);  // and no runaway
}

// The keypoint model's TorchScript copy (train/keypoints_torchscript.py) finds the same keypoints
// as the shipped ONNX through OpenCV DNN, on the CPU and (where present) on CUDA in fp32 and fp16.
TEST(TorchKeypoints, MatchOnnxOnGeneratedFrames) {
  const std::vector<Frame> frames = synth_frames(1280, 720, 22, 2);
  ASSERT_EQ(frames.size(), 2u);
  auto onnx = PitchKeypointDetector::create({});
  ASSERT_TRUE(onnx.is_ok()) << onnx.status().to_string();
  std::vector<std::pair<std::string, std::string>> variants = {{"cpu", "fp32"}};
  if (cuda()) {
    variants.push_back({"cuda", "fp32"});
    variants.push_back({"cuda", "fp16"});
  }
  for (const auto& [device, precision] : variants) {
    PitchKeypointConfig c;
    c.backend = "torch";
    c.device = device;
    c.precision = precision;
    auto torch_kp = PitchKeypointDetector::create(c);
    ASSERT_TRUE(torch_kp.is_ok()) << torch_kp.status().to_string();
    const float eps_px = precision == "fp16" ? 1.0f : 0.05f;
    size_t compared = 0;
    float max_px = 0;
    for (const Frame& f : frames) {
      auto a = (*onnx)->detect(f);
      auto b = (*torch_kp)->detect(f);
      ASSERT_TRUE(a.is_ok() && b.is_ok());
      // Keypoints within 0.02 of the threshold may be in one list only.
      for (const PitchKeypoint& p : *a) {
        const auto it =
            std::find_if(b->begin(), b->end(), [&](const PitchKeypoint& q) { return q.id == p.id; });
        if (it == b->end()) {
          EXPECT_LT(p.confidence, 0.32f) << device << " " << precision << ": keypoint " << p.id << " missing";
          continue;
        }
        max_px = std::max({max_px, std::abs(it->x_px - p.x_px), std::abs(it->y_px - p.y_px)});
        EXPECT_NEAR(it->confidence, p.confidence, 0.01f);
        ++compared;
      }
    }
    EXPECT_GT(compared, 4u);
    EXPECT_LE(max_px, eps_px) << device << " " << precision;
    std::cout << "keypoints onnx vs torch " << device << " " << precision << ": " << compared
              << " compared, max |diff| " << max_px << " px\n";
  }
}

// Keypoint nets of one model file share one loaded module (torch_tensor_net.hpp): four of them
// running at once on their own threads give each the same keypoints as one net alone.
TEST(TorchKeypoints, NetsSharingAModelRunConcurrently) {
  const std::vector<Frame> frames = synth_frames(1280, 720, 22, 2);
  ASSERT_EQ(frames.size(), 2u);
  PitchKeypointConfig c;
  c.backend = "torch";
  c.device = cuda() ? "cuda" : "cpu";
  c.precision = cuda() ? "fp16" : "fp32";
  auto alone = PitchKeypointDetector::create(c);
  ASSERT_TRUE(alone.is_ok()) << alone.status().to_string();
  std::vector<std::vector<PitchKeypoint>> want;
  for (const Frame& f : frames) {
    auto k = (*alone)->detect(f);
    ASSERT_TRUE(k.is_ok()) << k.status().to_string();
    ASSERT_FALSE(k->empty());
    want.push_back(std::move(k).value());
  }
  constexpr int kNets = 4, kRounds = 6;
  std::vector<std::unique_ptr<PitchKeypointDetector>> nets;
  for (int i = 0; i < kNets; ++i) {
    auto n = PitchKeypointDetector::create(c);
    ASSERT_TRUE(n.is_ok()) << n.status().to_string();
    nets.push_back(std::move(n).value());
  }
  std::vector<int> mismatches(kNets, 0), errors(kNets, 0);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kNets; ++i) {
      threads.emplace_back([&, i] {
        for (int r = 0; r < kRounds; ++r) {
          const size_t fi = static_cast<size_t>(r + i) % frames.size();
          auto k = nets[static_cast<size_t>(i)]->detect(frames[fi]);
          if (!k.is_ok()) {
            ++errors[static_cast<size_t>(i)];
            continue;
          }
          bool same = k->size() == want[fi].size();
          for (size_t j = 0; same && j < k->size(); ++j) {
            same = (*k)[j].id == want[fi][j].id && std::abs((*k)[j].x_px - want[fi][j].x_px) < 1e-3f &&
                   std::abs((*k)[j].y_px - want[fi][j].y_px) < 1e-3f;
          }
          mismatches[static_cast<size_t>(i)] += same ? 0 : 1;
        }
      });
    }
  }
  for (int i = 0; i < kNets; ++i) {
    EXPECT_EQ(errors[static_cast<size_t>(i)], 0) << "net " << i;
    EXPECT_EQ(mismatches[static_cast<size_t>(i)], 0) << "net " << i;
  }
}

// NV12 -> BGR (the GPU path of NVDEC pictures, core/device_frame.hpp). A picture whose colour is
// constant over each 2x2 block survives BGR -> YCbCr (the standard forward transform, written
// here) -> NV12 -> the converter up to rounding, in both matrices and both ranges.
struct Nv12Picture {
  int w = 0, h = 0;
  std::vector<uint8_t> bgr, y, uv;  // the source BGR, and its NV12 planes (pitch = width)
};

Nv12Picture make_nv12(int w, int h, bool bt709, bool full_range, unsigned seed) {
  Nv12Picture p{w, h, std::vector<uint8_t>(static_cast<size_t>(w) * h * 3),
                std::vector<uint8_t>(static_cast<size_t>(w) * h),
                std::vector<uint8_t>(static_cast<size_t>(w) * h / 2)};
  const double kr = bt709 ? 0.2126 : 0.299, kb = bt709 ? 0.0722 : 0.114, kg = 1 - kr - kb;
  uint32_t state = seed;
  auto next = [&state] { return (state = state * 1664525u + 1013904223u) >> 24; };
  for (int by = 0; by < h / 2; ++by) {
    for (int bx = 0; bx < w / 2; ++bx) {
      const double b = 20 + next() % 216, g = 20 + next() % 216, r = 20 + next() % 216;  // 8-bit BGR
      const double luma = kr * r + kg * g + kb * b;                                      // 0..255
      const double cb = (b - luma) / (2 * (1 - kb)), cr = (r - luma) / (2 * (1 - kr));   // -127.5..127.5
      const double ys = full_range ? 1.0 : 219.0 / 255.0, cs = full_range ? 1.0 : 224.0 / 255.0;
      const uint8_t yq = static_cast<uint8_t>(std::lround((full_range ? 0 : 16) + luma * ys));
      p.uv[static_cast<size_t>(by) * w + 2 * bx] = static_cast<uint8_t>(std::lround(128 + cb * cs));
      p.uv[static_cast<size_t>(by) * w + 2 * bx + 1] = static_cast<uint8_t>(std::lround(128 + cr * cs));
      for (int dy = 0; dy < 2; ++dy) {
        for (int dx = 0; dx < 2; ++dx) {
          const size_t i = static_cast<size_t>(2 * by + dy) * w + 2 * bx + dx;
          p.y[i] = yq;
          p.bgr[3 * i] = static_cast<uint8_t>(b);
          p.bgr[3 * i + 1] = static_cast<uint8_t>(g);
          p.bgr[3 * i + 2] = static_cast<uint8_t>(r);
        }
      }
    }
  }
  return p;
}

int max_abs_diff(const Frame& f, const std::vector<uint8_t>& bgr) {
  int worst = 0;
  for (int r = 0; r < f.height(); ++r) {
    for (int c = 0; c < f.width() * 3; ++c) {
      worst = std::max(
          worst, std::abs(static_cast<int>(f.row(r)[c]) - bgr[static_cast<size_t>(r) * f.width() * 3 + c]));
    }
  }
  return worst;
}

TEST(FrameConverter, Nv12RoundTripOnTheCpu) {
  auto factory = frame_converter_factory("cpu");
  ASSERT_TRUE(factory) << "a torch build offers the CPU converter";
  auto conv = factory();
  ASSERT_TRUE(conv.is_ok()) << conv.status().to_string();
  for (const bool bt709 : {true, false}) {
    for (const bool full : {false, true}) {
      const Nv12Picture p = make_nv12(64, 48, bt709, full, 7);
      DeviceNv12 in{p.y.data(), p.w, p.uv.data(), p.w, p.w, p.h, bt709, full};
      FramePool pool(p.w, p.h, 1);
      MutableFrame out = pool.acquire();
      ASSERT_TRUE((*conv)->nv12_to_bgr(in, out).is_ok());
      // Forward rounding (Y and C to integers) and the inverse's rounding: at most 2 levels.
      EXPECT_LE(max_abs_diff(std::move(out).freeze(), p.bgr), 2) << "bt709 " << bt709 << " full " << full;
    }
  }
}

TEST(FrameConverter, BadPicturesAreClearErrors) {
  auto conv = frame_converter_factory("cpu")();
  ASSERT_TRUE(conv.is_ok());
  const Nv12Picture p = make_nv12(64, 48, true, false, 1);
  FramePool pool(64, 48, 1);
  MutableFrame out = pool.acquire();
  DeviceNv12 odd{p.y.data(), 64, p.uv.data(), 64, 63, 48, true, false};
  Status s = (*conv)->nv12_to_bgr(odd, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("63x48"), std::string::npos) << s.message();
  DeviceNv12 bigger{p.y.data(), 64, p.uv.data(), 64, 32, 24, true, false};  // frame is 64x48
  s = (*conv)->nv12_to_bgr(bigger, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("output frame is 64x48"), std::string::npos) << s.message();
  DeviceNv12 no_chroma{p.y.data(), 64, nullptr, 64, 64, 48, true, false};
  EXPECT_EQ((*conv)->nv12_to_bgr(no_chroma, out).code(), StatusCode::kInvalidArgument);
}

TEST(FrameConverter, CudaMatchesCpu) {
  if (!cuda()) GTEST_SKIP() << "libtorch sees no CUDA device";
  auto factory = frame_converter_factory("cuda");
  ASSERT_TRUE(factory) << "libtorch has CUDA but no GPU converter was offered";
  auto gpu = factory();
  ASSERT_TRUE(gpu.is_ok()) << gpu.status().to_string();
  auto cpu = frame_converter_factory("cpu")();
  ASSERT_TRUE(cpu.is_ok());
  const int w = 1920, h = 1080;
  const Nv12Picture p = make_nv12(w, h, true, false, 3);
  // Device copies with a pitch wider than the row, as NVDEC's surfaces have.
  const int pitch = 2048;
  torch::Tensor y = torch::zeros({h, pitch}, torch::kUInt8), uv = torch::zeros({h / 2, pitch}, torch::kUInt8);
  y.narrow(1, 0, w).copy_(torch::from_blob(const_cast<uint8_t*>(p.y.data()), {h, w}, torch::kUInt8));
  uv.narrow(1, 0, w).copy_(torch::from_blob(const_cast<uint8_t*>(p.uv.data()), {h / 2, w}, torch::kUInt8));
  const torch::Tensor yd = y.to(torch::kCUDA), uvd = uv.to(torch::kCUDA);
  FramePool pool(w, h, 3);
  MutableFrame a = pool.acquire(), b = pool.acquire();
  ASSERT_TRUE(
      (*gpu)
          ->nv12_to_bgr({yd.data_ptr<uint8_t>(), pitch, uvd.data_ptr<uint8_t>(), pitch, w, h, true, false}, a)
          .is_ok());
  ASSERT_TRUE((*cpu)->nv12_to_bgr({p.y.data(), w, p.uv.data(), w, w, h, true, false}, b).is_ok());
  const Frame fa = std::move(a).freeze(), fb = std::move(b).freeze();
  int worst = 0;
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w * 3; ++c) worst = std::max(worst, std::abs(fa.row(r)[c] - fb.row(r)[c]));
  }
  std::cout << "nv12 -> bgr, cuda vs cpu: max |diff| " << worst << " levels\n";
  EXPECT_LE(worst, 1);  // float rounding on two devices
  EXPECT_LE(max_abs_diff(fa, p.bgr), 2);
#if PITCHTRACK_TORCH_CUDA
  // As FFmpeg's decoder does it: the picture is written on the legacy default stream and the
  // conversion is asked for at once, without waiting. Here the write queues behind ~50 ms of
  // matrix products, so a conversion that did not wait for that stream on the GPU would read
  // the zeros the planes start as.
  torch::Tensor y2, uv2;
  {
    const c10::cuda::CUDAStreamGuard legacy(c10::cuda::getDefaultCUDAStream());
    y2 = torch::zeros_like(yd);
    uv2 = torch::zeros_like(uvd);
    torch::Tensor m = torch::rand({4096, 4096}, torch::TensorOptions().device(torch::kCUDA));
    for (int i = 0; i < 20; ++i) m = m.mm(m) / 4096.0;
    y2.copy_(y.pin_memory(), /*non_blocking=*/true);
    uv2.copy_(uv.pin_memory(), /*non_blocking=*/true);
  }
  MutableFrame c = pool.acquire();
  ASSERT_TRUE(
      (*gpu)
          ->nv12_to_bgr({y2.data_ptr<uint8_t>(), pitch, uv2.data_ptr<uint8_t>(), pitch, w, h, true, false}, c)
          .is_ok());
  const Frame fc = std::move(c).freeze();
  int changed = 0;
  for (int r = 0; r < h; ++r) changed += std::memcmp(fc.row(r), fa.row(r), static_cast<size_t>(w) * 3) != 0;
  EXPECT_EQ(changed, 0) << "rows differ: the conversion did not wait for the legacy stream's writes";
#endif
}

// detector.pin_frames and detector.cuda_graphs change how frames reach the GPU and how the
// forward pass is launched, not what it computes: the same frames give the same detections as
// the plain path (staging copy, per-layer launches) at every batch bucket, and the NVDEC
// conversion's download straight into a page-locked frame gives the same picture.
TEST(TorchDetector, PinnedFramesAndCudaGraphsGiveTheSameDetections) {
  if (!cuda()) GTEST_SKIP() << "libtorch sees no CUDA device";
  const std::vector<Frame> heap_frames = synth_frames(1280, 720, 22, 4);
  ASSERT_EQ(heap_frames.size(), 4u);
  DetectorConfig plain = torch_config("cuda");
  plain.precision = "fp16";
  plain.pin_frames = false;
  set_frame_host_allocator(nullptr);  // an earlier CUDA test's detector may have registered it
  auto reference = create_detector(plain);
  ASSERT_TRUE(reference.is_ok()) << reference.status().to_string();
  ASSERT_EQ(frame_host_allocator(), nullptr);

  DetectorConfig fast = plain;
  fast.pin_frames = true;
  fast.cuda_graphs = true;
  auto graphs = create_detector(fast);
  ASSERT_TRUE(graphs.is_ok()) << graphs.status().to_string();
  ASSERT_NE(frame_host_allocator(), nullptr) << "pin_frames registered no page-locked allocator";
  EXPECT_TRUE((*graphs)->caps().cuda_graphs) << "cuda_graphs on, yet no forward pass was captured";
  EXPECT_TRUE((*graphs)->caps().pinned_frames);
  EXPECT_FALSE((*reference)->caps().cuda_graphs);
  EXPECT_TRUE(frame_host_allocator()->pinned);
  // The frames again, now from a pool made after the registration: page-locked.
  FramePool pool(1280, 720, 4);
  std::vector<Frame> pinned;
  for (const Frame& f : heap_frames) {
    MutableFrame m = pool.acquire();
    for (int y = 0; y < f.height(); ++y) std::memcpy(m.row(y), f.row(y), static_cast<size_t>(f.width()) * 3);
    pinned.push_back(std::move(m).freeze());
    EXPECT_TRUE(pinned.back().pinned());
  }
  // Batches of 1, 3 (bucket 4, one stale slot) and 4, and a batch mixing pinned and heap frames.
  for (const size_t n : {size_t{1}, size_t{3}, size_t{4}}) {
    const std::vector<Frame> a(heap_frames.begin(), heap_frames.begin() + static_cast<ptrdiff_t>(n));
    const std::vector<Frame> b(pinned.begin(), pinned.begin() + static_cast<ptrdiff_t>(n));
    const auto want = run(**reference, a);
    const auto got = run(**graphs, b);
    ASSERT_EQ(got.size(), n);
    for (size_t i = 0; i < n; ++i) {
      const auto d = testing::diff_detections(want[i], got[i]);
      EXPECT_EQ(got[i].size(), want[i].size()) << "batch " << n << " frame " << i;
      EXPECT_TRUE(d.unmatched.empty()) << "batch " << n << " frame " << i << ":\n" << d.unmatched;
      EXPECT_LE(d.max_box_px, 1e-3f) << "batch " << n << " frame " << i;
      EXPECT_LE(d.max_score, 1e-5f) << "batch " << n << " frame " << i;
    }
  }
  const std::vector<Frame> mixed = {pinned[0], heap_frames[1], pinned[2]};
  const auto want = run(**reference, mixed);
  const auto got = run(**graphs, mixed);
  for (size_t i = 0; i < mixed.size(); ++i) {
    EXPECT_TRUE(testing::diff_detections(want[i], got[i]).unmatched.empty()) << "mixed frame " << i;
  }

  // NV12 -> BGR on the GPU into a page-locked frame (direct download) and into a heap frame.
  auto converter = frame_converter_factory("cuda")();
  ASSERT_TRUE(converter.is_ok()) << converter.status().to_string();
  const int w = 1920, h = 1080;
  const Nv12Picture p = make_nv12(w, h, true, false, 5);
  const torch::Tensor yd =
      torch::from_blob(const_cast<uint8_t*>(p.y.data()), {h, w}, torch::kUInt8).to(torch::kCUDA);
  const torch::Tensor uvd =
      torch::from_blob(const_cast<uint8_t*>(p.uv.data()), {h / 2, w}, torch::kUInt8).to(torch::kCUDA);
  const DeviceNv12 pic{yd.data_ptr<uint8_t>(), w, uvd.data_ptr<uint8_t>(), w, w, h, true, false};
  FramePool big(w, h, 1);
  MutableFrame into_pinned = big.acquire();
  MutableFrame into_heap(w, h);
  ASSERT_TRUE(into_pinned.pinned());
  ASSERT_FALSE(into_heap.pinned());
  ASSERT_TRUE((*converter)->nv12_to_bgr(pic, into_pinned).is_ok());
  ASSERT_TRUE((*converter)->nv12_to_bgr(pic, into_heap).is_ok());
  const Frame fp = std::move(into_pinned).freeze(), fh = std::move(into_heap).freeze();
  int worst = 0;
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w * 3; ++c) worst = std::max(worst, std::abs(fp.row(r)[c] - fh.row(r)[c]));
  }
  EXPECT_EQ(worst, 0);
  EXPECT_LE(max_abs_diff(fp, p.bgr), 2);
  set_frame_host_allocator(nullptr);  // later tests start from the heap again
}

TEST(TorchDetector, CudaRequestedWithoutCudaIsAClearError) {
  if (cuda()) GTEST_SKIP() << "CUDA is available here";
  auto det = create_detector(torch_config("cuda"));
  ASSERT_FALSE(det.is_ok());
  EXPECT_EQ(det.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(det.status().message().find("CUDA"), std::string::npos) << det.status().to_string();
  // "auto" falls back to the CPU instead.
  auto any = create_detector(torch_config("auto"));
  ASSERT_TRUE(any.is_ok()) << any.status().to_string();
  EXPECT_EQ((*any)->caps().device, "cpu");
}

TEST(TorchDetector, Fp16OnTheCpuIsAClearError) {
  DetectorConfig c = torch_config("cpu");
  c.precision = "fp16";
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find("detector.precision"), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, MissingModelIsAClearError) {
  DetectorConfig c = torch_config();
  c.model_path = "/nonexistent/football_det.pt";
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_EQ(det.status().code(), StatusCode::kNotFound);
  EXPECT_NE(det.status().message().find(c.model_path), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, EmptyModelFileIsAClearError) {
  DetectorConfig c = torch_config();
  c.model_path = temp_path("empty.pt");
  std::ofstream(c.model_path, std::ios::binary).flush();
  write_sidecar(c.model_path);
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(c.model_path), std::string::npos) << det.status().to_string();
  EXPECT_NE(det.status().message().find("empty"), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, TruncatedModelIsAClearError) {
  DetectorConfig c = torch_config();
  c.model_path = temp_path("truncated.pt");
  {
    std::ifstream in(kModel, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(c.model_path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  write_sidecar(c.model_path);
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(c.model_path), std::string::npos) << det.status().to_string();
  EXPECT_NE(det.status().message().find("TorchScript"), std::string::npos) << det.status().to_string();
  // No C++ backtrace in the message (c10::Error::what_without_backtrace).
  EXPECT_EQ(det.status().message().find("frame #"), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, GarbageModelIsAClearError) {
  DetectorConfig c = torch_config();
  c.model_path = temp_path("garbage.pt");
  {
    std::ofstream out(c.model_path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 7919) % 251));
  }
  write_sidecar(c.model_path);
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(c.model_path), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, MissingSidecarIsAClearError) {
  DetectorConfig c = torch_config();
  c.model_path = temp_path("nosidecar.pt");
  fs::copy_file(kModel, c.model_path, fs::copy_options::overwrite_existing);
  fs::remove(fs::path(c.model_path).replace_extension(".json"));
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(".json"), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, WrongOutputShapeIsAClearError) {
  // Stride-4 output of the right size but 6 channels instead of 8.
  DetectorConfig c = torch_config();
  c.model_path = make_script_model("six_channels.pt",
                                   "    y = x[:, :, ::4, ::4]\n"
                                   "    return torch.cat([y, y], 1)\n");
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(c.model_path), std::string::npos) << det.status().to_string();
  EXPECT_NE(det.status().message().find("[1,6,184,328]"), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, OutputThatIsNotATensorIsAClearError) {
  DetectorConfig c = torch_config();
  c.model_path = make_script_model("tuple.pt",
                                   "    y = x[:, :, ::4, ::4]\n"
                                   "    return (y, y)\n");
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(c.model_path), std::string::npos) << det.status().to_string();
  EXPECT_NE(det.status().message().find("Tuple"), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, ModelThatFailsToRunIsAClearError) {
  DetectorConfig c = torch_config();
  c.model_path = make_script_model("bad_view.pt", "    return x.view(5)\n");
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(c.model_path), std::string::npos) << det.status().to_string();
}

TEST(TorchDetector, EmptyFrameIsAClearError) {
  auto det = create_detector(torch_config());
  ASSERT_TRUE(det.is_ok()) << det.status().to_string();
  const Frame empty;
  auto out = (*det)->detect(std::span<const Frame>(&empty, 1));
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("empty"), std::string::npos);
}

TEST(TorchDetector, RegistryOffersTorch) {
  const auto backends = available_detector_backends();
  EXPECT_NE(std::find(backends.begin(), backends.end(), "torch"), backends.end());
  // auto: a .pt model means torch; the shipped model goes to torch only on CUDA (onnx is faster
  // on the CPU).
  DetectorConfig c;
  c.backend = "auto";
  c.warmup_runs = 0;
  c.model_path = kModel;
  auto pt = create_detector(c);
  ASSERT_TRUE(pt.is_ok()) << pt.status().to_string();
  EXPECT_EQ((*pt)->caps().backend, "torch");
  c.model_path.clear();
  auto shipped = create_detector(c);
  ASSERT_TRUE(shipped.is_ok()) << shipped.status().to_string();
  EXPECT_EQ((*shipped)->caps().backend, cuda() ? "torch" : "onnx");
}

}  // namespace
}  // namespace pitchtrack
