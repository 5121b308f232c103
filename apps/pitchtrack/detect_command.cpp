// `pitchtrack detect`: runs a detector over a folder of images and writes YOLO-format
// predictions (<stem>.txt: `class cx cy w h score`, normalised), which `pitchtrack eval-detect
// --pred` scores; so every backend (onnx, classical, darknet baseline) is compared the same way.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "pitchtrack/detect/registry.hpp"
#include "pitchtrack/io/image.hpp"

namespace pitchtrack::cli {
namespace {

struct DetectArgs {
  std::string data;
  std::string out;
  std::string backend = "onnx";
  std::string model;
  std::string weights;
  int input_width = 0;
  int input_height = 0;
  int batch = 1;
  float threshold = 0.05f;  // low: AP needs the whole ranking
};

int run_detect(const DetectArgs& a) {
  namespace fs = std::filesystem;
  fs::path images = fs::path(a.data) / "images";
  if (!fs::is_directory(images)) images = a.data;
  if (!fs::is_directory(images)) return fail("detect", "'" + a.data + "' has no images/ folder");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(images)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return fail("detect", "no images in '" + images.string() + "'");
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec) return fail("detect", "cannot create '" + a.out + "': " + ec.message());

  DetectorConfig cfg;
  cfg.backend = a.backend;
  cfg.model_path = a.model;
  cfg.weights_path = a.weights;
  cfg.input_width = a.input_width;
  cfg.input_height = a.input_height;
  cfg.max_batch = a.batch;
  cfg.thresholds = {a.threshold, a.threshold, a.threshold, a.threshold};
  auto det = create_detector(cfg);
  if (!det.is_ok()) return fail("detect", det.status().to_string());

  double total_ms = 0;
  size_t done = 0;
  for (size_t start = 0; start < files.size(); start += static_cast<size_t>(a.batch)) {
    std::vector<Frame> frames;
    std::vector<fs::path> names;
    for (size_t i = start; i < std::min(files.size(), start + static_cast<size_t>(a.batch)); ++i) {
      auto img = read_image(files[i].string());
      if (!img.is_ok()) return fail("detect", img.status().to_string());
      frames.push_back(std::move(*img));
      names.push_back(files[i]);
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto out = (*det)->detect(frames);
    total_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!out.is_ok()) return fail("detect", out.status().to_string());
    for (size_t i = 0; i < frames.size(); ++i) {
      std::ofstream f(fs::path(a.out) / (names[i].stem().string() + ".txt"));
      f << std::fixed << std::setprecision(6);
      const double W = frames[i].width(), H = frames[i].height();
      for (const Detection& d : (*out)[i]) {
        f << static_cast<int>(d.class_id) << ' ' << d.box_px.cx() / W << ' ' << d.box_px.cy() / H << ' '
          << d.box_px.width() / W << ' ' << d.box_px.height() / H << ' ' << d.score << '\n';
      }
      if (!f) return fail("detect", "cannot write predictions to '" + a.out + "'");
    }
    done += frames.size();
  }
  std::cerr << "detect: " << done << " images, backend " << (*det)->caps().backend << ", "
            << std::setprecision(3) << total_ms / static_cast<double>(done) << " ms per image (batch "
            << a.batch << ")\n";
  return 0;
}

}  // namespace

void register_detect(CLI::App& app) {
  auto a = std::make_shared<DetectArgs>();
  CLI::App* sub =
      app.add_subcommand("detect", "Run a detector on a folder of images; writes YOLO-format predictions");
  sub->add_option("--data", a->data, "folder with images/ (a YOLO split) or of images")->required();
  sub->add_option("--out", a->out, "output folder of <image-stem>.txt predictions")->required();
  sub->add_option("--backend", a->backend, "onnx, classical or darknet")
      ->check(CLI::IsMember({"onnx", "classical", "darknet", "auto"}));
  sub->add_option("--model", a->model, "model file (.onnx, darknet .cfg); default: the shipped model");
  sub->add_option("--weights", a->weights, "darknet .weights");
  sub->add_option("--input-width", a->input_width, "network input width, px (0: the model's)");
  sub->add_option("--input-height", a->input_height, "network input height, px (0: the model's)");
  sub->add_option("--batch", a->batch, "images per forward pass")->check(CLI::PositiveNumber);
  sub->add_option("--threshold", a->threshold, "score threshold for writing a box")
      ->check(CLI::Range(0.0, 1.0));
  on_selected(sub, [a] { return run_detect(*a); });
}

}  // namespace pitchtrack::cli
