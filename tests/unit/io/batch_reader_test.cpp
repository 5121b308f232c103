#include "pitchtrack/io/batch_reader.hpp"

#include <gtest/gtest.h>

#include "support/fake_source.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::FakeSource;
using testing::FakeSourceOptions;

TEST(BatchFrameReader, FullBatchesThenShortLastThenEnd) {
  BatchFrameReader reader(std::make_unique<FakeSource>(FakeSourceOptions{.count = 10}), 4);
  std::vector<size_t> sizes;
  int64_t next = 0;
  while (true) {
    auto batch = reader.next_batch();
    if (!batch.is_ok()) {
      EXPECT_TRUE(batch.status().is_end_of_stream());
      break;
    }
    sizes.push_back(batch->size());
    for (const FrameData& f : *batch) EXPECT_EQ(f.index, next++);
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 2}));
  EXPECT_TRUE(reader.next_batch().status().is_end_of_stream());
}

TEST(BatchFrameReader, ExactMultipleHasNoEmptyBatch) {
  BatchFrameReader reader(std::make_unique<FakeSource>(FakeSourceOptions{.count = 8}), 4);
  EXPECT_EQ(reader.next_batch()->size(), 4u);
  EXPECT_EQ(reader.next_batch()->size(), 4u);
  EXPECT_TRUE(reader.next_batch().status().is_end_of_stream());
}

TEST(BatchFrameReader, ErrorAfterShortBatch) {
  FakeSourceOptions opt{.count = 3, .end_status = data_loss("decode 'fake://source': corrupt")};
  BatchFrameReader reader(std::make_unique<FakeSource>(opt), 2);
  EXPECT_EQ(reader.next_batch()->size(), 2u);
  EXPECT_EQ(reader.next_batch()->size(), 1u);
  EXPECT_EQ(reader.next_batch().status().code(), StatusCode::kDataLoss);
}

TEST(BatchFrameReader, StopsDecodingWhenDestroyedEarly) {
  // Lossless mode blocks the decoder on a full buffer; destruction must not hang.
  auto reader =
      std::make_unique<BatchFrameReader>(std::make_unique<FakeSource>(FakeSourceOptions{.count = 1000}), 2);
  ASSERT_TRUE(reader->next_batch().is_ok());
  reader.reset();
  SUCCEED();
}

TEST(BatchFrameReader, RealFile) {
  auto reader = BatchFrameReader::open(testing::clip("mpeg2.ts"), 8);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  int total = 0;
  int batches = 0;
  while (true) {
    auto b = (*reader)->next_batch();
    if (!b.is_ok()) break;
    total += static_cast<int>(b->size());
    ++batches;
  }
  EXPECT_EQ(total, 50);
  EXPECT_EQ(batches, 7);
}

}  // namespace
}  // namespace pitchtrack
