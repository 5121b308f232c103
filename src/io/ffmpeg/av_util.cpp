#include "io/ffmpeg/av_util.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <mutex>

namespace pitchtrack::av {

std::string error_string(int averror) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(averror, buf, sizeof(buf));
  return buf;
}

Status to_status(int averror, const std::string& what, const std::string& input) {
  std::string msg = what + " '" + input + "': " + error_string(averror);
  switch (averror) {
    case AVERROR(ENOENT): return not_found(msg);
    case AVERROR(ETIMEDOUT): return timeout_error(msg);
    case AVERROR(ECONNREFUSED):
    case AVERROR(EHOSTUNREACH):
    case AVERROR(ENETUNREACH):
    case AVERROR(ECONNRESET):
    case AVERROR(EPIPE):
    case AVERROR(EIO): return unavailable(msg);
    case AVERROR_EXIT: return cancelled(msg);
    case AVERROR_EOF: return end_of_stream(msg);
    case AVERROR_INVALIDDATA: return invalid_argument(msg);
    case AVERROR_DECODER_NOT_FOUND:
    case AVERROR_DEMUXER_NOT_FOUND:
    case AVERROR_PROTOCOL_NOT_FOUND: return unsupported(msg);
    case AVERROR(ENOMEM): return resource_exhausted(msg);
    default: break;
  }
  if (averror == AVERROR_HTTP_NOT_FOUND) return not_found(msg);
  if (averror == AVERROR_HTTP_BAD_REQUEST || averror == AVERROR_HTTP_FORBIDDEN ||
      averror == AVERROR_HTTP_UNAUTHORIZED || averror == AVERROR_HTTP_SERVER_ERROR ||
      averror == AVERROR_HTTP_OTHER_4XX) {
    return unavailable(msg);
  }
  return internal_error(msg);
}

namespace {
void log_callback(void* avcl, int level, const char* fmt, va_list args) {
  if (level > av_log_get_level()) return;
  char line[1024];
  int print_prefix = 1;
  av_log_format_line2(avcl, level, fmt, args, line, sizeof(line), &print_prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return;
  if (level <= AV_LOG_ERROR) {
    spdlog::debug("ffmpeg: {}", text);  // errors are reported through Status by the caller
  } else if (level <= AV_LOG_WARNING) {
    spdlog::debug("ffmpeg: {}", text);
  } else {
    spdlog::trace("ffmpeg: {}", text);
  }
}
}  // namespace

void init_logging() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_WARNING);
    av_log_set_callback(log_callback);
    avformat_network_init();
  });
}

}  // namespace pitchtrack::av
