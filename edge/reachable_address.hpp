// Where a client on this machine reaches a listener bound to `bind_address`: a wildcard bind
// ("0.0.0.0", "::" (dual-stack on Linux) or none) is reached on 127.0.0.1; any other address is
// itself.
#pragma once

#include <string>

namespace wsedge::edge {

inline std::string reachable_address(const std::string& bind_address) {
  if (bind_address.empty() || bind_address == "0.0.0.0" || bind_address == "::") return "127.0.0.1";
  return bind_address;
}

}  // namespace wsedge::edge
