// RowQueue: batches cross from a producer thread to the consumer in order,
// the producer waits while the queue is full, the eventfd tells the consumer
// when to look, and cancel() releases a waiting producer.
#include "daemon/row_queue.h"

#include <poll.h>

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

using jobtrack::PollOutcome;
using jobtrack::PollResult;
using jobtrack::RowQueue;
using jobtrack::RowResult;

namespace {

std::vector<RowResult> batch(std::int64_t first, std::int64_t count) {
  std::vector<RowResult> rows;
  for (std::int64_t i = first; i < first + count; ++i) {
    RowResult row;
    row.row = i;
    rows.push_back(row);
  }
  return rows;
}

bool readable(int fd, int timeout_ms) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, timeout_ms) == 1;
}

}  // namespace

TEST_CASE("rows cross the queue in order, then the result, and the fd says when to look") {
  RowQueue queue(2);
  CHECK_FALSE(readable(queue.fd(), 0));
  // Catch's assertions are for the test's own thread: the producer only counts.
  int pushed = 0;
  std::thread producer([&] {
    for (int i = 0; i < 50; ++i) pushed += queue.push(batch(i * 10, 10)) ? 1 : 0;
    PollResult result;
    result.outcome = PollOutcome::status;
    queue.close(std::move(result));
  });
  std::int64_t next = 0;
  std::optional<PollResult> result;
  while (!result) {
    REQUIRE(readable(queue.fd(), 5000));
    while (auto rows = queue.pop()) {
      for (const auto& row : *rows) CHECK(row.row == next++);
    }
    result = queue.take_result();
  }
  producer.join();
  CHECK(pushed == 50);
  CHECK(next == 500);
  CHECK(result->outcome == PollOutcome::status);
  CHECK_FALSE(readable(queue.fd(), 0));
}

TEST_CASE("a full queue holds the producer back until the consumer takes a batch") {
  RowQueue queue(1);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 3; ++i) {
      if (queue.push(batch(i, 1))) pushed += 1;  // checked below, on the test's thread
    }
  });
  while (pushed < 1) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(pushed == 1);  // the second waits for room
  std::int64_t next = 0;
  while (next < 3) {
    if (auto rows = queue.pop()) {
      CHECK(rows->front().row == next++);
    } else {
      std::this_thread::yield();
    }
  }
  producer.join();
  CHECK(pushed == 3);
}

TEST_CASE("cancel releases a waiting producer, whose push then fails") {
  RowQueue queue(1);
  REQUIRE(queue.push(batch(0, 1)));
  std::atomic<bool> refused{false};
  std::thread producer([&] { refused = !queue.push(batch(1, 1)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  queue.cancel();
  producer.join();
  CHECK(refused);
  CHECK_FALSE(queue.pop());
  CHECK_FALSE(queue.push(batch(2, 1)));
}
