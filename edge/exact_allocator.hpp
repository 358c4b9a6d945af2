// An allocator that is plain operator new, for handlers of long-pending operations.
// Asio recycles operation memory per thread: an operation allocated with the default allocator
// may take whatever larger block a finished operation left in the cache (an accept, an HTTP
// read) and keep it while it waits. A wait that lasts as long as an idle connection should
// hold only its own size: bind this allocator to its handler (net::bind_allocator).
#pragma once

#include <cstddef>
#include <new>

namespace wsedge::edge {

template <class T>
struct exact_allocator {
  using value_type = T;
  exact_allocator() = default;
  template <class U>
  exact_allocator(const exact_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
  template <class U>
  bool operator==(const exact_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace wsedge::edge
