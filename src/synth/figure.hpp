// Figure: one person drawn as a perspective-scaled billboard of simple shapes (boots, socks,
// legs, shorts, shirt with a shaded side, arms, neck, head with hair, a shirt number when big
// enough), upright in the image and standing on the projection of its foot point.
//
// The pixel height is the projection of the person's height (1.68-1.97 m) at its position; the
// body is left-right symmetric about the foot point's column, so the foot point is exactly the
// bottom centre of the figure's box. Legs open and close with the running phase, more when the
// run is across the image. Built once per frame, drawn twice: in colour with anti-aliasing and
// as a silhouette (no anti-aliasing) into an id mask for the occlusion ground truth.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "synth/camera.hpp"
#include "synth/match_sim.hpp"

namespace pitchtrack::synth {

struct BoxPx {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // image pixels (edge convention), x2 >= x1, y2 >= y1
  double area() const { return std::max(0.0, x2 - x1) * std::max(0.0, y2 - y1); }
};

class Figure {
 public:
  Figure(const Person& person, const Camera& cam);

  bool valid() const { return valid_; }  // foot and head in front of the camera
  double depth() const { return depth_; }
  const BoxPx& box() const { return box_; }  // tight box of the silhouette, unclipped
  // Colour drawing (anti-aliased) into a BGR8 frame.
  void draw(cv::Mat& frame) const;
  // Silhouette with `value` into an 8-bit mask whose pixel (0,0) is image pixel `origin`.
  void draw_mask(cv::Mat& mask, cv::Point origin, uint8_t value) const;
  // Ground shadow (darkens the frame under the sun direction).
  void draw_shadow(cv::Mat& frame) const;

 private:
  struct Part {
    std::vector<cv::Point2d> poly;  // image px; empty for an ellipse
    cv::Point2d centre;
    cv::Size2d axes;
    double a0 = 0, a1 = 360;  // ellipse arc, degrees
    cv::Scalar colour;
    bool silhouette = true;
  };
  void add_poly(std::initializer_list<cv::Point2d> model_pts, const cv::Scalar& colour,
                bool silhouette = true);
  void add_ellipse(cv::Point2d model_c, cv::Size2d model_axes, double a0, double a1, const cv::Scalar& colour,
                   bool silhouette = true);
  cv::Point2d to_image(cv::Point2d model) const;

  bool valid_ = false;
  double depth_ = 0;
  double u_foot_ = 0, v_foot_ = 0, scale_ = 1;  // px per model metre (a 1.8 m model person)
  BoxPx box_;
  std::vector<Part> parts_;
  std::vector<cv::Point2d> shadow_;  // image polygon
  int number_ = 0;
  cv::Scalar number_colour_;
};

// Ball: a shaded white disk of radius kBallRadius at its 3-D position, and its ground shadow.
class BallFigure {
 public:
  BallFigure(const BallView& ball, const Camera& cam);
  bool valid() const { return valid_; }
  double depth() const { return depth_; }
  const BoxPx& box() const { return box_; }
  void draw(cv::Mat& frame) const;
  void draw_mask(cv::Mat& mask, cv::Point origin, uint8_t value) const;
  void draw_shadow(cv::Mat& frame) const;

 private:
  bool valid_ = false;
  double depth_ = 0;
  cv::Point2d centre_;
  double radius_ = 1;
  BoxPx box_;
  std::vector<cv::Point2d> shadow_;
};

// Darkens `frame` inside an image polygon by `strength` (0..1), anti-aliased.
void darken_polygon(cv::Mat& frame, const std::vector<cv::Point2d>& poly, double strength);

}  // namespace pitchtrack::synth
