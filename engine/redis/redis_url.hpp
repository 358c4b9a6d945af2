// redis_url: `redis://[[user]:password@]host[:port][/db]`, parsed with Boost.URL.
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace wsedge::engine::redis {

struct redis_address {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string password;
  int db = 0;
};

// InvalidArgument (naming what is wrong, never the password) for anything else.
absl::StatusOr<redis_address> parse_redis_url(std::string_view url);

}  // namespace wsedge::engine::redis
