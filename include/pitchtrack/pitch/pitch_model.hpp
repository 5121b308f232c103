// PitchModel: the football pitch as data — its size, the FIFA line markings as segments and arcs,
// and the 32 named keypoints the keypoint detector finds.
//
// Frame (DESIGN.md): metres, origin at the centre spot, x along the length (+ towards the
// right-hand goal of the main camera's image), y along the width (+ towards the near touchline,
// i.e. down in the main camera's image). A 105 x 68 pitch spans x in [-52.5, 52.5], y in [-34, 34].
// The markings keep their FIFA sizes whatever the pitch size: penalty area 16.5 x 40.32, goal area
// 5.5 x 18.32, penalty spot 11 from the goal line, centre circle and penalty arc radius 9.15.
//
// Keypoints follow the pitch-keypoints-v1 data set (the vertex order of roboflow/sports
// SoccerPitchConfiguration, whose 120 x 70 template is mapped onto the real lines here):
//   0-5   left goal line: far corner, penalty box, goal box, goal box, penalty box, near corner
//   6-7   left goal box front corners (far, near)          8   left penalty spot
//   9-12  left penalty box front line: far corner, penalty arc (far), penalty arc (near), near corner
//   13-16 halfway line: far touchline, centre circle (far), centre circle (near), near touchline
//   17-20 right penalty box front line (far corner, arc, arc, near corner)   21 right penalty spot
//   22-23 right goal box front corners (far, near)
//   24-29 right goal line (far corner ... near corner)    30-31 centre circle on the x axis (left, right)
// Points 10, 11, 18, 19 are where the penalty arc meets the penalty box line (y = +-7.31 m): the
// labels agree with that to 2.6 px median at 1280x720 (Roboflow's template puts them at +-9.16).
//
// Threading: immutable after create(); share freely.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pitchtrack/core/status.hpp"
#include "pitchtrack/core/track.hpp"

namespace pitchtrack {

struct PitchDimensions {
  double length_m = 105.0;  // goal line to goal line, m (FIFA 90..120)
  double width_m = 68.0;    // touchline to touchline, m (FIFA 45..90)
};

struct PitchSegment {
  PitchPoint a;
  PitchPoint b;
};

// Arc of a circle from start_rad to end_rad (counter-clockwise in the x/y frame above).
struct PitchArc {
  PitchPoint centre;
  double radius_m = 0.0;
  double start_rad = 0.0;
  double end_rad = 0.0;
};

class PitchModel {
 public:
  static constexpr int kNumKeypoints = 32;
  static constexpr double kPenaltyAreaDepthM = 16.5;
  static constexpr double kPenaltyAreaWidthM = 40.32;
  static constexpr double kGoalAreaDepthM = 5.5;
  static constexpr double kGoalAreaWidthM = 18.32;
  static constexpr double kPenaltySpotM = 11.0;
  static constexpr double kCircleRadiusM = 9.15;
  static constexpr double kCornerArcRadiusM = 1.0;

  // Validates the size (length 50..130 m, width 40.32..100 m, length > width); the error names
  // the field (pitch.length_m / pitch.width_m).
  static Result<PitchModel> create(const PitchDimensions& dims = {});

  double length_m() const { return dims_.length_m; }
  double width_m() const { return dims_.width_m; }
  const PitchDimensions& dimensions() const { return dims_; }

  const std::vector<PitchSegment>& segments() const { return segments_; }
  const std::vector<PitchArc>& arcs() const { return arcs_; }
  // The three spots (left penalty, centre, right penalty).
  const std::vector<PitchPoint>& spots() const { return spots_; }
  // Every line and arc sampled about every `step_m` metres (ends included), then the spots.
  std::vector<PitchPoint> sample_lines(double step_m = 1.0) const;

  const std::array<PitchPoint, kNumKeypoints>& keypoints() const { return keypoints_; }
  PitchPoint keypoint(int id) const { return keypoints_.at(static_cast<size_t>(id)); }
  static std::string_view keypoint_name(int id);  // "" when out of range
  static std::optional<int> keypoint_id(std::string_view name);

  // Corners in the order (-x,-y), (+x,-y), (+x,+y), (-x,+y).
  std::array<PitchPoint, 4> corners() const;
  bool contains(PitchPoint p, double margin_m = 0.0) const;

 private:
  explicit PitchModel(const PitchDimensions& dims);

  PitchDimensions dims_;
  std::vector<PitchSegment> segments_;
  std::vector<PitchArc> arcs_;
  std::vector<PitchPoint> spots_;
  std::array<PitchPoint, kNumKeypoints> keypoints_{};
};

}  // namespace pitchtrack
