// BatchFrameReader: groups a source's frames into batches for batched inference.
//
// Contract: next_batch() returns exactly batch_size frames, then one shorter last batch if the
// frame count is not a multiple, then kEndOfStream. Lossless (file mode, blocking decode),
// prefetching on a background AsyncVideoReader. RAII: the destructor stops decoding.
// Threading: one consumer.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "pitchtrack/io/async_reader.hpp"

namespace pitchtrack {

class BatchFrameReader {
 public:
  // prefetch_batches: batches decoded ahead of the consumer.
  BatchFrameReader(std::unique_ptr<Source> source, size_t batch_size, size_t prefetch_batches = 2);
  ~BatchFrameReader();
  BatchFrameReader(const BatchFrameReader&) = delete;
  BatchFrameReader& operator=(const BatchFrameReader&) = delete;

  static Result<std::unique_ptr<BatchFrameReader>> open(const std::string& uri, size_t batch_size,
                                                        const SourceConfig& source_config = {});

  // The next batch (1..batch_size frames) or kEndOfStream, or the source's error.
  Result<std::vector<FrameData>> next_batch(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));

  size_t batch_size() const { return batch_size_; }
  const StreamInfo& info() const { return reader_.info(); }
  ReaderStats stats() const { return reader_.stats(); }

 private:
  size_t batch_size_;
  AsyncVideoReader reader_;
  std::vector<FrameData> partial_;
  Status pending_;  // error or end seen while filling the previous batch
  bool started_ = false;
};

}  // namespace pitchtrack
