#include "synth/figure.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

namespace pitchtrack::synth {
namespace {

constexpr int kShift = 4;  // sub-pixel bits for OpenCV drawing
constexpr double kOne = 1 << kShift;
constexpr double kModelHeight = 1.8;
// Shadows fall away from the camera and to the right (sun behind the main stand, to the left).
const Vec2 kSunShadow(0.55, -0.42);

cv::Point fixed(const cv::Point2d& p) {
  // Edge convention -> OpenCV's pixel-centre convention, in 1/16 px.
  return cv::Point(static_cast<int>(std::lround((p.x - 0.5) * kOne)),
                   static_cast<int>(std::lround((p.y - 0.5) * kOne)));
}

cv::Scalar scalar(const Bgr& c, double k = 1.0) {
  return cv::Scalar(std::min(255.0, c[0] * k), std::min(255.0, c[1] * k), std::min(255.0, c[2] * k));
}

std::vector<cv::Point2d> ground_ellipse(const Camera& cam, Vec2 centre, Vec2 axis, double minor) {
  std::vector<cv::Point2d> out;
  const Vec2 a = axis, b = Vec2(-axis.y(), axis.x()).normalized() * minor;
  for (int k = 0; k < 14; ++k) {
    const double t = 2.0 * 3.141592653589793 * k / 14;
    const Vec2 g = centre + a * std::cos(t) + b * std::sin(t);
    auto p = cam.project(Vec3(g.x(), g.y(), 0.0), 0.5);
    if (!p) return {};
    out.emplace_back(p->x(), p->y());
  }
  return out;
}

}  // namespace

void darken_polygon(cv::Mat& frame, const std::vector<cv::Point2d>& poly, double strength) {
  if (poly.size() < 3) return;
  double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
  for (const auto& p : poly) {
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  const cv::Rect roi =
      cv::Rect(int(std::floor(x0)) - 1, int(std::floor(y0)) - 1, int(x1 - x0) + 3, int(y1 - y0) + 3) &
      cv::Rect(0, 0, frame.cols, frame.rows);
  if (roi.empty()) return;
  cv::Mat mask(roi.size(), CV_8U, cv::Scalar(0));
  std::vector<cv::Point> pts;
  for (const auto& p : poly) pts.push_back(fixed(cv::Point2d(p.x - roi.x, p.y - roi.y)));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255), cv::LINE_AA, kShift);
  const int k = static_cast<int>(strength * 256);
  for (int y = 0; y < roi.height; ++y) {
    uint8_t* px = frame.ptr<uint8_t>(roi.y + y) + 3 * roi.x;
    const uint8_t* m = mask.ptr<uint8_t>(y);
    for (int x = 0; x < roi.width; ++x, px += 3) {
      if (m[x] == 0) continue;
      const int keep = 256 - ((k * m[x]) >> 8);
      px[0] = uint8_t((px[0] * keep) >> 8);
      px[1] = uint8_t((px[1] * keep) >> 8);
      px[2] = uint8_t((px[2] * keep) >> 8);
    }
  }
}

cv::Point2d Figure::to_image(cv::Point2d m) const { return {u_foot_ + m.x * scale_, v_foot_ - m.y * scale_}; }

void Figure::add_poly(std::initializer_list<cv::Point2d> model_pts, const cv::Scalar& colour,
                      bool silhouette) {
  Part part;
  for (const auto& m : model_pts) part.poly.push_back(to_image(m));
  part.colour = colour;
  part.silhouette = silhouette;
  parts_.push_back(std::move(part));
}

void Figure::add_ellipse(cv::Point2d c, cv::Size2d axes, double a0, double a1, const cv::Scalar& colour,
                         bool silhouette) {
  Part part;
  part.centre = to_image(c);
  part.axes = cv::Size2d(axes.width * scale_, axes.height * scale_);
  part.a0 = a0;
  part.a1 = a1;
  part.colour = colour;
  part.silhouette = silhouette;
  parts_.push_back(std::move(part));
}

