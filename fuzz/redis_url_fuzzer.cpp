// Fuzzes redis_url (a setting, and the address a node connects to): parsed into a usable
// address or refused, never anything in between.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/redis/redis_url.hpp"
#include "fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto address = wsedge::engine::redis::parse_redis_url(text);
  if (!address.ok()) return 0;
  FUZZ_CHECK(!address->host.empty() && address->port != 0);
  FUZZ_CHECK(address->db >= 0 && address->db <= 15);
  return 0;
}
