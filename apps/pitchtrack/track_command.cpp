// `pitchtrack track`: the tracker on a MOT-format detection file, so trackers can be compared on
// identical detections; and `pitchtrack degrade-dets`: seeded noisy detections from GT boxes.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "commands.hpp"
#include "pitchtrack/io/source.hpp"
#include "pitchtrack/motion/camera_motion.hpp"
#include "pitchtrack/motion/cut_detector.hpp"
#include "pitchtrack/motion/frame_motion.hpp"
#include "pitchtrack/track/interpolation.hpp"
#include "pitchtrack/track/stitching.hpp"
#include "pitchtrack/track/tracker.hpp"

namespace pitchtrack::cli {
namespace {

struct MotBox {
  int64_t frame;  // 1-based
  int64_t id;
  float x, y, w, h, score;
};

// MOT lines `frame,id,x,y,w,h,conf[,...]`; errors name file and line.
Result<std::vector<MotBox>> read_mot(const std::string& path) {
  std::ifstream in(path);
  if (!in) return not_found("detections '" + path + "': cannot open");
  std::vector<MotBox> out;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    for (char& c : line) {
      if (c == ',') c = ' ';
    }
    std::istringstream ss(line);
    double f, id, x, y, w, h, conf = 1.0;
    if (!(ss >> f >> id >> x >> y >> w >> h)) {
      return invalid_argument(path + ":" + std::to_string(n) + ": expected 'frame,id,x,y,w,h[,conf,...]'");
    }
    if (!(ss >> conf)) conf = 1.0;
    if (f < 1 || w < 0 || h < 0)
      return invalid_argument(path + ":" + std::to_string(n) + ": frame < 1 or negative size");
    out.push_back({static_cast<int64_t>(f), static_cast<int64_t>(id), static_cast<float>(x),
                   static_cast<float>(y), static_cast<float>(w), static_cast<float>(h),
                   static_cast<float>(conf)});
  }
  return out;
}

struct TrackArgs {
  std::string detections;
  std::string out;
  std::string video;
  double fps = 25.0;
  int interpolate = 20;
  bool stitch = true;
  std::vector<std::string> sets;
  float min_score = 0.1f;
};

struct DegradeArgs {
  std::string gt;
  std::string out;
  double drop = 0.10;
  double jitter_px = 2.0;
  double false_positives = 0.02;
  uint64_t seed = 1;
  int width = 1280;
  int height = 720;
};

int run_track(const TrackArgs& a) {
  auto boxes = read_mot(a.detections);
  if (!boxes.is_ok()) return fail("track", boxes.status().to_string());
  TrackerConfig cfg;
  cfg.fps = a.fps;
  cfg.low_score = std::min(cfg.low_score, a.min_score);
  StitchConfig sc;
  sc.fps = a.fps;
  // --set name=value for the numeric knobs of TrackerConfig / StitchConfig.
  const std::map<std::string, double*> knobs = {{"tracker.max_lost_s", &cfg.max_lost_s},
                                                {"tracker.std_position", &cfg.std_position},
                                                {"tracker.std_velocity", &cfg.std_velocity},
                                                {"tracker.std_measurement", &cfg.std_measurement},
                                                {"tracker.noise_gain", &cfg.noise_gain},
                                                {"tracker.noise_floor", &cfg.noise_floor},
                                                {"stitch.max_gap_s", &sc.max_gap_s},
                                                {"stitch.max_speed_mps", &sc.max_speed_mps},
                                                {"stitch.slack_m", &sc.slack_m},
                                                {"stitch.extrapolate_s", &sc.extrapolate_s},
                                                {"stitch.end_outlier_h", &sc.end_outlier_h},
                                                {"stitch.person_height_m", &sc.person_height_m},
                                                {"stitch.online_max_lost_s", &sc.online_max_lost_s},
                                                {"stitch.label_share", &sc.label_share},
                                                {"stitch.crossing_iou", &sc.crossing_iou},
                                                {"stitch.crossing_max_s", &sc.crossing_max_s},
                                                {"stitch.crossing_window_s", &sc.crossing_window_s},
                                                {"stitch.crossing_ratio", &sc.crossing_ratio},
                                                {"stitch.crossing_min_gain_m", &sc.crossing_min_gain_m}};
  const std::map<std::string, float*> fknobs = {{"tracker.buffer_scale", &cfg.buffer_scale},
                                                {"tracker.plain_iou_weight", &cfg.plain_iou_weight},
                                                {"tracker.min_iou_high", &cfg.min_iou_high},
                                                {"tracker.min_iou_low", &cfg.min_iou_low},
                                                {"tracker.min_iou_tentative", &cfg.min_iou_tentative},
                                                {"tracker.lost_buffer_per_s", &cfg.lost_buffer_per_s},
                                                {"tracker.max_lost_buffer", &cfg.max_lost_buffer},
                                                {"tracker.high_score", &cfg.high_score},
                                                {"tracker.new_track_score", &cfg.new_track_score},
                                                {"tracker.align_tolerance", &cfg.align_tolerance},
                                                {"tracker.align_velocity_gain", &cfg.align_velocity_gain},
                                                {"tracker.centre_weight", &cfg.centre_weight},
                                                {"tracker.class_duplicate_iou", &cfg.class_duplicate_iou},
                                                {"tracker.role_weight", &cfg.role_weight}};
  bool max_lost_set = false;
  for (const std::string& kv : a.sets) {
    const auto eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    max_lost_set = max_lost_set || key == "tracker.max_lost_s";
    double value = 0;
    try {
      if (eq == std::string::npos) throw std::invalid_argument(kv);
      value = std::stod(kv.substr(eq + 1));
    } catch (const std::exception&) {
      return fail("track", "--set '" + kv + "': expected name=number");
    }
    if (auto it = knobs.find(key); it != knobs.end()) {
      *it->second = value;
    } else if (auto jt = fknobs.find(key); jt != fknobs.end()) {
      *jt->second = static_cast<float>(value);
    } else if (key == "tracker.new_track_camera_velocity") {
      cfg.new_track_camera_velocity = value != 0;
    } else if (key == "tracker.lost_velocity_frames") {
      cfg.lost_velocity_frames = static_cast<int>(value);
    } else if (key == "stitch.velocity_frames") {
      sc.velocity_frames = static_cast<int>(value);
    } else if (key == "stitch.min_length") {
      sc.min_length = static_cast<int>(value);
    } else if (key == "tracker.confirm_hits") {
      cfg.confirm_hits = static_cast<int>(value);
    } else if (key == "tracker.filtered_boxes") {
      cfg.filtered_boxes = value != 0;
    } else {
      return fail("track", "--set '" + kv + "': unknown setting '" + key + "'");
    }
  }
  // Stitching follows: long absences are left to it (StitchConfig::online_max_lost_s), unless
  // --set tracker.max_lost_s says otherwise.
  if (a.stitch && !max_lost_set) cfg = tracker_config_before_stitching(cfg, sc);
  auto tracker = Tracker::create(cfg);
  if (!tracker.is_ok()) return fail("track", tracker.status().to_string());
  int64_t last_frame = 0;
  std::map<int64_t, std::vector<Detection>> by_frame;
  for (const MotBox& b : *boxes) {
    by_frame[b.frame].push_back(
        {BoxXyxy::from_xywh(b.x, b.y, b.w, b.h), std::min(b.score, 1.0f), ObjectClass::kPlayer});
    last_frame = std::max(last_frame, b.frame);
  }
  // With --video: MOT frame f is the video's f-th decoded frame; the camera's motion between
  // frames (people masked out) and shot cuts are estimated on it, as in the pipeline.
  std::unique_ptr<Source> video;
  std::unique_ptr<CameraMotionEstimator> motion;
  std::unique_ptr<CutDetector> cuts;
  if (!a.video.empty()) {
    SourceConfig vc;
    vc.mode = SourceMode::kFile;
    auto src = open_source(a.video, vc);
    if (!src.is_ok()) return fail("track", src.status().to_string());
    video = std::move(*src);
    auto m = CameraMotionEstimator::create({});
    if (!m.is_ok()) return fail("track", m.status().to_string());
    motion = std::move(*m);
    CutDetectorConfig cc;
    cc.fps = a.fps;
    auto c = CutDetector::create(cc);
    if (!c.is_ok()) return fail("track", c.status().to_string());
    cuts = std::move(*c);
  }
  std::vector<std::vector<Track>> tracks(static_cast<size_t>(last_frame));
  std::vector<BoxXyxy> masks;
  std::vector<bool> cut_at(static_cast<size_t>(last_frame));  // frames opening a shot (--video)
  int64_t cut_frames = 0, motion_frames = 0;
  for (int64_t f = 1; f <= last_frame; ++f) {
    FrameContext ctx;
    ctx.frame_index = f - 1;
    const auto it = by_frame.find(f);
    static const std::vector<Detection> kNone;
    const std::vector<Detection>& dets = it == by_frame.end() ? kNone : it->second;
    if (video) {
      auto frame = video->read();
      if (!frame.is_ok()) {
        if (frame.status().code() == StatusCode::kEndOfStream) {
          return fail("track", "'" + a.video + "' ends after " + std::to_string(f - 1) + " frames but '" +
                                   a.detections + "' has detections up to frame " +
                                   std::to_string(last_frame));
        }
        return fail("track", frame.status().to_string());
      }
      masks.clear();
      for (const Detection& d : dets) masks.push_back(d.box_px);
      auto fm = update_frame_motion(*frame, masks, cuts.get(), motion.get());
      if (!fm.is_ok()) return fail("track", fm.status().with_context(a.video).to_string());
      ctx.camera_cut = fm->cut;
      cut_at[static_cast<size_t>(f - 1)] = fm->cut;
      ctx.camera_motion = fm->affine;
      cut_frames += fm->cut ? 1 : 0;
      motion_frames += ctx.camera_motion ? 1 : 0;
    }
    tracks[static_cast<size_t>(f - 1)] = (*tracker)->update(dets, ctx);
  }
  if (video) {
    std::cerr << "camera motion on " << motion_frames << " of " << last_frame << " frames, " << cut_frames
              << " cuts\n";
  }
  if (a.stitch) {
    tracks = stitch_tracklets(tracks, sc);
  }
  tracks = interpolate_gaps(tracks, a.interpolate);
  if (a.stitch) {
    const int exchanged = resolve_crossings(tracks, sc, cut_at);
    std::cerr << "crossings: " << exchanged << " id exchanges\n";
  }
  std::ofstream out(a.out);
  if (!out) return fail("track", "cannot write '" + a.out + "'");
  out << std::fixed << std::setprecision(2);
  for (size_t k = 0; k < tracks.size(); ++k) {
    for (const Track& t : tracks[k]) {
      out << (k + 1) << ',' << t.track_id << ',' << t.box_px.x1 << ',' << t.box_px.y1 << ','
          << t.box_px.width() << ',' << t.box_px.height() << ',' << t.score << ",-1,-1,-1\n";
    }
  }
  out.flush();
  if (!out) return fail("track", "write to '" + a.out + "' failed");
  std::cerr << "tracked " << tracks.size() << " frames, " << (*tracker)->ids_issued() << " ids\n";
  return 0;
}

int run_degrade(const DegradeArgs& a) {
  auto gt = read_mot(a.gt);
  if (!gt.is_ok()) return fail("degrade-dets", gt.status().to_string());
  std::mt19937_64 rng(a.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> n(0.0, a.jitter_px);
  std::ofstream out(a.out);
  if (!out) return fail("degrade-dets", "cannot write '" + a.out + "'");
  out << std::fixed << std::setprecision(2);
  std::map<int64_t, std::vector<MotBox>> by_frame;
  for (const MotBox& b : *gt) by_frame[b.frame].push_back(b);
  int64_t next_fp_id = 1000000;  // false positives: ids no GT uses, one per box
  for (const auto& [frame, list] : by_frame) {
    for (const MotBox& b : list) {
      if (u(rng) < a.drop) continue;
      const double x1 = b.x + n(rng), y1 = b.y + n(rng), x2 = b.x + b.w + n(rng), y2 = b.y + b.h + n(rng);
      // GT ids are kept so this file, scored as a prediction, is the perfect-association ceiling.
      out << frame << ',' << b.id << ',' << x1 << ',' << y1 << ',' << std::max(1.0, x2 - x1) << ','
          << std::max(1.0, y2 - y1) << ",1,-1,-1,-1\n";
      if (u(rng) < a.false_positives) {
        const double h = b.h * (0.7 + 0.6 * u(rng)), w = h * 0.4;
        out << frame << ',' << next_fp_id++ << ',' << u(rng) * (a.width - w) << ',' << u(rng) * (a.height - h)
            << ',' << w << ',' << h << ',' << (0.5 + 0.5 * u(rng)) << ",-1,-1,-1\n";
      }
    }
  }
  return out ? 0 : fail("degrade-dets", "write to '" + a.out + "' failed");
}

}  // namespace

void register_track(CLI::App& app) {
  auto a = std::make_shared<TrackArgs>();
  CLI::App* sub = app.add_subcommand("track", "Run the tracker on a MOT-format detection file");
  sub->add_option("--detections", a->detections, "MOT txt: frame,id,x,y,w,h,conf,... (1-based frames)")
      ->required();
  sub->add_option("--out", a->out, "MOT txt of tracks")->required();
  sub->add_option("--video", a->video, "the video the detections came from (camera-motion compensation)");
  sub->add_option("--fps", a->fps, "frames per second of the sequence")->check(CLI::PositiveNumber);
  sub->add_option("--interpolate", a->interpolate, "fill track gaps up to N frames (0: off)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--set", a->sets, "override a tracker/stitch setting, e.g. tracker.buffer_scale=0.4");
  sub->add_option("--stitch", a->stitch, "offline stitching of id fragments across absences (true/false)");
  on_selected(sub, [a] { return run_track(*a); });

  auto d = std::make_shared<DegradeArgs>();
  CLI::App* deg = app.add_subcommand("degrade-dets",
                                     "Seeded noisy detections from MOT GT (drops, jitter, false positives)");
  deg->add_option("--gt", d->gt, "MOT GT txt")->required();
  deg->add_option("--out", d->out,
                  "MOT txt of detections (GT ids kept; each false positive its own id >= 1000000)")
      ->required();
  deg->add_option("--drop", d->drop, "fraction of boxes dropped")->check(CLI::Range(0.0, 1.0));
  deg->add_option("--jitter", d->jitter_px, "std of corner noise, px")->check(CLI::NonNegativeNumber);
  deg->add_option("--fp", d->false_positives, "false positives per GT box")->check(CLI::Range(0.0, 1.0));
  deg->add_option("--seed", d->seed, "random seed");
  deg->add_option("--width", d->width, "image width for false positives, px");
  deg->add_option("--height", d->height, "image height, px");
  on_selected(deg, [d] { return run_degrade(*d); });
}

}  // namespace pitchtrack::cli