Figure::Figure(const Person& p, const Camera& cam) {
  const Vec3 foot(p.pos.x(), p.pos.y(), 0.0);
  const auto f = cam.project(foot, 0.5);
  const auto h = cam.project(Vec3(p.pos.x(), p.pos.y(), p.height_m), 0.5);
  if (!f || !h || f->y() <= h->y()) return;
  valid_ = true;
  depth_ = cam.depth(foot);
  u_foot_ = f->x();
  v_foot_ = f->y();
  scale_ = (f->y() - h->y()) / kModelHeight;

  // Gait: legs open with the running phase, wider when the run crosses the image.
  const double speed = p.vel.norm();
  const Eigen::Vector2d right(cam.rotation()(0, 0), cam.rotation()(0, 1));
  const double side = speed > 0.1 ? std::abs(p.vel.dot(right)) / speed : 0.0;
  const double effort = std::min(speed / 7.0, 1.0);
  const double d = 0.07 + 0.30 * effort * (0.3 + 0.7 * side) * std::abs(std::sin(p.gait_phase));
  const double hand = 0.25 + 0.12 * effort * std::abs(std::cos(p.gait_phase));
  const bool keeper = p.role == Role::kGoalkeeper;

  const cv::Scalar skin = scalar(p.skin), skin_dark = scalar(p.skin, 0.75);
  const cv::Scalar socks = scalar(p.socks), boots = cv::Scalar(25, 25, 28);
  const cv::Scalar shorts = scalar(p.shorts), shorts_dark = scalar(p.shorts, 0.72);
  const cv::Scalar shirt = scalar(p.shirt), shirt_dark = scalar(p.shirt, 0.70),
                   shirt_light = scalar(p.shirt, 1.12);

  for (int side_sign : {-1, 1}) {
    const double sx = side_sign;
    const double ax = sx * d, kx = sx * (0.55 * d + 0.085), hx = sx * 0.095;
    // Thigh, lower leg, sock, boot.
    add_poly({{hx - 0.08, 0.92}, {hx + 0.08, 0.92}, {kx + 0.062, 0.5}, {kx - 0.062, 0.5}},
             side_sign > 0 ? skin_dark : skin);
    add_poly({{kx - 0.06, 0.5}, {kx + 0.06, 0.5}, {ax + 0.05, 0.07}, {ax - 0.05, 0.07}},
             side_sign > 0 ? skin_dark : skin);
    const double kt = (0.42 - 0.07) / (0.5 - 0.07);
    const double sxk = ax + (kx - ax) * kt;
    add_poly({{sxk - 0.058, 0.42}, {sxk + 0.058, 0.42}, {ax + 0.05, 0.07}, {ax - 0.05, 0.07}}, socks);
    add_poly({{ax - 0.075, 0.0}, {ax + 0.075, 0.0}, {ax + 0.06, 0.085}, {ax - 0.06, 0.085}}, boots);
  }
  // Shorts and shirt, with the right side in shade.
  add_poly({{-0.19, 0.62}, {0.19, 0.62}, {0.18, 0.98}, {-0.18, 0.98}}, shorts);
  add_poly({{0.07, 0.62}, {0.19, 0.62}, {0.18, 0.98}, {0.06, 0.98}}, shorts_dark, false);
  add_poly({{-0.17, 0.95},
            {0.17, 0.95},
            {0.21, 1.40},
            {0.19, 1.49},
            {0.08, 1.52},
            {-0.08, 1.52},
            {-0.19, 1.49},
            {-0.21, 1.40}},
           shirt);
  add_poly({{0.07, 0.95}, {0.17, 0.95}, {0.21, 1.40}, {0.19, 1.49}, {0.08, 1.52}, {0.06, 1.2}}, shirt_dark,
           false);
  add_poly({{-0.16, 1.0}, {-0.1, 1.0}, {-0.12, 1.45}, {-0.19, 1.42}}, shirt_light, false);
  // Arms: sleeve, forearm, hand (gloves for keepers).
  for (int side_sign : {-1, 1}) {
    const double sx = side_sign;
    const double ex = sx * (0.235 + 0.04 * (hand - 0.25) / 0.12), hx = sx * hand;
    add_poly({{sx * 0.16, 1.47}, {sx * 0.24, 1.45}, {ex + sx * 0.05, 1.17}, {ex - sx * 0.04, 1.17}},
             side_sign > 0 ? shirt_dark : shirt);
    add_poly(
        {{ex - sx * 0.04, 1.18}, {ex + sx * 0.045, 1.18}, {hx + sx * 0.035, 0.9}, {hx - sx * 0.035, 0.9}},
        keeper ? (side_sign > 0 ? shirt_dark : shirt) : (side_sign > 0 ? skin_dark : skin));
    add_ellipse({hx, 0.87}, {keeper ? 0.06 : 0.045, keeper ? 0.06 : 0.045}, 0, 360,
                keeper ? cv::Scalar(235, 235, 235) : skin);
  }
  // Neck, head, hair.
  add_poly({{-0.05, 1.48}, {0.05, 1.48}, {0.05, 1.6}, {-0.05, 1.6}}, skin);
  add_ellipse({0.0, 1.685}, {0.1, 0.115}, 0, 360, skin);
  add_ellipse({0.035, 1.68}, {0.065, 0.1}, 0, 360, skin_dark, false);
  add_ellipse({0.0, 1.69}, {0.104, 0.11}, 180, 360, scalar(p.hair));

  // Tight box of the silhouette.
  box_ = {1e18, 1e18, -1e18, -1e18};
  for (const Part& part : parts_) {
    if (!part.silhouette) continue;
    if (part.poly.empty()) {
      box_.x1 = std::min(box_.x1, part.centre.x - part.axes.width);
      box_.x2 = std::max(box_.x2, part.centre.x + part.axes.width);
      box_.y1 = std::min(box_.y1, part.centre.y - part.axes.height);
      box_.y2 = std::max(box_.y2, part.centre.y + (part.a0 >= 180 ? 0.0 : part.axes.height));
    } else {
      for (const auto& q : part.poly) {
        box_.x1 = std::min(box_.x1, q.x), box_.x2 = std::max(box_.x2, q.x);
        box_.y1 = std::min(box_.y1, q.y), box_.y2 = std::max(box_.y2, q.y);
      }
    }
  }
  // Shirt numbers only where they would be legible.
  if (scale_ * kModelHeight >= 110) {
    number_ = p.number;
    const double contrast =
        std::abs((p.shorts[0] + p.shorts[1] + p.shorts[2]) - (p.shirt[0] + p.shirt[1] + p.shirt[2]));
    number_colour_ = contrast > 150
                         ? shorts
                         : ((p.shirt[0] + p.shirt[1] + p.shirt[2]) > 380 ? cv::Scalar(30, 30, 30)
                                                                         : cv::Scalar(245, 245, 245));
  }
  // Shadow on the grass.
  const double len = 0.45 * p.height_m;
  shadow_ = ground_ellipse(cam, p.pos + kSunShadow * len * 0.5, kSunShadow * (len * 0.5 + 0.15), 0.22);
}

