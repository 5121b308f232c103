#include "pitchtrack/synth/match_synthesizer.hpp"
#include "pitchtrack/io/image.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>
#include <thread>

#include "pitchtrack/core/bounded_queue.hpp"
#include "pitchtrack/io/video_writer.hpp"
#include "synth/director.hpp"
#include "synth/gt_writer.hpp"
#include "synth/match_sim.hpp"
#include "synth/pitch_lines.hpp"
#include "synth/renderer.hpp"

namespace pitchtrack {

using synth::Camera;
using synth::CameraDirector;
using synth::FrameTruth;
using synth::MatchSim;
using synth::Renderer;
using synth::Rng;
using synth::Shot;

namespace {

constexpr double kWarmUpS = 3.0;    // simulated before the first frame (play is already going)
constexpr size_t kEncodeQueue = 4;  // frames between the render and the encoder thread

Status validate(const SynthConfig& c) {
  if (!(c.seconds > 0.0) || !std::isfinite(c.seconds)) return invalid_argument("synth.seconds must be > 0");
  if (c.width < 64 || c.height < 64 || c.width % 2 != 0 || c.height % 2 != 0) {
    return invalid_argument("synth.width/height must be even and >= 64 (got " + std::to_string(c.width) +
                            "x" + std::to_string(c.height) + ")");
  }
  if (c.width > 7680 || c.height > 4320) return invalid_argument("synth.width/height must be <= 7680x4320");
  if (!(c.fps >= 1.0 && c.fps <= 120.0)) return invalid_argument("synth.fps must be in 1..120");
  if (c.previews < 0) return invalid_argument("synth.previews must be >= 0");
  if (!(c.pitch_length_m >= 90.0 && c.pitch_length_m <= 120.0)) {
    return invalid_argument("synth.pitch_length_m must be in 90..120");
  }
  if (!(c.pitch_width_m >= 45.0 && c.pitch_width_m <= 90.0) || c.pitch_width_m >= c.pitch_length_m) {
    return invalid_argument("synth.pitch_width_m must be in 45..90 and less than the length");
  }
  if (!(c.noise_sigma >= 0.0 && c.noise_sigma <= 20.0))
    return invalid_argument("synth.noise_sigma must be in 0..20");
  if (c.crf < 0 || c.crf > 51) return invalid_argument("synth.crf must be in 0..51");
  if (c.encoder_threads < 0) return invalid_argument("synth.encoder_threads must be >= 0");
  if (static_cast<double>(c.seconds) * c.fps > 1e7) return invalid_argument("synth.seconds: too many frames");
  return Status::ok();
}

nlohmann::json bgr(const synth::Bgr& c) { return nlohmann::json::array({c[0], c[1], c[2]}); }

}  // namespace

struct MatchSynthesizer::Impl {
  SynthConfig config;
  int64_t total = 0;
  int64_t next = 0;  // frames rendered so far
  double dt = 0.04;
  int referees = 3;
  synth::PitchLines lines;
  std::optional<MatchSim> sim;
  std::optional<CameraDirector> director;
  std::optional<Renderer> renderer;
  std::unique_ptr<FramePool> pool;
  FrameTruth truth;
  Camera camera;
  Shot shot;

