#include "synth/stadium.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

namespace pitchtrack::synth {
namespace {

constexpr double kGrassPpm = 16.0;
constexpr double kBoardPpm = 48.0;
constexpr double kCrowdPpm = 14.0;
constexpr double kBoardHeight = 0.9;
constexpr double kStandSlope = 0.5235987755982988;  // 30 degrees
constexpr double kStandLength = 45.0;               // m along the slope
constexpr double kStandGap = 2.5;                   // m between the boards and the stand

cv::Vec3b bgr_scaled(const Bgr& c, double k) {
  return cv::Vec3b(cv::saturate_cast<uint8_t>(c[0] * k), cv::saturate_cast<uint8_t>(c[1] * k),
                   cv::saturate_cast<uint8_t>(c[2] * k));
}

cv::Mat grass_texture(const Stadium::Config& c, Rng& rng) {
  const double hl = 0.5 * c.length_m, hw = 0.5 * c.width_m;
  const double x0 = -hl - c.surround_end_m, y0 = -hw - c.surround_side_m;
  const int tw = static_cast<int>(std::lround((c.length_m + 2 * c.surround_end_m) * kGrassPpm));
  const int th = static_cast<int>(std::lround((c.width_m + c.surround_side_m + c.near_side_m) * kGrassPpm));
  // Low-frequency patches: a coarse random field, smoothly upsampled.
  cv::Mat coarse(14, 20, CV_32F);
  for (int y = 0; y < coarse.rows; ++y) {
    for (int x = 0; x < coarse.cols; ++x) coarse.at<float>(y, x) = static_cast<float>(rng.normal(0.0, 1.0));
  }
  cv::Mat patches;
  cv::resize(coarse, patches, cv::Size(tw, th), 0, 0, cv::INTER_CUBIC);
  const double stripe = c.length_m / 20.0;
  const Bgr base{50, 126, 62};
  const Bgr sand{82, 128, 138};
  const Bgr track{62, 70, 66};
  cv::Mat tex(th, tw, CV_8UC3);
  for (int j = 0; j < th; ++j) {
    const double y = y0 + (j + 0.5) / kGrassPpm;
    auto* row = tex.ptr<cv::Vec3b>(j);
    const float* prow = patches.ptr<float>(j);
    for (int i = 0; i < tw; ++i) {
      const double x = x0 + (i + 0.5) / kGrassPpm;
      // Mown stripes across the length with soft edges.
      const double s = std::tanh(8.0 * std::sin(3.141592653589793 * (x + hl) / stripe)) / std::tanh(8.0);
      double k = 1.0 + 0.065 * s + 0.03 * prow[i] + rng.normal(0.0, 0.012);
      double w = 0.0;  // wear towards sand in the goal mouths
      for (double gx : {-hl + 3.0, hl - 3.0}) {
        const double e = ((x - gx) / 5.0) * ((x - gx) / 5.0) + (y / 8.5) * (y / 8.5);
        w = std::max(w, std::exp(-2.0 * e));
      }
      w *= 0.35 * std::clamp(0.6 + 0.6 * prow[i], 0.0, 1.0);
      cv::Vec3b px;
      for (int ch = 0; ch < 3; ++ch)
        px[ch] = cv::saturate_cast<uint8_t>(((1 - w) * base[ch] + w * sand[ch]) * k);
      if (y > hw + c.surround_side_m + 0.5) px = bgr_scaled(track, 1.0 + rng.normal(0.0, 0.03));
      row[i] = px;
    }
  }
  return tex;
}

struct Brand {
  const char* text;
  Bgr bg, fg;
};
const std::array<Brand, 10> kBrands = {{
    {"PITCHTRACK", {150, 60, 10}, {255, 255, 255}},
    {"GOALNET", {30, 30, 200}, {255, 255, 255}},
    {"OPENFIELD", {250, 250, 250}, {130, 40, 10}},
    {"KICKBANK", {20, 190, 250}, {30, 30, 30}},
    {"ARENA ONE", {30, 30, 30}, {60, 200, 250}},
    {"SYNTH AIR", {200, 120, 20}, {255, 255, 255}},
    {"VOLTA", {40, 160, 40}, {255, 255, 255}},
    {"NORTHLINE", {90, 20, 120}, {255, 255, 255}},
    {"MATCHDAY", {255, 255, 255}, {30, 30, 210}},
    {"FASTLANE", {10, 100, 230}, {255, 255, 255}},
}};

cv::Mat board_texture(double length_m, Rng& rng) {
  const int tw = static_cast<int>(std::lround(length_m * kBoardPpm));
  const int th = static_cast<int>(std::lround(kBoardHeight * kBoardPpm));
  cv::Mat tex(th, tw, CV_8UC3, cv::Scalar(30, 30, 30));
  int x = 0;
  while (x < tw) {
    const int w = static_cast<int>(rng.uniform(5.0, 9.0) * kBoardPpm);
    const Brand& b = kBrands[rng.uniform_int(0, kBrands.size() - 1)];
    const cv::Rect r(x, 0, std::min(w, tw - x), th);
    tex(r).setTo(cv::Scalar(b.bg[0], b.bg[1], b.bg[2]));
    const int font = cv::FONT_HERSHEY_DUPLEX;
    double scale = 1.15;
    int base = 0;
    cv::Size ts = cv::getTextSize(b.text, font, scale, 2, &base);
    if (ts.width > r.width - 20) {
      scale *= (r.width - 20.0) / ts.width;
      ts = cv::getTextSize(b.text, font, scale, 2, &base);
    }
    cv::putText(tex, b.text, cv::Point(x + (r.width - ts.width) / 2, (th + ts.height) / 2), font, scale,
                cv::Scalar(b.fg[0], b.fg[1], b.fg[2]), 2, cv::LINE_AA);
    x += w;
  }
  tex.row(0).setTo(cv::Scalar(200, 200, 200));
  tex.row(th - 1).setTo(cv::Scalar(20, 20, 20));
  return tex;
}

cv::Mat crowd_texture(double length_m, double height_m, const Kit& home, const Kit& away, Rng& rng) {
  const int tw = static_cast<int>(std::lround(length_m * kCrowdPpm));
  const int th = static_cast<int>(std::lround(height_m * kCrowdPpm));
  cv::Mat tex(th, tw, CV_8UC3, cv::Scalar(52, 44, 40));
  const double row_pitch = 0.8 * kCrowdPpm, seat_pitch = 0.55 * kCrowdPpm;
  const int wall = static_cast<int>(1.3 * kCrowdPpm);
  const int concourse = static_cast<int>(0.45 * th);
  for (double y = 6.0; y < th - wall; y += row_pitch) {
    if (std::abs(y - concourse) < 1.2 * kCrowdPpm) continue;
    cv::line(tex, cv::Point(0, static_cast<int>(y + 5)), cv::Point(tw, static_cast<int>(y + 5)),
             cv::Scalar(38, 32, 30), 1);
    for (double x = rng.uniform(0.0, seat_pitch); x < tw; x += seat_pitch) {
      if (!rng.chance(0.86)) continue;
      const double r = rng.uniform();
      cv::Scalar shirt;
      if (r < 0.35)
        shirt = cv::Scalar(home.shirt[0], home.shirt[1], home.shirt[2]);
      else if (r < 0.5)
        shirt = cv::Scalar(away.shirt[0], away.shirt[1], away.shirt[2]);
      else if (r < 0.85)
        shirt = cv::Scalar(rng.uniform(20, 90), rng.uniform(20, 80), rng.uniform(20, 80));
      else
        shirt = cv::Scalar(rng.uniform(120, 250), rng.uniform(120, 250), rng.uniform(120, 250));
      const int px = static_cast<int>(x + rng.uniform(-1.0, 1.0));
      const int py = static_cast<int>(y + rng.uniform(-1.0, 1.0));
      cv::ellipse(tex, cv::Point(px, py + 3), cv::Size(3, 4), 0, 0, 360, shirt * 0.8, cv::FILLED);
      const double k = rng.uniform(0.5, 1.0);
      cv::circle(tex, cv::Point(px, py - 2), 2, cv::Scalar(90 * k, 120 * k, 160 * k), cv::FILLED);
    }
  }
  // Aisles (stairs) and the concourse.
  for (double x = rng.uniform(5.0, 15.0) * kCrowdPpm; x < tw; x += 20.0 * kCrowdPpm) {
    const cv::Rect aisle(static_cast<int>(x), 0, static_cast<int>(1.2 * kCrowdPpm), th - wall);
    tex(aisle & cv::Rect(0, 0, tw, th)).setTo(cv::Scalar(80, 80, 82));
    for (int y = 0; y < th - wall; y += static_cast<int>(row_pitch / 2)) {
      cv::line(tex, cv::Point(aisle.x, y), cv::Point(aisle.x + aisle.width, y), cv::Scalar(55, 55, 58), 1);
    }
  }
  tex(cv::Rect(0, concourse - static_cast<int>(0.8 * kCrowdPpm), tw, static_cast<int>(1.6 * kCrowdPpm)))
      .setTo(cv::Scalar(30, 30, 32));
  tex(cv::Rect(0, th - wall, tw, wall)).setTo(cv::Scalar(75, 45, 25));
  cv::GaussianBlur(tex, tex, cv::Size(5, 5), 1.3);  // far away and out of focus
  tex.convertTo(tex, -1, 0.85);
  return tex;
}

std::vector<cv::Mat> pyramid(cv::Mat level0, int levels) {
  std::vector<cv::Mat> out{level0};
  for (int i = 1; i < levels; ++i) {
    cv::Mat half;
    cv::resize(out.back(), half, cv::Size(out.back().cols / 2, out.back().rows / 2), 0, 0, cv::INTER_AREA);
    out.push_back(half);
  }
  return out;
}

// Sutherland-Hodgman: keeps the part of a polygon (texture coordinates) where depth >= near.
std::vector<Eigen::Vector2d> clip_near(const std::vector<Eigen::Vector2d>& poly, double d0, double ds,
                                       double dt, double near) {
  std::vector<Eigen::Vector2d> out;
  const size_t n = poly.size();
  for (size_t i = 0; i < n; ++i) {
    const Eigen::Vector2d& a = poly[i];
    const Eigen::Vector2d& b = poly[(i + 1) % n];
    const double da = d0 + ds * a.x() + dt * a.y() - near;
    const double db = d0 + ds * b.x() + dt * b.y() - near;
    if (da >= 0) out.push_back(a);
    if ((da >= 0) != (db >= 0)) out.push_back(a + (b - a) * (da / (da - db)));
  }
  return out;
}

}  // namespace

void SpanCoverage::reset(int rows, int /*cols*/) {
  rows_.resize(static_cast<size_t>(rows));
  for (auto& r : rows_) r.clear();
}

void SpanCoverage::add(int j, int i0, int i1) {
  auto& r = rows_[static_cast<size_t>(j)];
  // Insert and merge (rows hold a handful of spans).
  std::pair<int, int> span(i0, i1);
  std::vector<std::pair<int, int>> merged;
  merged.reserve(r.size() + 1);
  bool placed = false;
  for (const auto& q : r) {
    if (q.second < span.first) {
      merged.push_back(q);
    } else if (q.first > span.second) {
      if (!placed) merged.push_back(span), placed = true;
      merged.push_back(q);
    } else {
      span = {std::min(span.first, q.first), std::max(span.second, q.second)};
    }
  }
  if (!placed) merged.push_back(span);
  r.swap(merged);
}

void draw_plane(cv::Mat& frame, const Camera& cam, const TexturedPlane& plane, SpanCoverage* coverage) {
  const Mat3& r = cam.rotation();
  const Vec3 o = plane.origin - cam.position();
  const cv::Mat& tex0 = plane.levels[0];
  // Depth is affine in texture coordinates: d = d0 + s * ds + t * dt.
  const double d0 = r.row(2).dot(o), ds = r.row(2).dot(plane.axis_u), dt = r.row(2).dot(plane.axis_v);
  const double near = 0.5;
  std::vector<Eigen::Vector2d> quad = {
      {0.0, 0.0}, {double(tex0.cols), 0.0}, {double(tex0.cols), double(tex0.rows)}, {0.0, double(tex0.rows)}};
  quad = clip_near(quad, d0, ds, dt, near);
  if (quad.size() < 3) return;
  // Texture (level 0) -> image homography: K * R * [axis_u axis_v origin-C].
  Mat3 k;
  k << cam.focal_px(), 0, 0.5 * cam.width(), 0, cam.focal_px(), 0.5 * cam.height(), 0, 0, 1;
  Mat3 m;
  m.col(0) = r * plane.axis_u;
  m.col(1) = r * plane.axis_v;
  m.col(2) = r * o;
  const Mat3 h = k * m;
  std::vector<Eigen::Vector2d> img;
  double cx = 0, cy = 0;
  for (const auto& q : quad) {
    const Vec3 p = h * Vec3(q.x(), q.y(), 1.0);
    img.emplace_back(p.x() / p.z(), p.y() / p.z());
    cx += q.x() / quad.size();
    cy += q.y() / quad.size();
  }
  double vmin = 1e18, vmax = -1e18, umin = 1e18, umax = -1e18;
  for (const auto& p : img) {
    vmin = std::min(vmin, p.y()), vmax = std::max(vmax, p.y());
    umin = std::min(umin, p.x()), umax = std::max(umax, p.x());
  }
  if (vmax < 0 || vmin > frame.rows || umax < 0 || umin > frame.cols) return;
  // Mip level: about one texel per pixel where the plane's middle is seen.
  const double centre_depth = std::max(near, d0 + ds * cx + dt * cy);
  const double px_per_texel = cam.focal_px() * plane.axis_u.norm() / centre_depth;
  int level = 0;
  while (level + 1 < static_cast<int>(plane.levels.size()) && px_per_texel * (1 << level) < 0.75) ++level;
  const cv::Mat& tex = plane.levels[level];
  Mat3 to_level = Mat3::Identity();
  to_level(0, 0) = tex.cols / double(tex0.cols);
  to_level(1, 1) = tex.rows / double(tex0.rows);
  const Mat3 inv = to_level * h.inverse();  // image -> level texture coordinates
  const double smax = tex.cols - 1.001, tmax = tex.rows - 1.001;
  const size_t tstep = tex.step;
  const bool bilinear = plane.bilinear;
  const int n = static_cast<int>(img.size());
  const int j0 = std::max(0, static_cast<int>(std::floor(vmin))),
            j1 = std::min(frame.rows - 1, int(std::ceil(vmax)));

  // Texture coordinates (16.16 fixed point, texel centres at integers) of pixel centre (x, y).
  auto st = [&](double x, double y, int32_t* s, int32_t* t) {
    const double w = 1.0 / (inv(2, 0) * x + inv(2, 1) * y + inv(2, 2));
    const double sv = std::clamp((inv(0, 0) * x + inv(0, 1) * y + inv(0, 2)) * w - 0.5, 0.0, smax);
    const double tv = std::clamp((inv(1, 0) * x + inv(1, 1) * y + inv(1, 2)) * w - 0.5, 0.0, tmax);
    *s = static_cast<int32_t>(sv * 65536.0);
    *t = static_cast<int32_t>(tv * 65536.0);
  };
  // Fills [i0, i1) of row j: exact perspective every kSeg pixels, linear in between.
  constexpr int kSeg = 16;
  auto fill = [&](int j, int i0, int i1) {
    // Locals: the byte stores below may alias anything reached through a reference.
    const uint8_t* const base = tex.data;
    const size_t step = tstep;
    const double yc = j + 0.5;
    uint8_t* out = frame.ptr<uint8_t>(j) + 3 * i0;
    int32_t s0, t0;
    st(i0 + 0.5, yc, &s0, &t0);
    for (int a = i0; a < i1; a += kSeg) {
      const int b = std::min(i1, a + kSeg);
      int32_t s1, t1;
      st(b + 0.5, yc, &s1, &t1);
      const int len = b - a;
      const int32_t dsx = (s1 - s0) / len, dtx = (t1 - t0) / len;
      int32_t s = s0, t = t0;
      if (bilinear) {
        for (int i = 0; i < len; ++i, out += 3, s += dsx, t += dtx) {
          const int si = s >> 16, ti = t >> 16, fs = (s >> 8) & 255, ft = (t >> 8) & 255;
          const uint8_t* p0 = base + static_cast<size_t>(ti) * step + 3 * si;
          const uint8_t* p1 = p0 + step;
          for (int c = 0; c < 3; ++c) {
            const int top = p0[c] * (256 - fs) + p0[c + 3] * fs;
            const int bot = p1[c] * (256 - fs) + p1[c + 3] * fs;
            out[c] = static_cast<uint8_t>((top * (256 - ft) + bot * ft + 32768) >> 16);
          }
        }
      } else {
        for (int i = 0; i < len; ++i, out += 3, s += dsx, t += dtx) {
          const uint8_t* p = base + static_cast<size_t>((t + 32768) >> 16) * step + 3 * ((s + 32768) >> 16);
          out[0] = p[0];
          out[1] = p[1];
          out[2] = p[2];
        }
      }
      s0 = s1;
      t0 = t1;
    }
  };
  for (int j = j0; j <= j1; ++j) {
    const double yc = j + 0.5;
    double xl = 1e18, xr = -1e18;
    for (int e = 0; e < n; ++e) {
      const auto& a = img[e];
      const auto& b = img[(e + 1) % n];
      if ((a.y() <= yc && b.y() > yc) || (b.y() <= yc && a.y() > yc)) {
        const double x = a.x() + (yc - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
        xl = std::min(xl, x);
        xr = std::max(xr, x);
      }
    }
    if (xl > xr) continue;
    const int i0 = std::max(0, static_cast<int>(std::ceil(xl - 0.5)));
    const int i1 = std::min(frame.cols, static_cast<int>(std::ceil(xr - 0.5)));
    if (i0 >= i1) continue;
    if (coverage == nullptr) {
      fill(j, i0, i1);
      continue;
    }
    coverage->for_each_gap(j, i0, i1, [&](int a, int b) { fill(j, a, b); });
    coverage->add(j, i0, i1);
  }
}

Stadium::Stadium(const Config& config, const Kit& home, const Kit& away, Rng rng) : config_(config) {
  const double hl = 0.5 * config.length_m, hw = 0.5 * config.width_m;
  background_ = cv::Scalar(44, 40, 38);
  // Grass.
  ground_.levels = {grass_texture(config, rng)};
  ground_.origin = Vec3(-hl - config.surround_end_m, -hw - config.surround_side_m, 0.0);
  ground_.axis_u = Vec3(1.0 / kGrassPpm, 0, 0);
  ground_.axis_v = Vec3(0, 1.0 / kGrassPpm, 0);
  // Boards: far side (text along +x), left end (text along -y), right end (text along +y).
  const double bx = hl + config.surround_end_m, by = -hw - config.surround_side_m;
  const double y_near = hw + config.near_side_m;
  const double u = 1.0 / kBoardPpm;
  TexturedPlane far_board{pyramid(board_texture(2 * bx, rng), 2), Vec3(-bx, by, kBoardHeight), Vec3(u, 0, 0),
                          Vec3(0, 0, -u), true};
  TexturedPlane left_board{pyramid(board_texture(y_near - by, rng), 2), Vec3(-bx, y_near, kBoardHeight),
                           Vec3(0, -u, 0), Vec3(0, 0, -u), true};
  TexturedPlane right_board{pyramid(board_texture(y_near - by, rng), 2), Vec3(bx, by, kBoardHeight),
                            Vec3(0, u, 0), Vec3(0, 0, -u), true};
  boards_ = {left_board, right_board, far_board};
  // Stands, raked at 30 degrees, starting a little behind the boards.
  const double cu = 1.0 / kCrowdPpm;
  const double run = kStandLength * std::cos(kStandSlope), rise = kStandLength * std::sin(kStandSlope);
  const double sy = by - kStandGap, sx = bx + kStandGap;
  const double y_top = sy - run, x_far = sx + run;
  TexturedPlane far_stand{pyramid(crowd_texture(2 * x_far, kStandLength, home, away, rng), 2),
                          Vec3(-x_far, y_top, rise), Vec3(cu, 0, 0),
                          Vec3(0, cu * std::cos(kStandSlope), -cu * std::sin(kStandSlope)), true};
  const double y_stand_near = hw + 10.0;  // the end stands stop short of the main camera
  const double end_len = y_stand_near - y_top;
  TexturedPlane left_stand{pyramid(crowd_texture(end_len, kStandLength, home, away, rng), 2),
                           Vec3(-x_far, y_stand_near, rise), Vec3(0, -cu, 0),
                           Vec3(cu * std::cos(kStandSlope), 0, -cu * std::sin(kStandSlope)), true};
  TexturedPlane right_stand{pyramid(crowd_texture(end_len, kStandLength, home, away, rng), 2),
                            Vec3(x_far, y_top, rise), Vec3(0, cu, 0),
                            Vec3(-cu * std::cos(kStandSlope), 0, -cu * std::sin(kStandSlope)), true};
  stands_ = {left_stand, right_stand, far_stand};
}

void Stadium::draw(cv::Mat& frame, const Camera& cam) {
  // Near to far, each pixel written once: grass, boards, stands, then the background in the gaps.
  coverage_.reset(frame.rows, frame.cols);
  draw_plane(frame, cam, ground_, &coverage_);
  for (const auto& p : boards_) draw_plane(frame, cam, p, &coverage_);
  for (const auto& p : stands_) draw_plane(frame, cam, p, &coverage_);
  const cv::Vec3b bg(static_cast<uint8_t>(background_[0]), static_cast<uint8_t>(background_[1]),
                     static_cast<uint8_t>(background_[2]));
  for (int j = 0; j < frame.rows; ++j) {
    auto* row = frame.ptr<cv::Vec3b>(j);
    coverage_.for_each_gap(j, 0, frame.cols, [&](int a, int b) { std::fill(row + a, row + b, bg); });
  }
}

}  // namespace pitchtrack::synth
