#include "pitchtrack/io/image.hpp"

#include <filesystem>

#include "pitchtrack/io/source.hpp"
#include "pitchtrack/io/video_writer.hpp"

namespace pitchtrack {

Result<Frame> read_image(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return not_found("image '" + path + "' not found");
  SourceConfig sc;
  sc.mode = SourceMode::kFile;
  sc.decoder_threads = 1;
  sc.frame_pool_size = 1;
  auto src = open_source(path, sc);
  if (!src.is_ok()) return src.status().with_context("read image");
  auto frame = (*src)->read();
  if (!frame.is_ok()) {
    if (frame.status().code() == StatusCode::kEndOfStream)
      return data_loss("image '" + path + "' has no picture");
    return frame.status().with_context("read image");
  }
  return frame;
}

Status write_png(const std::string& path, const Frame& frame) {
  if (frame.empty()) return invalid_argument("write png '" + path + "': empty frame");
  VideoWriterConfig c;
  c.width = frame.width();
  c.height = frame.height();
  c.fps = 1.0;
  c.codec = "png";
  c.preset.clear();
  c.pix_fmt = "rgb24";
  auto w = VideoWriter::create(path, c);
  if (!w.is_ok()) return w.status();
  PT_RETURN_IF_ERROR((*w)->write(frame));
  return (*w)->close();
}

}  // namespace pitchtrack
