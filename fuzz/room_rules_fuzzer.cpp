// Fuzzes the room rules file (room_rules_file): any document is parsed or refused with a
// reason, and parsed rules decide for any room and role as the first matching rule says.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edge/room_access.hpp"
#include "edge/room_rules.hpp"
#include "fuzz/fuzz_check.hpp"

namespace edge = wsedge::edge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto rules = edge::parse_room_rules(text);
  if (!rules.ok()) {
    FUZZ_CHECK(!rules.status().message().empty());
    return 0;
  }
  // Rooms and roles the document itself names, and some it does not.
  std::vector<std::string> rooms{"lobby", "user:u1", ""};
  std::vector<std::string> roles{"", "admin", "*"};
  for (const edge::room_rule& rule : *rules) {
    FUZZ_CHECK(!rule.room.empty());
    std::string room = rule.room;
    if (room.ends_with('*')) room.back() = 'x';
    rooms.push_back(room);
    for (const auto& role : rule.subscribe) roles.push_back(role);
  }
  for (const std::string& room : rooms) {
    const edge::room_rule* first = nullptr;
    for (const edge::room_rule& rule : *rules)
      if (first == nullptr && edge::room_pattern_matches(rule.room, room)) first = &rule;
    for (const std::string& role : roles) {
      const bool allowed = edge::rules_allow(*rules, room, role, edge::room_action::subscribe);
      if (first == nullptr) FUZZ_CHECK(allowed);
      if (first != nullptr && first->subscribe.empty()) FUZZ_CHECK(!allowed);
      (void)edge::rules_allow(*rules, room, role, edge::room_action::publish);
      (void)edge::rules_allow(*rules, room, role, edge::room_action::presence);
    }
  }
  return 0;
}
