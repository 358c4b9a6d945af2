// redis_url parsing on Boost.URL.
#include "engine/redis/redis_url.hpp"

#include <absl/strings/numbers.h>

#include <boost/url/parse.hpp>

namespace wsedge::engine::redis {

absl::StatusOr<redis_address> parse_redis_url(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return absl::InvalidArgumentError("redis_url is not a URL (redis://host:port/db)");
  const boost::urls::url_view& url = *parsed;
  if (url.scheme() != "redis")
    return absl::InvalidArgumentError("redis_url must start with redis:// (TLS is not supported)");
  redis_address out;
  if (url.host().empty()) return absl::InvalidArgumentError("redis_url has no host");
  out.host = url.host_address();  // without an IPv6 address' brackets
  if (url.has_port()) {
    if (url.port_number() == 0) return absl::InvalidArgumentError("redis_url has a bad port");
    out.port = url.port_number();
  }
  if (url.has_password()) out.password = url.password();
  std::string path(url.path());
  if (!path.empty() && path != "/") {
    if (!absl::SimpleAtoi(path.substr(1), &out.db) || out.db < 0 || out.db > 15)
      return absl::InvalidArgumentError("redis_url's path must be a database number, /0 to /15");
  }
  return out;
}

}  // namespace wsedge::engine::redis
