#include "detect/postprocess.hpp"

#include <algorithm>

namespace pitchtrack::detect {

std::vector<Detection> nms_per_class(std::vector<Detection> dets, float iou_threshold, int max_detections) {
  std::stable_sort(dets.begin(), dets.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  kept.reserve(dets.size());
  for (const Detection& d : dets) {
    if (static_cast<int>(kept.size()) >= max_detections) break;
    bool suppressed = false;
    for (const Detection& k : kept) {
      if (k.class_id == d.class_id && iou(k.box_px, d.box_px) > iou_threshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(d);
  }
  return kept;
}

std::vector<Detection> decode_centernet(const CenterNetOutput& out,
                                        std::span<const float, kNumObjectClasses> thresholds,
                                        float input_scale, int frame_width, int frame_height) {
  std::vector<Detection> dets;
  const int H = out.height;
  const int W = out.width;
  const size_t plane = static_cast<size_t>(H) * static_cast<size_t>(W);
  const float* wmap = out.data + plane * kNumObjectClasses;
  const float* hmap = wmap + plane;
  const float* dxmap = hmap + plane;
  const float* dymap = dxmap + plane;
  const float inv_scale = 1.0f / input_scale;
  for (int c = 0; c < kNumObjectClasses; ++c) {
    const float* heat = out.data + plane * static_cast<size_t>(c);
    const float thr = thresholds[static_cast<size_t>(c)];
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        const float v = heat[y * W + x];
        if (v < thr) continue;
        // 3x3 local maximum (ties: the first in raster order wins).
        bool peak = true;
        for (int dy = -1; dy <= 1 && peak; ++dy) {
          const int yy = y + dy;
          if (yy < 0 || yy >= H) continue;
          for (int dx = -1; dx <= 1; ++dx) {
            const int xx = x + dx;
            if (xx < 0 || xx >= W || (dx == 0 && dy == 0)) continue;
            const float n = heat[yy * W + xx];
            if (n > v || (n == v && (dy < 0 || (dy == 0 && dx < 0)))) {
              peak = false;
              break;
            }
          }
        }
        if (!peak) continue;
        const size_t i = static_cast<size_t>(y) * W + x;
        const float cx = (static_cast<float>(x) + dxmap[i]) * static_cast<float>(out.stride) * inv_scale;
        const float cy = (static_cast<float>(y) + dymap[i]) * static_cast<float>(out.stride) * inv_scale;
        const float bw = std::max(0.0f, wmap[i]) * inv_scale;
        const float bh = std::max(0.0f, hmap[i]) * inv_scale;
        BoxXyxy b = BoxXyxy::from_cxcywh(cx, cy, bw, bh);
        b.x1 = std::clamp(b.x1, 0.0f, static_cast<float>(frame_width));
        b.x2 = std::clamp(b.x2, 0.0f, static_cast<float>(frame_width));
        b.y1 = std::clamp(b.y1, 0.0f, static_cast<float>(frame_height));
        b.y2 = std::clamp(b.y2, 0.0f, static_cast<float>(frame_height));
        if (b.area() <= 0.0f) continue;
        dets.push_back(Detection{b, v, static_cast<ObjectClass>(c)});
      }
    }
  }
  return dets;
}

}  // namespace pitchtrack::detect
