#include "pitchtrack/core/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace pitchtrack {
namespace {
using namespace std::chrono_literals;

TEST(BoundedQueue, DropOldestKeepsNewestAndCountsEveryDrop) {
  BoundedQueue<int> q(3, OverflowPolicy::kDropOldest);
  for (int i = 0; i < 10; ++i) q.push(i);
  const QueueStats s = q.stats();
  EXPECT_EQ(s.pushed, 10);
  EXPECT_EQ(s.dropped_oldest, 7);
  EXPECT_EQ(s.dropped(), 7);
  EXPECT_EQ(s.size, 3u);
  EXPECT_EQ(*q.pop(0us), 7);
  EXPECT_EQ(*q.pop(0us), 8);
  EXPECT_EQ(*q.pop(0us), 9);
  EXPECT_EQ(q.pop(0us).status().code(), StatusCode::kTimeout);
}

TEST(BoundedQueue, DropNewestRejectsAndCounts) {
  BoundedQueue<int> q(2, OverflowPolicy::kDropNewest);
  EXPECT_EQ(q.push(1), PushOutcome::kPushed);
  EXPECT_EQ(q.push(2), PushOutcome::kPushed);
  EXPECT_EQ(q.push(3), PushOutcome::kRejected);
  EXPECT_EQ(q.push(4), PushOutcome::kRejected);
  EXPECT_EQ(q.stats().dropped_newest, 2);
  EXPECT_EQ(*q.pop(), 1);
  EXPECT_EQ(*q.pop(), 2);
}

TEST(BoundedQueue, BlockPolicyIsLosslessAndTimesOut) {
  BoundedQueue<int> q(1, OverflowPolicy::kBlock);
  EXPECT_EQ(q.push(1), PushOutcome::kPushed);
  EXPECT_EQ(q.push(2, 10ms), PushOutcome::kTimeout);
  std::thread consumer([&] {
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(*q.pop(), 1);
  });
  EXPECT_EQ(q.push(3), PushOutcome::kPushed);  // waits for the consumer
  consumer.join();
  EXPECT_EQ(*q.pop(), 3);
  EXPECT_EQ(q.stats().dropped(), 0);
}

TEST(BoundedQueue, CloseDrainsThenEndOfStream) {
  BoundedQueue<int> q(4, OverflowPolicy::kBlock);
  q.push(1);
  q.push(2);
  q.close();
  EXPECT_EQ(q.push(3), PushOutcome::kClosed);
  EXPECT_EQ(*q.pop(), 1);
  EXPECT_EQ(*q.pop(), 2);
  EXPECT_TRUE(q.pop().status().is_end_of_stream());
}

TEST(BoundedQueue, CloseWakesBlockedProducerAndConsumer) {
  BoundedQueue<int> full(1, OverflowPolicy::kBlock);
  full.push(0);
  BoundedQueue<int> empty(1, OverflowPolicy::kBlock);
  std::thread producer([&] { EXPECT_EQ(full.push(1), PushOutcome::kClosed); });
  std::thread consumer([&] { EXPECT_TRUE(empty.pop().status().is_end_of_stream()); });
  std::this_thread::sleep_for(10ms);
  full.close();
  empty.close();
  producer.join();
  consumer.join();
}

TEST(BoundedQueue, StopTokenCancelsWaits) {
  BoundedQueue<int> q(1, OverflowPolicy::kBlock);
  std::stop_source stop;
  std::thread consumer([&] {
    EXPECT_EQ(q.pop(BoundedQueue<int>::kForever, stop.get_token()).status().code(), StatusCode::kCancelled);
  });
  std::this_thread::sleep_for(10ms);
  stop.request_stop();
  consumer.join();
}

TEST(BoundedQueue, ClearCountsDropped) {
  BoundedQueue<int> q(4, OverflowPolicy::kBlock);
  q.push(1);
  q.push(2);
  EXPECT_EQ(q.clear(), 2u);
  EXPECT_EQ(q.stats().dropped_oldest, 2);
  EXPECT_EQ(q.stats().high_water, 2u);
}

}  // namespace
}  // namespace pitchtrack
