// Sink: where FrameResults go (tracks.jsonl file, a callback, an annotated video ...).
//
// Contract: write() takes results in frame order; close() flushes and finalises, is idempotent,
// and the destructor calls it. Output already written is never lost: the JSONL sink flushes
// each line to the OS as it is written, so a crash or Ctrl-C leaves a valid file of complete lines.
// Threading: one thread writes to a sink.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "pitchtrack/core/frame.hpp"
#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

class Sink {
 public:
  virtual ~Sink() = default;
  // `frame` is the picture the result belongs to when the writer has it (may be empty).
  virtual Status write(const FrameResult& result, const Frame& frame) = 0;
  Status write(const FrameResult& result) { return write(result, Frame{}); }
  virtual Status close() = 0;
};

// tracks.jsonl (docs/FORMATS.md), one line per result.
Result<std::unique_ptr<Sink>> make_jsonl_sink(const std::string& path);
// Calls `fn` for every result.
std::unique_ptr<Sink> make_callback_sink(std::function<void(const FrameResult&)> fn);

}  // namespace pitchtrack
