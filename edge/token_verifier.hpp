// Turns a client's bearer token into an identity; implemented outside the edge (auth/).
#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsedge::edge {

// Who a connection is. Anonymous connections have empty fields and no expiry.
struct identity {
  std::string user_id;
  std::string role;
  // Rooms the token allows (exact names, or prefixes ending in '*'); null = no restriction.
  // Shared and behind a pointer: most connections have none, and each one holds its identity.
  std::shared_ptr<const std::vector<std::string>> rooms;
  // When the token stops being valid; the connection is closed with 1008 then.
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

// Called on shard threads during the HTTP upgrade; must be thread-safe and must not block on I/O.
class token_verifier {
 public:
  virtual ~token_verifier() = default;
  // An error's message is a short reason fit for the 401 body ("token expired", …).
  virtual absl::StatusOr<identity> verify(std::string_view token) const = 0;
};

}  // namespace wsedge::edge
