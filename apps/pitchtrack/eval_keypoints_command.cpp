// `pitchtrack eval-keypoints --data <split>`: runs the pitch keypoint model on a labelled split
// (images/ + labels/ in YOLOv8-pose txt, pitch-keypoints-v1) and prints JSON: keypoint error in
// pixels at the evaluation size, and the calibration error on the pitch grid of the homography
// from the predicted keypoints (PitchCalibrator, auto mode, one frame) against the homography
// from the ground-truth keypoints.
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>

#include "commands.hpp"
#include "pitchtrack/detect/pitch_keypoint_detector.hpp"
#include "pitchtrack/io/image.hpp"
#include "pitchtrack/pitch/calibration_error.hpp"
#include "pitchtrack/pitch/calibrator.hpp"

namespace pitchtrack::cli {
namespace {

struct EvalKeypointsArgs {
  std::string data;
  std::string model;
  float threshold = -1.0f;
  int width = 1280;
  int height = 720;
  int threads = 0;
  int limit = 0;
  CalibratorConfig calibrator;
  bool per_frame = false;
};

// First row of a YOLOv8-pose label: "cls cx cy w h" then 32 x "x y vis" (normalised).
bool read_label(const std::filesystem::path& path, std::vector<PitchKeypoint>& out, int w, int h) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return false;
  std::istringstream s(line);
  double v[5];
  for (double& x : v) {
    if (!(s >> x)) return false;
  }
  out.clear();
  for (int k = 0; k < PitchModel::kNumKeypoints; ++k) {
    double x, y, vis;
    if (!(s >> x >> y >> vis)) return false;
    if (vis > 0) out.push_back({k, static_cast<float>(x * w), static_cast<float>(y * h), 1.0f});
  }
  return true;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

nlohmann::json number_or_null(bool ok, double v) { return ok ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

void register_eval_keypoints(CLI::App& app) {
  auto args = std::make_shared<EvalKeypointsArgs>();
  CLI::App* sub = app.add_subcommand("eval-keypoints",
                                     "Evaluate the pitch keypoint model and calibration on a labelled split");
  sub->add_option("--data", args->data, "split folder with images/ and labels/ (YOLOv8-pose, 32 keypoints)")
      ->required();
  sub->add_option("--model", args->model, "keypoint model .onnx (default: the shipped one)");
  sub->add_option("--threshold", args->threshold, "keypoint confidence threshold (default: the model's)");
  sub->add_option("--width", args->width, "evaluation width: frames are resized to it (px)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--height", args->height, "evaluation height (px)")->check(CLI::PositiveNumber);
  sub->add_option("--threads", args->threads, "OpenCV threads (0: default)");
  sub->add_option("--limit", args->limit, "evaluate only the first N frames (0: all)");
  sub->add_option("--inlier-threshold-px", args->calibrator.inlier_threshold_px,
                  "calibrator RANSAC inlier distance (px at 720 rows)");
  sub->add_option("--min-inliers", args->calibrator.min_inliers, "calibrator minimum inliers");
  sub->add_flag("--per-frame", args->per_frame, "add a per-frame list to the JSON");
  on_selected(sub, [args] {
    namespace fs = std::filesystem;
    const fs::path images = fs::path(args->data) / "images", labels = fs::path(args->data) / "labels";
    std::error_code ec;
    if (!fs::is_directory(images, ec) || !fs::is_directory(labels, ec)) {
      return fail("eval-keypoints", "'" + args->data + "': expected images/ and labels/ folders");
    }
    auto det = PitchKeypointDetector::create({args->model, args->threshold, args->threads});
    if (!det.is_ok()) return fail("eval-keypoints", det.status().to_string());
    auto pitch = PitchModel::create();
    if (!pitch.is_ok()) return fail("eval-keypoints", pitch.status().to_string());
    auto cal = PitchCalibrator::create(args->calibrator);
    if (!cal.is_ok()) return fail("eval-keypoints", cal.status().to_string());

    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(images)) {
      const std::string ext = e.path().extension().string();
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (args->limit > 0 && files.size() > static_cast<size_t>(args->limit))
      files.resize(static_cast<size_t>(args->limit));
    if (files.empty()) return fail("eval-keypoints", "no images in '" + images.string() + "'");

    const ImageSize size{args->width, args->height};
    std::vector<double> errors, calib, ms;
    int n_gt = 0, n_detected = 0, n_false = 0, frames_h = 0, frames_gt_h = 0, n_frames = 0;
    std::vector<PitchKeypoint> gt;
    nlohmann::json per_frame = nlohmann::json::array();
    for (const auto& f : files) {
      const fs::path lab = labels / (f.stem().string() + ".txt");
      if (!read_label(lab, gt, size.width_px, size.height_px)) {
        return fail("eval-keypoints",
                    "'" + lab.string() + "': missing or not a 32-keypoint YOLOv8-pose label");
      }
      auto decoded = read_image(f.string());
      if (!decoded.is_ok()) return fail("eval-keypoints", decoded.status().to_string());
      const cv::Mat src(decoded->height(), decoded->width(), CV_8UC3, const_cast<uint8_t*>(decoded->data()),
                        static_cast<size_t>(decoded->stride_bytes()));
      cv::Mat img;
      cv::resize(src, img, cv::Size(size.width_px, size.height_px), 0, 0, cv::INTER_LINEAR);
      Frame frame = Frame::copy_from(img.data, img.cols, img.rows, static_cast<int>(img.step));
      frame.index = n_frames++;
      auto kps = (*det)->detect(frame);
      if (!kps.is_ok()) return fail("eval-keypoints", kps.status().with_context(f.string()).to_string());
      ms.push_back((*det)->last_inference_ms());

      std::array<const PitchKeypoint*, PitchModel::kNumKeypoints> by_id{};
      for (const auto& k : *kps) by_id[static_cast<size_t>(k.id)] = &k;
      std::array<bool, PitchModel::kNumKeypoints> labelled{};
      std::vector<PointPair> gt_pairs;
      for (const auto& g : gt) {
        labelled[static_cast<size_t>(g.id)] = true;
        gt_pairs.push_back({g.x_px, g.y_px, pitch->keypoint(g.id)});
        ++n_gt;
        if (const PitchKeypoint* p = by_id[static_cast<size_t>(g.id)]) {
          errors.push_back(std::hypot(p->x_px - g.x_px, p->y_px - g.y_px));
          ++n_detected;
        }
      }
      for (const auto& k : *kps) n_false += labelled[static_cast<size_t>(k.id)] ? 0 : 1;

      (*cal)->reset();
      const CalibrationResult r = (*cal)->update(*kps, size, frame.index, true);
      frames_h += r.image_to_pitch ? 1 : 0;
      auto h_gt = estimate_homography(gt_pairs);
      if (!h_gt.is_ok()) continue;
      ++frames_gt_h;
      if (!r.image_to_pitch) continue;
      const auto e = pitch_grid_error(*r.image_to_pitch, *h_gt, *pitch, size);
      if (e) calib.push_back(e->mean_m);
      if (args->per_frame) {
        per_frame.push_back({{"image", f.filename().string()},
                             {"keypoints", kps->size()},
                             {"inliers", r.inliers},
                             {"quality", r.quality},
                             {"reprojection_error_px", r.reprojection_error_px},
                             {"calibration_error_m", number_or_null(e.has_value(), e ? e->mean_m : 0.0)}});
      }
    }
    const auto pck =
        static_cast<double>(std::count_if(errors.begin(), errors.end(), [](double e) { return e <= 5.0; }));
    nlohmann::json j = {
        {"data", args->data},
        {"eval_size", {size.width_px, size.height_px}},
        {"frames", n_frames},
        {"keypoints_gt", n_gt},
        {"keypoints_detected", n_detected},
        {"recall", n_gt ? static_cast<double>(n_detected) / n_gt : 0.0},
        {"false_positives", n_false},
        {"median_px", number_or_null(!errors.empty(), median(errors))},
        {"mean_px", number_or_null(!errors.empty(), mean(errors))},
        {"pck@5px", n_gt ? pck / n_gt : 0.0},
        {"calibration_error_m_mean", number_or_null(!calib.empty(), mean(calib))},
        {"calibration_error_m_median", number_or_null(!calib.empty(), median(calib))},
        {"frames_with_homography", frames_h},
        {"frames_with_gt_homography", frames_gt_h},
        {"frames_compared", calib.size()},
        {"keypoint_ms_median", median(ms)},
    };
    if (args->per_frame) j["per_frame"] = per_frame;
    std::cout << j.dump(2) << std::endl;
    return 0;
  });
}

}  // namespace pitchtrack::cli
