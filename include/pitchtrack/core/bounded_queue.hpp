// BoundedQueue<T>: a fixed-capacity multi-producer multi-consumer FIFO with an explicit
// overflow policy and drop counters.
//
// Policies when full: kBlock waits for space (lossless; files), kDropOldest evicts the oldest
// item to admit the new one (live streams: freshest data wins), kDropNewest rejects the new
// item. Every eviction or rejection is counted. close() marks end of stream: pushes fail,
// pops drain what is left and then return kEndOfStream. Blocking calls wake on close(), on
// their stop_token and on their timeout (a negative timeout waits forever).
// Threading: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string_view>

#include "pitchtrack/core/status.hpp"

namespace pitchtrack {

enum class OverflowPolicy { kBlock, kDropOldest, kDropNewest };
std::string_view to_string(OverflowPolicy policy);

enum class PushOutcome {
  kPushed,               // admitted, nothing lost
  kPushedDroppedOldest,  // admitted, the oldest item was evicted
  kRejected,             // kDropNewest and full: the new item was dropped
  kClosed,               // queue closed: the item was not admitted
  kTimeout,              // kBlock: no space within the timeout
  kCancelled,            // kBlock: stop requested while waiting
};

struct QueueStats {
  int64_t pushed = 0;          // items admitted
  int64_t popped = 0;          // items handed to consumers
  int64_t dropped_oldest = 0;  // evicted by kDropOldest
  int64_t dropped_newest = 0;  // rejected by kDropNewest
  size_t size = 0;             // items buffered now
  size_t capacity = 0;
  size_t high_water = 0;  // largest size seen
  int64_t dropped() const { return dropped_oldest + dropped_newest; }
};

template <typename T>
class BoundedQueue {
 public:
  using Micros = std::chrono::microseconds;
  static constexpr Micros kForever{-1};

  BoundedQueue(size_t capacity, OverflowPolicy policy)
      : capacity_(capacity == 0 ? 1 : capacity), policy_(policy) {}

  PushOutcome push(T item, Micros timeout = kForever, std::stop_token stop = {}) {
    std::unique_lock lock(mutex_);
    if (closed_) return PushOutcome::kClosed;
    PushOutcome outcome = PushOutcome::kPushed;
    if (items_.size() >= capacity_) {
      switch (policy_) {
        case OverflowPolicy::kDropNewest: ++stats_.dropped_newest; return PushOutcome::kRejected;
        case OverflowPolicy::kDropOldest:
          items_.pop_front();
          ++stats_.dropped_oldest;
          outcome = PushOutcome::kPushedDroppedOldest;
          break;
        case OverflowPolicy::kBlock: {
          auto has_room = [&] { return closed_ || items_.size() < capacity_; };
          if (!wait(lock, not_full_, stop, timeout, has_room)) {
            return stop.stop_requested() ? PushOutcome::kCancelled : PushOutcome::kTimeout;
          }
          if (closed_) return PushOutcome::kClosed;
          break;
        }
      }
    }
    items_.push_back(std::move(item));
    ++stats_.pushed;
    if (items_.size() > stats_.high_water) stats_.high_water = items_.size();
    lock.unlock();
    not_empty_.notify_one();
    return outcome;
  }

  // An item, or kEndOfStream (closed and drained), kTimeout, kCancelled.
  Result<T> pop(Micros timeout = kForever, std::stop_token stop = {}) {
    std::unique_lock lock(mutex_);
    auto ready = [&] { return closed_ || !items_.empty(); };
    if (!wait(lock, not_empty_, stop, timeout, ready)) {
      if (stop.stop_requested()) return cancelled("queue pop cancelled");
      return timeout_error("queue pop timed out");
    }
    if (items_.empty()) return end_of_stream("queue closed");
    T item = std::move(items_.front());
    items_.pop_front();
    ++stats_.popped;
    lock.unlock();
    not_full_.notify_one();
    return item;
  }

  std::optional<T> try_pop() {
    std::unique_lock lock(mutex_);
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    ++stats_.popped;
    lock.unlock();
    not_full_.notify_one();
    return item;
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  // Drops every buffered item (counted as dropped_oldest) and returns how many.
  size_t clear() {
    std::lock_guard lock(mutex_);
    const size_t n = items_.size();
    items_.clear();
    stats_.dropped_oldest += static_cast<int64_t>(n);
    not_full_.notify_all();
    return n;
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }
  OverflowPolicy policy() const { return policy_; }
  QueueStats stats() const {
    std::lock_guard lock(mutex_);
    QueueStats s = stats_;
    s.size = items_.size();
    s.capacity = capacity_;
    return s;
  }

 private:
  template <typename Pred>
  bool wait(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv, std::stop_token& stop,
            Micros timeout, Pred pred) {
    if (timeout < Micros::zero()) return cv.wait(lock, stop, pred);
    return cv.wait_for(lock, stop, timeout, pred);
  }

  const size_t capacity_;
  const OverflowPolicy policy_;
  mutable std::mutex mutex_;
  std::condition_variable_any not_empty_;
  std::condition_variable_any not_full_;
  std::deque<T> items_;
  bool closed_ = false;
  QueueStats stats_;
};

}  // namespace pitchtrack
