#include "pitchtrack/pitch/pitch_model.hpp"

#include <cmath>
#include <numbers>

namespace pitchtrack {
namespace {

constexpr std::array<std::string_view, PitchModel::kNumKeypoints> kKeypointNames = {
    "left_far_corner",
    "left_far_penalty_box_goal_line",
    "left_far_goal_box_goal_line",
    "left_near_goal_box_goal_line",
    "left_near_penalty_box_goal_line",
    "left_near_corner",
    "left_far_goal_box_corner",
    "left_near_goal_box_corner",
    "left_penalty_spot",
    "left_far_penalty_box_corner",
    "left_far_penalty_arc_box_line",
    "left_near_penalty_arc_box_line",
    "left_near_penalty_box_corner",
    "halfway_far_touchline",
    "halfway_far_centre_circle",
    "halfway_near_centre_circle",
    "halfway_near_touchline",
    "right_far_penalty_box_corner",
    "right_far_penalty_arc_box_line",
    "right_near_penalty_arc_box_line",
    "right_near_penalty_box_corner",
    "right_penalty_spot",
    "right_far_goal_box_corner",
    "right_near_goal_box_corner",
    "right_far_corner",
    "right_far_penalty_box_goal_line",
    "right_far_goal_box_goal_line",
    "right_near_goal_box_goal_line",
    "right_near_penalty_box_goal_line",
    "right_near_corner",
    "centre_circle_left",
    "centre_circle_right",
};

}  // namespace

Result<PitchModel> PitchModel::create(const PitchDimensions& dims) {
  if (!std::isfinite(dims.length_m) || dims.length_m < 50.0 || dims.length_m > 130.0) {
    return invalid_argument("pitch.length_m must be in [50, 130] m, got " + std::to_string(dims.length_m));
  }
  if (!std::isfinite(dims.width_m) || dims.width_m <= kPenaltyAreaWidthM || dims.width_m > 100.0) {
    return invalid_argument("pitch.width_m must be in (40.32, 100] m (the penalty area must fit), got " +
                            std::to_string(dims.width_m));
  }
  if (dims.width_m >= dims.length_m) {
    return invalid_argument("pitch.width_m (" + std::to_string(dims.width_m) +
                            ") must be less than pitch.length_m (" + std::to_string(dims.length_m) + ")");
  }
  return PitchModel(dims);
}

PitchModel::PitchModel(const PitchDimensions& dims) : dims_(dims) {
  const double hl = dims.length_m / 2, hw = dims.width_m / 2;
  const double pb = kPenaltyAreaDepthM, pbh = kPenaltyAreaWidthM / 2;
  const double gb = kGoalAreaDepthM, gbh = kGoalAreaWidthM / 2;
  const double spot = kPenaltySpotM, r = kCircleRadiusM;
  // Half-angle of the penalty arc outside the box and the y where it meets the box line.
  const double arc_y = std::sqrt(r * r - (pb - spot) * (pb - spot));
  const double arc_half = std::acos((pb - spot) / r);
  const double pi = std::numbers::pi;

  segments_ = {
      {{-hl, -hw}, {hl, -hw}},  // far touchline
      {{-hl, hw}, {hl, hw}},    // near touchline
      {{-hl, -hw}, {-hl, hw}},  // left goal line
      {{hl, -hw}, {hl, hw}},    // right goal line
      {{0, -hw}, {0, hw}},      // halfway line
  };
  for (const double s : {-1.0, 1.0}) {
    const double gx = s * hl;
    segments_.push_back({{gx, -pbh}, {gx - s * pb, -pbh}});
    segments_.push_back({{gx - s * pb, -pbh}, {gx - s * pb, pbh}});
    segments_.push_back({{gx - s * pb, pbh}, {gx, pbh}});
    segments_.push_back({{gx, -gbh}, {gx - s * gb, -gbh}});
    segments_.push_back({{gx - s * gb, -gbh}, {gx - s * gb, gbh}});
    segments_.push_back({{gx - s * gb, gbh}, {gx, gbh}});
  }
  arcs_ = {
      {{0, 0}, r, 0.0, 2 * pi},                           // centre circle
      {{-hl + spot, 0}, r, -arc_half, arc_half},          // left penalty arc (towards +x)
      {{hl - spot, 0}, r, pi - arc_half, pi + arc_half},  // right penalty arc (towards -x)
      {{-hl, -hw}, kCornerArcRadiusM, 0.0, pi / 2},       // corner arcs, inside the pitch
      {{hl, -hw}, kCornerArcRadiusM, pi / 2, pi},
      {{hl, hw}, kCornerArcRadiusM, pi, 1.5 * pi},
      {{-hl, hw}, kCornerArcRadiusM, 1.5 * pi, 2 * pi},
  };
  spots_ = {{-hl + spot, 0}, {0, 0}, {hl - spot, 0}};

  keypoints_ = {{
      {-hl, -hw},
      {-hl, -pbh},
      {-hl, -gbh},
      {-hl, gbh},
      {-hl, pbh},
      {-hl, hw},
      {-hl + gb, -gbh},
      {-hl + gb, gbh},
      {-hl + spot, 0},
      {-hl + pb, -pbh},
      {-hl + pb, -arc_y},
      {-hl + pb, arc_y},
      {-hl + pb, pbh},
      {0, -hw},
      {0, -r},
      {0, r},
      {0, hw},
      {hl - pb, -pbh},
      {hl - pb, -arc_y},
      {hl - pb, arc_y},
      {hl - pb, pbh},
      {hl - spot, 0},
      {hl - gb, -gbh},
      {hl - gb, gbh},
      {hl, -hw},
      {hl, -pbh},
      {hl, -gbh},
      {hl, gbh},
      {hl, pbh},
      {hl, hw},
      {-r, 0},
      {r, 0},
  }};
}

std::vector<PitchPoint> PitchModel::sample_lines(double step_m) const {
  step_m = step_m > 1e-3 ? step_m : 1.0;
  std::vector<PitchPoint> out;
  for (const auto& s : segments_) {
    const double len = std::hypot(s.b.x_m - s.a.x_m, s.b.y_m - s.a.y_m);
    const int n = std::max(1, static_cast<int>(std::ceil(len / step_m)));
    for (int i = 0; i <= n; ++i) {
      const double t = static_cast<double>(i) / n;
      out.push_back({s.a.x_m + t * (s.b.x_m - s.a.x_m), s.a.y_m + t * (s.b.y_m - s.a.y_m)});
    }
  }
  for (const auto& a : arcs_) {
    const double len = a.radius_m * (a.end_rad - a.start_rad);
    const int n = std::max(2, static_cast<int>(std::ceil(len / step_m)));
    for (int i = 0; i <= n; ++i) {
      const double t = a.start_rad + (a.end_rad - a.start_rad) * i / n;
      out.push_back({a.centre.x_m + a.radius_m * std::cos(t), a.centre.y_m + a.radius_m * std::sin(t)});
    }
  }
  out.insert(out.end(), spots_.begin(), spots_.end());
  return out;
}

std::string_view PitchModel::keypoint_name(int id) {
  if (id < 0 || id >= kNumKeypoints) return {};
  return kKeypointNames[static_cast<size_t>(id)];
}

std::optional<int> PitchModel::keypoint_id(std::string_view name) {
  for (int i = 0; i < kNumKeypoints; ++i) {
    if (kKeypointNames[static_cast<size_t>(i)] == name) return i;
  }
  return std::nullopt;
}

std::array<PitchPoint, 4> PitchModel::corners() const {
  const double hl = dims_.length_m / 2, hw = dims_.width_m / 2;
  return {{{-hl, -hw}, {hl, -hw}, {hl, hw}, {-hl, hw}}};
}

bool PitchModel::contains(PitchPoint p, double margin_m) const {
  return std::abs(p.x_m) <= dims_.length_m / 2 + margin_m && std::abs(p.y_m) <= dims_.width_m / 2 + margin_m;
}

}  // namespace pitchtrack