void Figure::draw(cv::Mat& frame) const {
  for (const Part& part : parts_) {
    if (part.poly.empty()) {
      cv::ellipse(
          frame, fixed(part.centre),
          cv::Size(int(std::lround(part.axes.width * kOne)), int(std::lround(part.axes.height * kOne))), 0,
          part.a0, part.a1, part.colour, cv::FILLED, cv::LINE_AA, kShift);
    } else {
      std::vector<cv::Point> pts;
      pts.reserve(part.poly.size());
      for (const auto& q : part.poly) pts.push_back(fixed(q));
      cv::fillConvexPoly(frame, pts, part.colour, cv::LINE_AA, kShift);
    }
  }
  if (number_ > 0) {
    const std::string text = std::to_string(number_);
    const double fs = 0.26 * scale_ / 22.0;
    const int thick = std::max(1, static_cast<int>(fs * 2.2));
    int base = 0;
    const cv::Size ts = cv::getTextSize(text, cv::FONT_HERSHEY_DUPLEX, fs, thick, &base);
    const cv::Point2d c = to_image({0.0, 1.24});
    cv::putText(frame, text, cv::Point(int(c.x - ts.width / 2.0), int(c.y + ts.height / 2.0)),
                cv::FONT_HERSHEY_DUPLEX, fs, number_colour_, thick, cv::LINE_AA);
  }
}

