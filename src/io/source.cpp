#include "pitchtrack/io/source.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "io/ffmpeg/ffmpeg_source.hpp"

namespace pitchtrack {
namespace {

std::string scheme_of(const std::string& uri) {
  const auto pos = uri.find("://");
  if (pos == std::string::npos || pos == 0) return {};
  std::string scheme = uri.substr(0, pos);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scheme;
}

Status check_local_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return not_found("open '" + path + "': no such file");
  if (fs::is_directory(st)) return invalid_argument("open '" + path + "': is a directory, not a video file");
  if (fs::is_regular_file(st)) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size == 0) return invalid_argument("open '" + path + "': file is empty (0 bytes)");
  }
  return Status::ok();
}

}  // namespace

std::string to_json(const StreamInfo& i) {
  nlohmann::json j = {{"uri", i.uri},          {"container", i.container}, {"codec", i.codec},
                      {"width", i.width},      {"height", i.height},       {"fps", i.fps},
                      {"duration_s", nullptr}, {"frame_count", nullptr},   {"bit_rate", i.bit_rate},
                      {"is_live", i.is_live},  {"hwaccel", i.hwaccel},     {"gpu_convert", i.gpu_convert}};
  if (i.duration_s >= 0) j["duration_s"] = i.duration_s;
  if (i.frame_count >= 0) j["frame_count"] = i.frame_count;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // a URI need not be UTF-8
}

bool is_network_uri(const std::string& uri) {
  static const std::array<const char*, 14> kNetwork = {"rtmp",  "rtmps", "rtmpt", "rtsp", "rtsps",
                                                       "srt",   "udp",   "tcp",   "rtp",  "http",
                                                       "https", "hls",   "mms",   "mmsh"};
  const std::string scheme = scheme_of(uri);
  return std::find(kNetwork.begin(), kNetwork.end(), scheme) != kNetwork.end();
}

Result<std::unique_ptr<Source>> open_source(const std::string& uri, const SourceConfig& config) {
  if (uri.empty()) return invalid_argument("open: empty source URI");
  if (config.open_timeout_ms <= 0) return invalid_argument("source.open_timeout_ms must be > 0");
  if (config.read_timeout_ms <= 0) return invalid_argument("source.read_timeout_ms must be > 0");
  if (config.decoder_threads < 0) return invalid_argument("source.decoder_threads must be >= 0");
  if (config.hwaccel_max_decoders < 0) return invalid_argument("source.hwaccel_max_decoders must be >= 0");
  const std::string scheme = scheme_of(uri);
  if (scheme.empty() || scheme == "file") {
    PT_RETURN_IF_ERROR(check_local_file(scheme.empty() ? uri : uri.substr(7)));
  }
  bool live = false;
  switch (config.mode) {
    case SourceMode::kAuto: live = is_network_uri(uri); break;
    case SourceMode::kFile: live = false; break;
    case SourceMode::kLive: live = true; break;
  }
  return open_ffmpeg_source(uri, config, live);
}

}  // namespace pitchtrack
