#include "pitchtrack/io/async_reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/fake_source.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using namespace std::chrono_literals;
using testing::FakeSource;
using testing::FakeSourceOptions;

template <typename Pred>
void wait_until(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!pred() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(pred()) << "condition not reached within 5 s";
}

TEST(AsyncVideoReader, FileModeIsLosslessAndEndsCleanly) {
  auto source = std::make_unique<FakeSource>(FakeSourceOptions{.count = 40});
  AsyncVideoReader reader(std::move(source), 2, 0.0);
  ASSERT_TRUE(reader.start().is_ok());
  for (int i = 0; i < 40; ++i) {
    auto f = reader.get_frame(2s);
    ASSERT_TRUE(f.is_ok()) << f.status().to_string();
    EXPECT_EQ(f->index, i);
  }
  EXPECT_TRUE(reader.get_frame(2s).status().is_end_of_stream());
  const ReaderStats s = reader.stats();
  EXPECT_EQ(s.decoded, 40);
  EXPECT_EQ(s.delivered, 40);
  EXPECT_EQ(s.dropped, 0);
}

TEST(AsyncVideoReader, LiveModeDropsOldestWithExactCounts) {
  ManualClock clock(5'000'000);
  FakeSourceOptions opt{.count = 10, .live = true, .block_before = 10};
  auto source = std::make_unique<FakeSource>(opt);
  FakeSource* fake = source.get();
  AsyncVideoReader reader(std::move(source), ReaderOptions{.buffer_size = 3, .clock = &clock});
  ASSERT_TRUE(reader.is_live());
  ASSERT_TRUE(reader.start().is_ok());
  wait_until([&] { return fake->blocked(); });  // all 10 frames pushed, consumer idle
  ReaderStats s = reader.stats();
  EXPECT_EQ(s.decoded, 10);
  EXPECT_EQ(s.dropped, 7);
  EXPECT_EQ(s.buffered, 3u);
  EXPECT_DOUBLE_EQ(s.buffer_fill(), 1.0);
  clock.advance_ms(40);
  fake->release();
  for (int64_t expected : {7, 8, 9}) {
    auto f = reader.get_frame(2s);
    ASSERT_TRUE(f.is_ok());
    EXPECT_EQ(f->index, expected);
    EXPECT_EQ(f->arrival_us, 5'000'000);  // stamped by the reader's clock when decoded
  }
  EXPECT_TRUE(reader.get_frame(2s).status().is_end_of_stream());
  s = reader.stats();
  EXPECT_EQ(s.delivered, 3);
  EXPECT_EQ(s.dropped, 7);
  EXPECT_DOUBLE_EQ(s.drop_rate(), 0.7);
}

TEST(AsyncVideoReader, TargetFpsSelectsByTimestampWithoutDrift) {
  // 25 fps for 400 s down to 10 fps: exactly 4000 frames, each within half a source frame of
  // its 100 ms slot, for the whole run.
  auto source = std::make_unique<FakeSource>(FakeSourceOptions{.count = 10000, .fps = 25.0});
  AsyncVideoReader reader(std::move(source), 4, 10.0);
  ASSERT_TRUE(reader.start().is_ok());
  int64_t k = 0;
  while (true) {
    auto f = reader.get_frame(2s);
    if (!f.is_ok()) {
      ASSERT_TRUE(f.status().is_end_of_stream()) << f.status().to_string();
      break;
    }
    EXPECT_LE(std::abs(f->pts_us - k * 100'000), 20'000) << "slot " << k;
    ++k;
  }
  EXPECT_EQ(k, 4000);
  EXPECT_EQ(reader.stats().skipped, 6000);
  EXPECT_EQ(reader.stats().dropped, 0);
}

TEST(AsyncVideoReader, TargetAboveSourceRateKeepsEveryFrame) {
  auto source = std::make_unique<FakeSource>(FakeSourceOptions{.count = 50, .fps = 25.0});
  AsyncVideoReader reader(std::move(source), 4, 60.0);
  ASSERT_TRUE(reader.start().is_ok());
  int n = 0;
  while (reader.get_frame(2s).is_ok()) ++n;
  EXPECT_EQ(n, 50);
}

TEST(AsyncVideoReader, StopReturnsPromptlyWhileSourceIsBlocked) {
  auto source =
      std::make_unique<FakeSource>(FakeSourceOptions{.count = 100, .live = true, .block_before = 3});
  FakeSource* fake = source.get();
  AsyncVideoReader reader(std::move(source), 8, 0.0);
  ASSERT_TRUE(reader.start().is_ok());
  wait_until([&] { return fake->blocked(); });
  const auto t0 = std::chrono::steady_clock::now();
  reader.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  // The three frames decoded before the stall are still delivered, then the stop.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(reader.get_frame(100ms).is_ok());
  EXPECT_EQ(reader.get_frame(100ms).status().code(), StatusCode::kCancelled);
}

TEST(AsyncVideoReader, StopReturnsPromptlyWhileBlockedOnFullBuffer) {
  auto source = std::make_unique<FakeSource>(FakeSourceOptions{.count = 100});
  AsyncVideoReader reader(std::move(source), 2, 0.0);
  ASSERT_TRUE(reader.start().is_ok());
  wait_until([&] { return reader.stats().buffered == 2; });
  const auto t0 = std::chrono::steady_clock::now();
  reader.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST(AsyncVideoReader, SourceErrorArrivesAfterTheFramesBeforeIt) {
  FakeSourceOptions opt{.count = 5, .end_status = unavailable("read 'fake://source': stream lost")};
  AsyncVideoReader reader(std::make_unique<FakeSource>(opt), 8, 0.0);
  ASSERT_TRUE(reader.start().is_ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(reader.get_frame(2s).is_ok());
  auto end = reader.get_frame(2s);
  EXPECT_EQ(end.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(end.status().message().find("stream lost"), std::string::npos);
}

TEST(AsyncVideoReader, GetFrameTimesOutAndBeforeStartFails) {
  auto source = std::make_unique<FakeSource>(FakeSourceOptions{.count = 5, .block_before = 0});
  FakeSource* fake = source.get();
  AsyncVideoReader reader(std::move(source), 8, 0.0);
  EXPECT_EQ(reader.get_frame(10ms).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(reader.start().is_ok());
  EXPECT_EQ(reader.get_frame(20ms).status().code(), StatusCode::kTimeout);
  fake->release();
  EXPECT_TRUE(reader.get_frame(2s).is_ok());
  EXPECT_EQ(reader.start().code(), StatusCode::kFailedPrecondition);
}

TEST(AsyncVideoReader, DecodesARealFile) {
  auto reader = AsyncVideoReader::open(testing::clip("h264.mp4"), {}, ReaderOptions{.buffer_size = 4});
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  ASSERT_TRUE((*reader)->start().is_ok());
  int n = 0;
  while ((*reader)->get_frame(5s).is_ok()) ++n;
  EXPECT_EQ(n, 50);
  EXPECT_EQ((*reader)->stats().decoded, 50);
}

TEST(AsyncVideoReader, OpenNamesBadInput) {
  auto reader = AsyncVideoReader::open(testing::clip("nope.mp4"));
  ASSERT_FALSE(reader.is_ok());
  EXPECT_NE(reader.status().message().find("nope.mp4"), std::string::npos);
  EXPECT_FALSE(
      AsyncVideoReader::open(testing::clip("h264.mp4"), {}, ReaderOptions{.target_fps = -1}).is_ok());
}

}  // namespace
}  // namespace pitchtrack
