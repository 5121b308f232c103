#include "synth/renderer.hpp"

#include "synth/effects.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace pitchtrack::synth {
namespace {

constexpr int kShift = 4;
constexpr double kOne = 1 << kShift;
constexpr int kNoiseMargin = 32;
constexpr uint8_t kBallId = 255;
constexpr uint8_t kOverlayId = 254;

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

cv::Point fixed(double u, double v) {
  return cv::Point(static_cast<int>(std::lround((u - 0.5) * kOne)),
                   static_cast<int>(std::lround((v - 0.5) * kOne)));
}

// Keeps the part of a ground polygon in front of the camera (depth >= near).
Contour clip_ground(const Contour& poly, const Camera& cam, double near) {
  Contour out;
  const size_t n = poly.size();
  auto depth = [&](const Vec2& p) { return cam.depth(Vec3(p.x(), p.y(), 0.0)) - near; };
  for (size_t i = 0; i < n; ++i) {
    const Vec2& a = poly[i];
    const Vec2& b = poly[(i + 1) % n];
    const double da = depth(a), db = depth(b);
    if (da >= 0) out.push_back(a);
    if ((da >= 0) != (db >= 0)) out.push_back(a + (b - a) * (da / (da - db)));
  }
  return out;
}

// A 3-D segment of a given physical width (metres), clipped to the front of the camera.
void line_3d(cv::Mat& frame, const Camera& cam, Vec3 a, Vec3 b, const cv::Scalar& colour, double width_m) {
  const double near = 0.5;
  double da = cam.depth(a) - near, db = cam.depth(b) - near;
  if (da < 0 && db < 0) return;
  if (da < 0) a = a + (b - a) * (da / (da - db));
  if (db < 0) b = b + (a - b) * (db / (db - da));
  const auto pa = cam.project(a, near * 0.99), pb = cam.project(b, near * 0.99);
  if (!pa || !pb) return;
  const double d = 0.5 * (cam.depth(a) + cam.depth(b));
  const int thick = std::max(1, static_cast<int>(std::lround(width_m * cam.px_per_m(d))));
  cv::line(frame, fixed(pa->x(), pa->y()), fixed(pb->x(), pb->y()), colour, thick, cv::LINE_AA, kShift);
}

}  // namespace

Renderer::Renderer(const Config& config, const PitchLines& lines, const MatchSim& sim, Rng rng)
    : config_(config),
      lines_(lines),
      stadium_(Stadium::Config{.length_m = lines.length_m, .width_m = lines.width_m}, sim.kit(0), sim.kit(1),
               rng.fork()),
      rng_(std::move(rng)) {
  for (const auto& m : lines_.markings) line_polygons_.push_back(lines_.polygons(m));
  for (int t = 0; t < 2; ++t) {
    std::string name = sim.kit(t).name;
    name = name.substr(0, 3);
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    team_names_[t] = name;
    team_colours_[t] = sim.kit(t).shirt;
  }
  // Sensor noise: a signed Gaussian field (mostly luminance), added at a random offset per frame.
  Rng noise_rng = rng_.fork();
  const int nw = config_.width + kNoiseMargin, nh = config_.height + kNoiseMargin;
  noise_.create(nh, nw, CV_8SC3);
  for (int y = 0; y < nh; ++y) {
    int8_t* p = noise_.ptr<int8_t>(y);
    for (int x = 0; x < nw; ++x) {
      const double luma = noise_rng.normal(0.0, config_.noise_sigma);
      for (int c = 0; c < 3; ++c) {
        const long v = std::lround(luma + noise_rng.normal(0.0, 0.35 * config_.noise_sigma));
        p[3 * x + c] = static_cast<int8_t>(std::clamp(v, -127L, 127L));
      }
    }
  }
  ids_.create(config_.height, config_.width, CV_8U);
}

void Renderer::draw_lines(cv::Mat& frame, const Camera& cam) const {
  const cv::Scalar colour(226, 232, 228);
  const cv::Rect image(0, 0, frame.cols, frame.rows);
  for (const auto& contours : line_polygons_) {
    std::vector<std::vector<cv::Point>> pts;
    double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
    for (const Contour& c : contours) {
      const Contour clipped = clip_ground(c, cam, 0.5);
      if (clipped.size() < 3) continue;
      std::vector<cv::Point> ring;
      ring.reserve(clipped.size());
      for (const Vec2& g : clipped) {
        const auto p = cam.project(Vec3(g.x(), g.y(), 0.0), 0.49);
        if (!p) continue;
        x0 = std::min(x0, p->x()), y0 = std::min(y0, p->y()), x1 = std::max(x1, p->x()),
        y1 = std::max(y1, p->y());
        ring.push_back(fixed(p->x(), p->y()));
      }
      if (ring.size() >= 3) pts.push_back(std::move(ring));
    }
    if (pts.empty() || x1 < 0 || y1 < 0 || x0 > image.width || y0 > image.height) continue;
    cv::fillPoly(frame, pts, colour, cv::LINE_AA, kShift);
  }
}

