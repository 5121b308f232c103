// DarknetDetector (internal): a public Darknet YOLO model (e.g. Yolo-Fastest) through OpenCV DNN,
// kept as the baseline the project's detector is compared with. Person classes map to player
// (it cannot tell roles apart), COCO "sports ball" to ball.
#pragma once

#include <memory>

#include "pitchtrack/detect/detector.hpp"

namespace pitchtrack::detect {

Result<std::shared_ptr<const DetectorModel>> load_darknet_model(const DetectorConfig& config);

}  // namespace pitchtrack::detect
