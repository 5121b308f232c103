// Stadium: everything static around the players, pre-rendered once as textures on planes and
// drawn per frame by perspective texture mapping.
//
// Planes: the grass (mown stripes, patches, goal-mouth wear, a few metres of surround, a dark
// track on the near side), advertising boards on the far side and behind both goals (vertical,
// 0.9 m) and three raked crowd stands behind them (30 degrees). The painted lines are not in the
// grass texture: they are drawn per frame as exact anti-aliased polygons (sharp at any zoom,
// see Renderer). Texture resolution: grass 12 px/m (it is smooth), boards 48 px/m with a
// half-resolution level for distant views, crowd 14 px/m.
// draw(): each plane is clipped against the camera's near plane, projected, and filled span by
// span with bilinear samples through the inverse homography, so only pixels that see the plane
// in front of the camera are touched (no wrap-around behind the camera) and each pixel costs a
// few ns. Planes are drawn far to near: stands, boards, grass.
#pragma once

#include <algorithm>
#include <opencv2/core.hpp>
#include <utility>
#include <vector>

#include "synth/camera.hpp"
#include "synth/match_sim.hpp"
#include "synth/rng.hpp"

namespace pitchtrack::synth {

struct TexturedPlane {
  std::vector<cv::Mat> levels;  // BGR8; level k has half the resolution of level k-1
  Vec3 origin;                  // world position of the texture's top-left corner, m
  Vec3 axis_u, axis_v;          // world metres per level-0 texel along columns and rows
  bool bilinear = false;        // bilinear sampling (boards, crowd); nearest otherwise (smooth grass)
};

// Which pixels of each row are already drawn, as sorted disjoint [begin, end) spans, so planes
// drawn near to far write every pixel once.
class SpanCoverage {
 public:
  void reset(int rows, int cols);
  // Calls fn(a, b) for every sub-span of [i0, i1) in row j that is not covered yet.
  template <typename F>
  void for_each_gap(int j, int i0, int i1, F&& fn) const {
    int x = i0;
    for (const auto& [a, b] : rows_[static_cast<size_t>(j)]) {
      if (b <= x) continue;
      if (a >= i1) break;
      if (a > x) fn(x, a);
      x = std::max(x, b);
      if (x >= i1) return;
    }
    if (x < i1) fn(x, i1);
  }
  void add(int j, int i0, int i1);

 private:
  std::vector<std::vector<std::pair<int, int>>> rows_;
};

class Stadium {
 public:
  struct Config {
    double length_m = 105.0;
    double width_m = 68.0;
    double surround_end_m = 6.0;   // grass behind the goal lines up to the boards
    double surround_side_m = 5.0;  // grass beyond the far touchline up to the boards
    double near_side_m = 12.0;     // grass + track shown beyond the near touchline
  };
  Stadium(const Config& config, const Kit& home, const Kit& away, Rng rng);

  // Fills `frame` (BGR8, camera size) with grass, boards, stands and background.
  void draw(cv::Mat& frame, const Camera& cam);

  const TexturedPlane& ground() const { return ground_; }
  const cv::Scalar& background() const { return background_; }

 private:
  Config config_;
  TexturedPlane ground_;
  std::vector<TexturedPlane> stands_;
  std::vector<TexturedPlane> boards_;
  cv::Scalar background_;
  SpanCoverage coverage_;
};

// Draws one textured plane into the pixels `coverage` does not mark yet (all when null), and
// marks them (exposed for tests and benchmarks).
void draw_plane(cv::Mat& frame, const Camera& cam, const TexturedPlane& plane,
                SpanCoverage* coverage = nullptr);

}  // namespace pitchtrack::synth