void Renderer::draw_goals(cv::Mat& frame, const Camera& cam) const {
  const double hl = 0.5 * lines_.length_m, hw = 0.5 * lines_.width_m;
  const double gy = lines_.goal_half_width_m + 0.06, top = lines_.goal_height_m + 0.06;
  const cv::Scalar white(240, 242, 242), net(205, 208, 208), frame_grey(150, 150, 150);
  for (int s : {-1, 1}) {
    const double gx = s * (hl + 0.06);
    const double back_top_x = s * (hl + 1.2), back_x = s * (hl + lines_.goal_depth_m);
    const double back_top_z = 2.2;
    // Skip goals out of view.
    bool visible = false;
    for (double y : {-gy, gy}) {
      for (const Vec3& p : {Vec3(gx, y, 0), Vec3(gx, y, top), Vec3(back_x, y, 0)}) {
        const auto q = cam.project(p, 0.5);
        if (q && q->x() > -200 && q->x() < frame.cols + 200 && q->y() > -200 && q->y() < frame.rows + 200) {
          visible = true;
        }
      }
    }
    if (!visible) continue;
    // Net: back panel, roof, sides (thin), then the frame.
    for (double y = -gy; y <= gy + 1e-9; y += 2 * gy / 20) {
      line_3d(frame, cam, Vec3(back_top_x, y, back_top_z), Vec3(back_x, y, 0), net, 0.015);
      line_3d(frame, cam, Vec3(gx, y, top), Vec3(back_top_x, y, back_top_z), net, 0.015);
    }
    for (int k = 1; k < 7; ++k) {
      const double f = k / 7.0;
      const Vec3 a(back_top_x + (back_x - back_top_x) * f, -gy, back_top_z * (1 - f));
      const Vec3 b(a.x(), gy, a.z());
      line_3d(frame, cam, a, b, net, 0.015);
    }
    for (int k = 1; k < 3; ++k) {
      const double f = k / 3.0;
      const Vec3 a(gx + (back_top_x - gx) * f, -gy, top + (back_top_z - top) * f);
      line_3d(frame, cam, a, Vec3(a.x(), gy, a.z()), net, 0.015);
    }
    for (double y : {-gy, gy}) {
      for (int k = 0; k < 7; ++k) {
        const double z = top * k / 7.0;
        const double f = 1.0 - z / back_top_z;
        const double bx = back_top_x + (back_x - back_top_x) * std::clamp(f, 0.0, 1.0);
        line_3d(frame, cam, Vec3(gx, y, z), Vec3(bx, y, std::min(z, back_top_z)), net, 0.015);
      }
      line_3d(frame, cam, Vec3(back_top_x, y, back_top_z), Vec3(back_x, y, 0), frame_grey, 0.04);
      line_3d(frame, cam, Vec3(gx, y, 0), Vec3(back_x, y, 0), frame_grey, 0.04);
    }
    line_3d(frame, cam, Vec3(back_top_x, -gy, back_top_z), Vec3(back_top_x, gy, back_top_z), frame_grey,
            0.04);
    // Posts and crossbar.
    line_3d(frame, cam, Vec3(gx, -gy, 0), Vec3(gx, -gy, top), white, 0.12);
    line_3d(frame, cam, Vec3(gx, gy, 0), Vec3(gx, gy, top), white, 0.12);
    line_3d(frame, cam, Vec3(gx, -gy, top), Vec3(gx, gy, top), white, 0.12);
  }
  // Corner flags.
  for (int sx : {-1, 1}) {
    for (int sy : {-1, 1}) {
      const Vec3 base(sx * hl, sy * hw, 0.0), tip(sx * hl, sy * hw, 1.5);
      const auto q = cam.project(base, 0.5);
      if (!q || q->x() < -100 || q->x() > frame.cols + 100 || q->y() < -300 || q->y() > frame.rows + 100)
        continue;
      line_3d(frame, cam, base, tip, cv::Scalar(40, 215, 245), 0.04);
      const auto a = cam.project(tip, 0.5), b = cam.project(Vec3(sx * hl, sy * hw, 1.15), 0.5),
                 c = cam.project(Vec3(sx * (hl - 0.1), sy * (hw + 0.35), 1.33), 0.5);
      if (a && b && c) {
        std::vector<cv::Point> tri = {fixed(a->x(), a->y()), fixed(b->x(), b->y()), fixed(c->x(), c->y())};
        cv::fillConvexPoly(frame, tri, cv::Scalar(40, 40, 220), cv::LINE_AA, kShift);
      }
    }
  }
}