  // Advances to the next frame and renders it.
  Frame render_one() {
    camera = director->update(*sim, dt, &shot);
    MutableFrame m = pool->acquire();
    cv::Mat mat(config.height, config.width, CV_8UC3, m.data(), static_cast<size_t>(m.stride_bytes()));
    renderer->render(*sim, camera, shot, mat, &truth);
    Frame f = std::move(m).freeze();
    f.index = next;
    f.pts_us = static_cast<int64_t>(std::llround(next * 1e6 / config.fps));
    ++next;
    return f;
  }
  void step() { sim->step(dt); }
  nlohmann::json meta(int cuts) const;
};

nlohmann::json MatchSynthesizer::Impl::meta(int cuts) const {
  using nlohmann::json;
  json j;
  j["generator"] = "pitchtrack synth";
  j["seed"] = config.seed;
  j["width"] = config.width;
  j["height"] = config.height;
  j["fps"] = config.fps;
  j["frames"] = total;
  j["seconds"] = static_cast<double>(total) / config.fps;
  j["video"] = {{"file", "match.mp4"}, {"codec", "libx264"}, {"preset", config.preset}, {"crf", config.crf}};
  j["pitch"] = {{"length_m", lines.length_m},
                {"width_m", lines.width_m},
                {"frame",
                 "origin at the centre spot; x along the length towards the right-hand goal at kick-off; "
                 "y along the width, + towards the main camera's side; metres"}};
  json teams = json::array();
  for (int t = 0; t < 2; ++t) {
    const auto& k = sim->kit(t);
    const auto& g = sim->goalkeeper_kit(t);
    teams.push_back({{"team", t},
                     {"kit", k.name},
                     {"shirt_bgr", bgr(k.shirt)},
                     {"shorts_bgr", bgr(k.shorts)},
                     {"socks_bgr", bgr(k.socks)},
                     {"goalkeeper_kit", g.name},
                     {"goalkeeper_shirt_bgr", bgr(g.shirt)},
                     {"attacks", t == 0 ? "+x" : "-x"}});
  }
  j["teams"] = teams;
  j["referees"] = {
      {"count", referees}, {"kit", sim->referee_kit().name}, {"shirt_bgr", bgr(sim->referee_kit().shirt)}};
  json people = json::array();
  for (const auto& p : sim->people()) {
    people.push_back({{"id", p.id},
                      {"role", synth::role_name(p.role)},
                      {"team", p.team},
                      {"number", p.number},
                      {"height_m", std::round(p.height_m * 1000) / 1000}});
  }
  j["people"] = people;
  const auto& c = director->main_position();
  j["camera"] = {
      {"model", "pinhole: square pixels, principal point at the image centre, no roll, no lens distortion"},
      {"pixel_convention",
       "origin at the top-left corner of the top-left pixel; pixel (i,j) covers [i,i+1)x[j,j+1)"},
      {"main_position_m", {c.x(), c.y(), c.z()}},
      {"main_hfov_deg_range", {18.0, 45.0}},
      {"close_up_hfov_deg_range", {13.0, 22.0}},
      {"homography_file", "camera.csv (image pixels -> pitch metres, z = 0, h22 = 1)"}};
  j["cuts"] = {{"enabled", config.cuts}, {"count", cuts}};
  j["overlay"] = config.overlay;
  j["ball"] = {{"radius_m", synth::kBallRadius}, {"visible_fraction", synth::kBallVisibleFraction}};
  return j;
}

MatchSynthesizer::MatchSynthesizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MatchSynthesizer::~MatchSynthesizer() = default;

Result<std::unique_ptr<MatchSynthesizer>> MatchSynthesizer::create(const SynthConfig& config) {
  PT_RETURN_IF_ERROR(validate(config));
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->dt = 1.0 / config.fps;
  impl->total = std::max<int64_t>(1, std::llround(config.seconds * config.fps));
  Rng root(config.seed);
  Rng sim_rng = root.fork(), director_rng = root.fork(), render_rng = root.fork();
  const double r = root.uniform();
  impl->referees = r < 0.15 ? 1 : (r < 0.4 ? 2 : 3);
  impl->lines = synth::make_pitch_lines(config.pitch_length_m, config.pitch_width_m);
  impl->sim.emplace(MatchSim::Config{config.pitch_length_m, config.pitch_width_m, impl->referees},
                    std::move(sim_rng));
  impl->director.emplace(CameraDirector::Config{config.width, config.height, config.cuts}, *impl->sim,
                         std::move(director_rng));
  Renderer::Config rc;
  rc.width = config.width;
  rc.height = config.height;
  rc.overlay = config.overlay;
  rc.noise_sigma = config.noise_sigma;
  rc.motion_blur = config.motion_blur;
  rc.clock_start_s =
      static_cast<int>(root.uniform_int(5, 80)) * 60 + static_cast<int>(root.uniform_int(0, 59));
  rc.score = {static_cast<int>(root.uniform_int(0, 2)), static_cast<int>(root.uniform_int(0, 2))};
  try {
    impl->renderer.emplace(rc, impl->lines, *impl->sim, std::move(render_rng));
  } catch (const cv::Exception& e) {
    return internal_error(std::string("synth: building the stadium failed: ") + e.what());
  }
  // Play is already going when the recording starts; the camera has settled on it.
  Shot unused;
  for (double t = 0; t < kWarmUpS; t += impl->dt) {
    impl->director->update(*impl->sim, impl->dt, &unused);
    impl->sim->step(impl->dt);
  }
  impl->pool = std::make_unique<FramePool>(config.width, config.height, kEncodeQueue + 4);
  return std::unique_ptr<MatchSynthesizer>(new MatchSynthesizer(std::move(impl)));
}

int64_t MatchSynthesizer::total_frames() const { return impl_->total; }
const SynthConfig& MatchSynthesizer::config() const { return impl_->config; }

Result<Frame> MatchSynthesizer::render_next() {
  try {
    Frame f = impl_->render_one();
    impl_->step();
    return f;
  } catch (const cv::Exception& e) {
    return internal_error(std::string("synth: rendering failed: ") + e.what());
  }
}

Result<SynthSummary> MatchSynthesizer::run(const std::function<void(int64_t, int64_t)>& progress) {
  Impl& d = *impl_;
  const SynthConfig& c = d.config;
  if (c.out_dir.empty()) return invalid_argument("synth.out_dir must be set");
  if (d.next != 0)
    return failed_precondition("synth: run() renders a whole match; call it once on a new synthesizer");
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(c.out_dir, ec);
  if (ec || !fs::is_directory(c.out_dir)) {
    return invalid_argument("synth: cannot create output directory '" + c.out_dir + "'" +
                            (ec ? ": " + ec.message() : std::string()));
  }
  SynthSummary summary;
  summary.video_path = (fs::path(c.out_dir) / "match.mp4").string();
  summary.gt_dir = (fs::path(c.out_dir) / "gt").string();
  summary.referees = d.referees;

  VideoWriterConfig vc;
  vc.width = c.width;
  vc.height = c.height;
  vc.fps = c.fps;
  vc.preset = c.preset;
  vc.crf = c.crf;
  vc.threads = c.encoder_threads;
  PT_ASSIGN_OR_RETURN(std::unique_ptr<VideoWriter> writer, VideoWriter::create(summary.video_path, vc));
  synth::GroundTruthWriter gt;
  PT_RETURN_IF_ERROR(gt.open(summary.gt_dir));

  std::vector<int64_t> preview_frames;
  for (int k = 0; k < c.previews; ++k) {
    preview_frames.push_back(static_cast<int64_t>(std::floor((k + 0.5) * d.total / c.previews)));
  }

  const auto t_start = std::chrono::steady_clock::now();
  // Encoding overlaps rendering: a bounded, lossless queue to an encoder thread.
  BoundedQueue<Frame> queue(kEncodeQueue, OverflowPolicy::kBlock);
  Status encode_status;
  std::jthread encoder([&](std::stop_token) {
    while (true) {
      auto f = queue.pop();
      if (!f.is_ok()) break;  // closed and drained
      Status s = writer->write(*f);
      if (!s.is_ok()) {
        encode_status = s;
        queue.close();
        queue.clear();
        return;
      }
    }
    encode_status = writer->close();
  });

  Status status;
  double render_ms = 0, wait_ms = 0;
  size_t next_preview = 0;
  for (int64_t n = 0; n < d.total; ++n) {
    const auto t0 = std::chrono::steady_clock::now();
    Frame frame;
    try {
      frame = d.render_one();
    } catch (const cv::Exception& e) {
      status = internal_error(std::string("synth: rendering failed: ") + e.what());
      break;
    }
    gt.write(n + 1, *d.sim, d.camera, d.shot, d.truth);
    while (next_preview < preview_frames.size() && preview_frames[next_preview] == n) {
      char name[64];
      std::snprintf(name, sizeof(name), "preview_%04lld.png", static_cast<long long>(n + 1));
      const std::string path = (fs::path(c.out_dir) / name).string();
      const Status written = write_png(path, frame);
      if (!written.is_ok()) status = written.with_context("synth: preview");
      ++next_preview;
    }
    if (!status.is_ok()) break;
    d.step();
    const auto t1 = std::chrono::steady_clock::now();
    const PushOutcome pushed = queue.push(std::move(frame));
    const auto t2 = std::chrono::steady_clock::now();
    render_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
    wait_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
    if (pushed != PushOutcome::kPushed) break;  // the encoder failed; its status says why
    ++summary.frames;
    if (progress && (n % 25 == 0 || n + 1 == d.total)) progress(n + 1, d.total);
  }
  queue.close();
  encoder.join();
  Status gt_status = gt.close();
  if (!status.is_ok()) return status;
  if (!encode_status.is_ok()) return encode_status;
  if (!gt_status.is_ok()) return gt_status;

  const std::string meta_path = summary.gt_dir + "/meta.json";
  std::ofstream meta(meta_path, std::ios::trunc);
  meta << d.meta(gt.cuts()).dump(2) << '\n';
  if (!meta) return data_loss("synth: writing '" + meta_path + "' failed");

  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  summary.fps = summary.wall_s > 0 ? summary.frames / summary.wall_s : 0.0;
  summary.render_ms = summary.frames ? render_ms / summary.frames : 0.0;
  summary.queue_wait_ms = summary.frames ? wait_ms / summary.frames : 0.0;
  summary.cuts = gt.cuts();
  return summary;
}

}  // namespace pitchtrack
