// Hash maps keyed by strings that are looked up by std::string_view without a copy.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <functional>
#include <string>
#include <string_view>

namespace wsedge::edge {

// Debian's Abseil has its own string_view type, so heterogeneous lookup is spelt out here.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct string_equal {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

template <typename Key, typename Value>
using string_map = absl::flat_hash_map<Key, Value, string_hash, string_equal>;

}  // namespace wsedge::edge
