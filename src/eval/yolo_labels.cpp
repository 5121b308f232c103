#include "pitchtrack/eval/yolo_labels.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace pitchtrack::eval {
namespace {

namespace fs = std::filesystem;

bool is_image(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp";
}

std::optional<double> to_double(const std::string& s) {
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

Result<std::vector<Detection>> read_yolo_labels(const std::string& path, bool with_score) {
  std::ifstream in(path);
  if (!in) return not_found("open '" + path + "': no such file or not readable");
  std::vector<Detection> out;
  std::string line;
  int64_t n = 0;
  const size_t expected = with_score ? 6 : 5;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream ss(line);
    std::vector<std::string> f;
    for (std::string tok; ss >> tok;) f.push_back(tok);
    if (f.empty()) continue;
    auto err = [&](const std::string& m) {
      return invalid_argument(path + ":" + std::to_string(n) + ": " + m);
    };
    if (f.size() != expected) {
      return err(std::string("expected ") + (with_score ? "'class cx cy w h score'" : "'class cx cy w h'") +
                 ", got " + std::to_string(f.size()) + " fields");
    }
    std::array<double, 6> v{};
    for (size_t i = 0; i < expected; ++i) {
      const auto x = to_double(f[i]);
      if (!x) return err("field " + std::to_string(i + 1) + " '" + f[i] + "' is not a number");
      v[i] = *x;
    }
    if (v[0] != std::floor(v[0]) || v[0] < 0 || v[0] >= kNumObjectClasses) {
      return err("class '" + f[0] + "' is not 0..3 (ball, goalkeeper, player, referee)");
    }
    if (v[3] < 0 || v[4] < 0) return err("negative box size");
    Detection d;
    d.class_id = static_cast<ObjectClass>(static_cast<int>(v[0]));
    d.box_px = BoxXyxy::from_cxcywh(static_cast<float>(v[1]), static_cast<float>(v[2]),
                                    static_cast<float>(v[3]), static_cast<float>(v[4]));
    d.score = with_score ? static_cast<float>(v[5]) : 1.0f;
    out.push_back(d);
  }
  if (in.bad()) return data_loss(path + ": read error after line " + std::to_string(n));
  return out;
}

Result<YoloEvalSet> load_yolo_eval_set(const std::string& data_dir, const std::string& pred_dir) {
  std::error_code ec;
  const fs::path images_dir = fs::path(data_dir) / "images";
  const fs::path labels_dir = fs::path(data_dir) / "labels";
  if (!fs::is_directory(images_dir, ec)) return not_found("data '" + data_dir + "': no images/ folder");
  if (!fs::is_directory(pred_dir, ec)) return not_found("predictions '" + pred_dir + "': no such folder");
  std::vector<std::string> stems;
  for (const auto& e : fs::directory_iterator(images_dir, ec)) {
    if (e.is_regular_file() && is_image(e.path())) stems.push_back(e.path().stem().string());
  }
  if (ec) return not_found("data '" + data_dir + "': cannot list images/: " + ec.message());
  std::sort(stems.begin(), stems.end());
  YoloEvalSet set;
  for (const std::string& stem : stems) {
    DetectionImage image;
    image.name = stem;
    if (const fs::path l = labels_dir / (stem + ".txt"); fs::is_regular_file(l, ec)) {
      PT_ASSIGN_OR_RETURN(image.gt, read_yolo_labels(l.string(), /*with_score=*/false));
    }
    if (const fs::path p = fs::path(pred_dir) / (stem + ".txt"); fs::is_regular_file(p, ec)) {
      PT_ASSIGN_OR_RETURN(image.pred, read_yolo_labels(p.string(), /*with_score=*/true));
    }
    set.images.push_back(std::move(image));
  }
  const std::set<std::string> known(stems.begin(), stems.end());
  for (const auto& e : fs::directory_iterator(pred_dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".txt" && !known.count(e.path().stem().string())) {
      ++set.unmatched_prediction_files;
    }
  }
  return set;
}

}  // namespace pitchtrack::eval
