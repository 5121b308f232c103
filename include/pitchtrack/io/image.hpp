// Still images through FFmpeg (the project's own decoder and encoder paths, no OpenCV
// imgcodecs): read_image() decodes a JPEG, PNG or BMP file into a BGR8 Frame (the image2
// demuxer, colour range and matrix honoured like video); write_png() writes a Frame as a
// lossless RGB PNG. Errors name the file and the problem (missing, not an image, unwritable).
#pragma once

#include <string>

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

Result<Frame> read_image(const std::string& path);
Status write_png(const std::string& path, const Frame& frame);

}  // namespace pitchtrack
