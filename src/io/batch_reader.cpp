#include "pitchtrack/io/batch_reader.hpp"

namespace pitchtrack {

BatchFrameReader::BatchFrameReader(std::unique_ptr<Source> source, size_t batch_size, size_t prefetch_batches)
    : batch_size_(batch_size == 0 ? 1 : batch_size),
      reader_(std::move(source), ReaderOptions{(batch_size == 0 ? 1 : batch_size) *
                                                   (prefetch_batches == 0 ? 1 : prefetch_batches),
                                               0.0, SourceMode::kFile, false, nullptr}) {}

BatchFrameReader::~BatchFrameReader() { reader_.stop(); }

Result<std::unique_ptr<BatchFrameReader>> BatchFrameReader::open(const std::string& uri, size_t batch_size,
                                                                 const SourceConfig& source_config) {
  if (batch_size == 0) return invalid_argument("batch_size must be >= 1");
  PT_ASSIGN_OR_RETURN(auto source, open_source(uri, source_config));
  return std::make_unique<BatchFrameReader>(std::move(source), batch_size);
}

Result<std::vector<FrameData>> BatchFrameReader::next_batch(std::chrono::milliseconds timeout) {
  if (!pending_.is_ok()) return pending_;
  if (!started_) {
    PT_RETURN_IF_ERROR(reader_.start());
    started_ = true;
  }
  // Frames gathered before a timeout stay in partial_ for the next call: nothing is lost.
  while (partial_.size() < batch_size_) {
    auto item = reader_.get_frame(timeout);
    if (!item.is_ok()) {
      if (item.status().code() == StatusCode::kTimeout) return item.status();
      pending_ = item.status();  // end of stream or error: report after the short batch
      break;
    }
    partial_.push_back(std::move(item).value());
  }
  if (partial_.empty()) return pending_;
  std::vector<FrameData> batch;
  batch.reserve(batch_size_);
  batch.swap(partial_);
  return batch;
}

}  // namespace pitchtrack
