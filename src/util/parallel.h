// Bounded parallelism: a task run once for each index on at most N threads, the caller's included.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace kura {

// Runs task(i) for every i in [0, count), each exactly once, on at most `parallel` threads (the calling
// thread is one of them); returns when all are done. Indexes are taken in order, so with parallel == 1 the
// tasks run one after another on the caller's thread.
inline void run_parallel(size_t count, size_t parallel, const std::function<void(size_t)>& task) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) task(i);
  };
  const size_t threads = std::min(std::max<size_t>(parallel, 1), count);
  std::vector<std::thread> helpers;
  helpers.reserve(threads > 0 ? threads - 1 : 0);
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace kura
