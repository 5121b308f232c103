// The painted markings of a football pitch as data (FIFA Laws of the Game, law 1), in the
// DESIGN.md pitch frame: metres, origin at the centre spot, x along the length, y along the
// width (+y towards the main camera's side). Length and width are configurable; the areas,
// circle, arcs and goals keep their fixed FIFA sizes. Line width 0.12 m; lines belong to the
// areas they bound, so the outer edge of the touch and goal lines is the pitch boundary.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace pitchtrack::synth {

using Vec2 = Eigen::Vector2d;
using Contour = std::vector<Vec2>;

struct PitchMarking {
  std::string name;          // e.g. "touch_and_goal_lines", "centre_circle"
  std::vector<Vec2> points;  // centre of the painted line, metres
  bool closed = false;       // the polyline closes on itself
  bool spot = false;         // a filled disk: points[0] is the centre, radius = spot_radius_m
};

struct PitchLines {
  double length_m = 105.0;
  double width_m = 68.0;
  double line_width_m = 0.12;
  double spot_radius_m = 0.11;
  double goal_half_width_m = 3.66;  // inner edges of the posts
  double goal_height_m = 2.44;      // underside of the crossbar
  double goal_depth_m = 2.0;        // how far the net reaches behind the goal line
  std::vector<PitchMarking> markings;

  // Thick-line polygons (metres) of one marking: one contour for open lines and spots, two
  // (outer, inner) for closed rings; fill them with the even-odd rule.
  std::vector<Contour> polygons(const PitchMarking& m) const;
};

// Markings for a length x width pitch (length > width > 40.32 + 2 * 1, checked by the caller).
PitchLines make_pitch_lines(double length_m = 105.0, double width_m = 68.0);

}  // namespace pitchtrack::synth
