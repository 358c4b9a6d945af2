// Polls a condition until it holds or a deadline passes: for state another process or thread
// reaches in its own time (a heartbeat seen, a gauge at zero).
#pragma once

#include <chrono>
#include <thread>

namespace wsedge::testing {

template <class F>
bool eventually(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace wsedge::testing
