#include "pitchtrack/io/sink.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pitchtrack/io/tracks_jsonl.hpp"

namespace pitchtrack {
namespace {

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};

class JsonlSink final : public Sink {
 public:
  JsonlSink(std::string path, FILE* f) : path_(std::move(path)), file_(f) {}
  ~JsonlSink() override { (void)close(); }

  Status write(const FrameResult& r, const Frame& /*frame*/) override {
    if (!file_) return failed_precondition("write to '" + path_ + "' after close");
    line_ = to_jsonl_line(r);
    line_.push_back('\n');
    if (std::fwrite(line_.data(), 1, line_.size(), file_.get()) != line_.size() ||
        std::fflush(file_.get()) != 0) {
      return internal_error("write '" + path_ + "': " + std::strerror(errno));
    }
    return Status::ok();
  }

  Status close() override {
    if (!file_) return Status::ok();
    const bool ok = std::fflush(file_.get()) == 0;
    file_.reset();
    return ok ? Status::ok() : internal_error("close '" + path_ + "': " + std::strerror(errno));
  }

 private:
  std::string path_;
  std::unique_ptr<FILE, FileCloser> file_;
  std::string line_;
};

class CallbackSink final : public Sink {
 public:
  explicit CallbackSink(std::function<void(const FrameResult&)> fn) : fn_(std::move(fn)) {}
  Status write(const FrameResult& r, const Frame&) override {
    if (fn_) fn_(r);
    return Status::ok();
  }
  Status close() override { return Status::ok(); }

 private:
  std::function<void(const FrameResult&)> fn_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_jsonl_sink(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return not_found("open '" + path + "' for writing: " + std::strerror(errno));
  return std::unique_ptr<Sink>(std::make_unique<JsonlSink>(path, f));
}

std::unique_ptr<Sink> make_callback_sink(std::function<void(const FrameResult&)> fn) {
  return std::make_unique<CallbackSink>(std::move(fn));
}

}  // namespace pitchtrack
