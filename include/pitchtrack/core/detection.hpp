// Detection: one object found in one frame, in original-frame pixels.
//
// Conventions (everywhere in pitchtrack): boxes are xyxy in pixels, float; class ids follow the
// shipped detector: 0 ball, 1 goalkeeper, 2 player, 3 referee.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace pitchtrack {

enum class ObjectClass : int { kBall = 0, kGoalkeeper = 1, kPlayer = 2, kReferee = 3 };
inline constexpr int kNumObjectClasses = 4;

std::string_view to_string(ObjectClass c);  // "ball", "goalkeeper", ...
std::optional<ObjectClass> object_class_from_string(std::string_view name);
inline bool is_person(ObjectClass c) { return c != ObjectClass::kBall; }

struct BoxXyxy {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // px; x2 >= x1, y2 >= y1

  float width() const { return std::max(0.0f, x2 - x1); }
  float height() const { return std::max(0.0f, y2 - y1); }
  float area() const { return width() * height(); }
  float cx() const { return 0.5f * (x1 + x2); }
  float cy() const { return 0.5f * (y1 + y2); }
  // The foot point: bottom centre, the point projected to the pitch.
  std::array<float, 2> foot() const { return {cx(), y2}; }
  static BoxXyxy from_xywh(float x, float y, float w, float h) { return {x, y, x + w, y + h}; }
  static BoxXyxy from_cxcywh(float cx, float cy, float w, float h) {
    return {cx - 0.5f * w, cy - 0.5f * h, cx + 0.5f * w, cy + 0.5f * h};
  }
  friend bool operator==(const BoxXyxy&, const BoxXyxy&) = default;
};

// Intersection over union; 0 when either box is empty.
float iou(const BoxXyxy& a, const BoxXyxy& b);

struct Detection {
  BoxXyxy box_px;
  float score = 0.0f;  // [0, 1]
  ObjectClass class_id = ObjectClass::kPlayer;
};

}  // namespace pitchtrack