cv::Rect Renderer::overlay_rect() const {
  const double k = config_.height / 1080.0;
  return cv::Rect(static_cast<int>(0.025 * config_.width), static_cast<int>(0.035 * config_.height),
                  static_cast<int>(470 * k), static_cast<int>(50 * k));
}

void Renderer::draw_overlay(cv::Mat& frame, double t) const {
  const cv::Rect r = overlay_rect() & cv::Rect(0, 0, frame.cols, frame.rows);
  if (r.width < 8 || r.height < 4) return;
  const double k = config_.height / 1080.0;
  frame(r).setTo(cv::Scalar(32, 24, 20));
  const int clock_w = static_cast<int>(110 * k);
  frame(cv::Rect(r.x, r.y, std::min(clock_w, r.width), r.height)).setTo(cv::Scalar(70, 60, 55));
  const int secs = config_.clock_start_s + static_cast<int>(t);
  char clock[16];
  std::snprintf(clock, sizeof(clock), "%02d:%02d", (secs / 60) % 100, secs % 60);
  const int font = cv::FONT_HERSHEY_DUPLEX;
  const double fs = 0.85 * k;
  const int thick = std::max(1, static_cast<int>(std::lround(1.5 * k)));
  const int baseline_y = r.y + static_cast<int>(r.height * 0.72);
  cv::putText(frame, clock, cv::Point(r.x + static_cast<int>(12 * k), baseline_y), font, fs,
              cv::Scalar(255, 255, 255), thick, cv::LINE_AA);
  int x = r.x + clock_w + static_cast<int>(14 * k);
  const int chip_w = static_cast<int>(10 * k);
  for (int team = 0; team < 2; ++team) {
    if (team == 1) {
      char score[16];
      std::snprintf(score, sizeof(score), "%d - %d", config_.score[0], config_.score[1]);
      cv::putText(frame, score, cv::Point(x, baseline_y), font, fs, cv::Scalar(255, 255, 255), thick,
                  cv::LINE_AA);
      int base = 0;
      x += cv::getTextSize(score, font, fs, thick, &base).width + static_cast<int>(18 * k);
    }
    const Bgr& c = team_colours_[team];
    const cv::Rect chip(x, r.y + static_cast<int>(10 * k), chip_w, r.height - static_cast<int>(20 * k));
    frame(chip & r).setTo(cv::Scalar(c[0], c[1], c[2]));
    x += chip_w + static_cast<int>(8 * k);
    cv::putText(frame, team_names_[team], cv::Point(x, baseline_y), font, fs, cv::Scalar(255, 255, 255),
                thick, cv::LINE_AA);
    int base = 0;
    x += cv::getTextSize(team_names_[team], font, fs, thick, &base).width + static_cast<int>(18 * k);
  }
}