void Figure::draw_mask(cv::Mat& mask, cv::Point origin, uint8_t value) const {
  const cv::Point2d o(origin.x, origin.y);
  for (const Part& part : parts_) {
    if (!part.silhouette) continue;
    if (part.poly.empty()) {
      cv::ellipse(
          mask, fixed(part.centre - o),
          cv::Size(int(std::lround(part.axes.width * kOne)), int(std::lround(part.axes.height * kOne))), 0,
          part.a0, part.a1, cv::Scalar(value), cv::FILLED, cv::LINE_8, kShift);
    } else {
      std::vector<cv::Point> pts;
      for (const auto& q : part.poly) pts.push_back(fixed(q - o));
      cv::fillConvexPoly(mask, pts, cv::Scalar(value), cv::LINE_8, kShift);
    }
  }
}

void Figure::draw_shadow(cv::Mat& frame) const { darken_polygon(frame, shadow_, 0.42); }

BallFigure::BallFigure(const BallView& ball, const Camera& cam) {
  const Vec3 c(ball.pos.x(), ball.pos.y(), ball.z_m + kBallRadius);
  const auto p = cam.project(c, 0.5);
  if (!p) return;
  valid_ = true;
  depth_ = cam.depth(c);
  centre_ = cv::Point2d(p->x(), p->y());
  radius_ = std::max(1.2, kBallRadius * cam.px_per_m(depth_));
  box_ = {centre_.x - radius_, centre_.y - radius_, centre_.x + radius_, centre_.y + radius_};
  const double r_shadow = kBallRadius * (1.0 + 0.15 * ball.z_m);
  shadow_ = ground_ellipse(cam, ball.pos + kSunShadow * (0.12 + 0.8 * ball.z_m),
                           kSunShadow.normalized() * r_shadow * 1.3, r_shadow);
}

void BallFigure::draw(cv::Mat& frame) const {
  const cv::Size axes(int(std::lround(radius_ * kOne)), int(std::lround(radius_ * kOne)));
  cv::ellipse(frame, fixed(centre_), axes, 0, 0, 360, cv::Scalar(238, 240, 240), cv::FILLED, cv::LINE_AA,
              kShift);
  if (radius_ >= 3.0) {
    // Shade on the lower right, a couple of panels.
    const cv::Point2d off(0.3 * radius_, 0.3 * radius_);
    const cv::Size small(int(std::lround(0.7 * radius_ * kOne)), int(std::lround(0.7 * radius_ * kOne)));
    cv::ellipse(frame, fixed(centre_ + off), small, 0, -40, 130, cv::Scalar(175, 178, 180), cv::FILLED,
                cv::LINE_AA, kShift);
    const cv::Size dot(int(std::lround(0.28 * radius_ * kOne)), int(std::lround(0.22 * radius_ * kOne)));
    cv::ellipse(frame, fixed(centre_ - 0.35 * off), dot, 20, 0, 360, cv::Scalar(60, 60, 60), cv::FILLED,
                cv::LINE_AA, kShift);
  }
}

void BallFigure::draw_mask(cv::Mat& mask, cv::Point origin, uint8_t value) const {
  const cv::Size axes(int(std::lround(radius_ * kOne)), int(std::lround(radius_ * kOne)));
  cv::ellipse(mask, fixed(centre_ - cv::Point2d(origin.x, origin.y)), axes, 0, 0, 360, cv::Scalar(value),
              cv::FILLED, cv::LINE_8, kShift);
}

void BallFigure::draw_shadow(cv::Mat& frame) const { darken_polygon(frame, shadow_, 0.45); }

}  // namespace pitchtrack::synth
