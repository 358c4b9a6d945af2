// Fuzzes the raw member scanner: on any valid JSON it must find exactly the top-level members
// Boost.JSON finds, each key decoded the same way and each raw text parsing to the same value.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/json_members.hpp"
#include "edge/protocol.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/json_same.hpp"

namespace json = boost::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The scanner's contract: it only ever sees what the validating parser accepted.
  if (!wsedge::edge::is_valid_json(text)) return 0;
  json::parse_options options;
  options.max_depth = wsedge::edge::max_json_depth;
  const json::value doc = json::parse(text, {}, options);

  std::vector<std::pair<std::string, std::string_view>> members;
  wsedge::edge::for_each_raw_member(
      text, [&](std::string_view key, std::string_view raw) { members.emplace_back(key, raw); });
  if (!doc.is_object()) {
    FUZZ_CHECK(members.empty());
    return 0;
  }
  const json::object& object = doc.as_object();
  // Boost.JSON keeps the last of two equal keys; so must a reader of the scanner's output.
  json::object scanned;
  for (const auto& [key, raw] : members) {
    json::error_code ec;
    json::value value = json::parse(raw, ec, {}, options);
    FUZZ_CHECK(!ec);
    scanned[key] = std::move(value);
  }
  FUZZ_CHECK(wsedge::fuzz::same_json(scanned, object));
  for (const auto& [key, value] : object) {
    const auto raw = wsedge::edge::find_raw_member(text, key);
    FUZZ_CHECK(raw.has_value() && wsedge::fuzz::same_json(json::parse(*raw, {}, options), value));
  }
  return 0;
}