void Renderer::render(const MatchSim& sim, const Camera& cam, const Shot& shot, cv::Mat& frame,
                      FrameTruth* truth) {
  auto t0 = Clock::now();
  stadium_.draw(frame, cam);
  timings_.stadium_ms += ms_since(t0);

  t0 = Clock::now();
  draw_lines(frame, cam);
  draw_goals(frame, cam);
  timings_.lines_ms += ms_since(t0);

  t0 = Clock::now();
  const auto& people = sim.people();
  std::vector<Figure> figures;
  figures.reserve(people.size());
  for (const Person& p : people) figures.emplace_back(p, cam);
  const BallFigure ball(sim.ball(), cam);
  // Draw order: far to near; index people.size() is the ball.
  std::vector<std::pair<double, int>> order;
  for (int i = 0; i < static_cast<int>(figures.size()); ++i) {
    if (figures[i].valid()) order.emplace_back(figures[i].depth(), i);
  }
  if (ball.valid()) order.emplace_back(ball.depth(), static_cast<int>(figures.size()));
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const cv::Rect image(0, 0, frame.cols, frame.rows);
  for (const auto& [d, i] : order) {
    if (i < static_cast<int>(figures.size()))
      figures[i].draw_shadow(frame);
    else
      ball.draw_shadow(frame);
  }
  ids_.setTo(cv::Scalar(0));
  std::vector<double> area(figures.size() + 1, 0.0);
  for (const auto& [d, i] : order) {
    const bool is_ball = i == static_cast<int>(figures.size());
    const BoxPx& b = is_ball ? ball.box() : figures[i].box();
    const cv::Rect r(static_cast<int>(std::floor(b.x1)) - 1, static_cast<int>(std::floor(b.y1)) - 1,
                     static_cast<int>(std::ceil(b.x2) - std::floor(b.x1)) + 3,
                     static_cast<int>(std::ceil(b.y2) - std::floor(b.y1)) + 3);
    const cv::Rect inside = r & image;
    if (inside.empty()) continue;
    if (is_ball)
      ball.draw(frame);
    else
      figures[i].draw(frame);
    // Silhouette in a local canvas: the whole figure, also the part outside the image, unless
    // it is absurdly large (a figure right in front of the lens), then only the visible part.
    const bool whole = static_cast<double>(r.width) * r.height <= 4.0 * frame.cols * frame.rows;
    const cv::Rect canvas_rect = whole ? r : inside;
    cv::Mat canvas(canvas_rect.size(), CV_8U, cv::Scalar(0));
    const uint8_t value = is_ball ? kBallId : static_cast<uint8_t>(i + 1);
    if (is_ball)
      ball.draw_mask(canvas, canvas_rect.tl(), 1);
    else
      figures[i].draw_mask(canvas, canvas_rect.tl(), 1);
    area[i] = cv::countNonZero(canvas);
    ids_(inside).setTo(cv::Scalar(value), canvas(inside - canvas_rect.tl()));
  }
  timings_.figures_ms += ms_since(t0);

  t0 = Clock::now();
  if (config_.motion_blur && std::abs(shot.pan_px_per_frame) >= 3.0) {
    // About a third of the per-frame motion (a 1/75 s shutter), at most 9 px: mild.
    const int length = std::min(9, static_cast<int>(std::abs(shot.pan_px_per_frame) * 0.35));
    if (length >= 2) motion_blur_horizontal(frame, length, blur_row_);
  }
  if (config_.noise_sigma > 0) {
    const int ox = static_cast<int>(rng_.uniform_int(0, kNoiseMargin - 1));
    const int oy = static_cast<int>(rng_.uniform_int(0, kNoiseMargin - 1));
    add_noise(frame, noise_, ox, oy);
  }
  if (config_.overlay) {
    draw_overlay(frame, sim.time_s());
    ids_(overlay_rect() & image).setTo(cv::Scalar(kOverlayId));
  }
  timings_.effects_ms += ms_since(t0);

  t0 = Clock::now();
  if (truth != nullptr) {
    truth->people.assign(figures.size(), ObjectTruth{});
    auto measure = [&](const BoxPx& b, double full_area, uint8_t value, ObjectTruth* out) {
      const BoxPx c{std::clamp(b.x1, 0.0, double(frame.cols)), std::clamp(b.y1, 0.0, double(frame.rows)),
                    std::clamp(b.x2, 0.0, double(frame.cols)), std::clamp(b.y2, 0.0, double(frame.rows))};
      if (c.x2 - c.x1 <= 0.0 || c.y2 - c.y1 <= 0.0) return;
      out->in_image = true;
      out->box = c;
      const cv::Rect r(static_cast<int>(std::floor(b.x1)) - 1, static_cast<int>(std::floor(b.y1)) - 1,
                       static_cast<int>(std::ceil(b.x2) - std::floor(b.x1)) + 3,
                       static_cast<int>(std::ceil(b.y2) - std::floor(b.y1)) + 3);
      const cv::Rect inside = r & image;
      if (inside.empty() || full_area <= 0) return;
      const int kept = cv::countNonZero(ids_(inside) == value);
      out->visibility = std::clamp(kept / full_area, 0.0, 1.0);
    };
    for (int i = 0; i < static_cast<int>(figures.size()); ++i) {
      if (figures[i].valid())
        measure(figures[i].box(), area[i], static_cast<uint8_t>(i + 1), &truth->people[i]);
    }
    truth->ball = ObjectTruth{};
    if (ball.valid()) measure(ball.box(), area[figures.size()], kBallId, &truth->ball);
  }
  timings_.truth_ms += ms_since(t0);
  ++timings_.frames;
}

}  // namespace pitchtrack::synth
