#include "pitchtrack/core/detection.hpp"

namespace pitchtrack {

std::string_view to_string(ObjectClass c) {
  switch (c) {
    case ObjectClass::kBall: return "ball";
    case ObjectClass::kGoalkeeper: return "goalkeeper";
    case ObjectClass::kPlayer: return "player";
    case ObjectClass::kReferee: return "referee";
  }
  return "unknown";
}

std::optional<ObjectClass> object_class_from_string(std::string_view name) {
  for (int i = 0; i < kNumObjectClasses; ++i) {
    const auto c = static_cast<ObjectClass>(i);
    if (to_string(c) == name) return c;
  }
  return std::nullopt;
}

float iou(const BoxXyxy& a, const BoxXyxy& b) {
  const float ix = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const float iy = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const float inter = ix * iy;
  const float uni = a.area() + b.area() - inter;
  return uni > 0.0f ? inter / uni : 0.0f;
}

}  // namespace pitchtrack
