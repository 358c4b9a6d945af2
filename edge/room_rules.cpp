// Room rules: parsing (Boost.JSON) and the first-match decision.
#include "edge/room_rules.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "edge/room_access.hpp"

namespace wsedge::edge {

namespace json = boost::json;

namespace {

bool role_listed(const std::vector<std::string>& roles, std::string_view role) {
  return std::any_of(roles.begin(), roles.end(),
                     [role](const std::string& r) { return r == "*" || r == role; });
}

absl::StatusOr<std::vector<std::string>> role_list(const json::object& rule, std::string_view key,
                                                   std::size_t index) {
  const json::value* list = rule.if_contains(key);
  if (list == nullptr) return std::vector<std::string>{"*"};
  if (!list->is_array())
    return absl::InvalidArgumentError("room_rules: rule " + std::to_string(index) + ": \"" +
                                      std::string(key) + "\" must be a list of roles");
  std::vector<std::string> roles;
  for (const json::value& role : list->get_array()) {
    if (!role.is_string())
      return absl::InvalidArgumentError("room_rules: rule " + std::to_string(index) +
                                        ": roles are strings");
    roles.emplace_back(role.get_string());
  }
  return roles;
}

}  // namespace

bool rules_allow(const std::vector<room_rule>& rules, std::string_view room, std::string_view role,
                 room_action action) {
  for (const room_rule& rule : rules) {
    if (!room_pattern_matches(rule.room, room)) continue;
    switch (action) {
      case room_action::subscribe:
        return role_listed(rule.subscribe, role);
      case room_action::publish:
        return role_listed(rule.publish, role);
      case room_action::presence:
        return role_listed(rule.presence, role);
      case room_action::send:
        return role_listed(rule.send, role);
    }
    return false;
  }
  return true;
}

absl::StatusOr<std::vector<room_rule>> parse_room_rules(std::string_view json_text) {
  json::error_code ec;
  json::value doc = json::parse(json_text, ec);
  if (ec) return absl::InvalidArgumentError("room_rules: not valid JSON: " + ec.message());
  const json::value* list = doc.is_object() ? doc.get_object().if_contains("rules") : nullptr;
  if (list == nullptr || !list->is_array())
    return absl::InvalidArgumentError("room_rules: expected {\"rules\": [ … ]}");
  std::vector<room_rule> rules;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const json::value& item = list->get_array()[i];
    const json::value* room = item.is_object() ? item.get_object().if_contains("room") : nullptr;
    if (room == nullptr || !room->is_string() || room->get_string().empty())
      return absl::InvalidArgumentError("room_rules: rule " + std::to_string(i) +
                                        " needs a \"room\" pattern");
    auto subscribe = role_list(item.get_object(), "subscribe", i);
    if (!subscribe.ok()) return subscribe.status();
    auto publish = role_list(item.get_object(), "publish", i);
    if (!publish.ok()) return publish.status();
    auto presence = role_list(item.get_object(), "presence", i);
    if (!presence.ok()) return presence.status();
    auto send = role_list(item.get_object(), "send", i);
    if (!send.ok()) return send.status();
    rules.push_back({std::string(room->get_string()), *std::move(subscribe), *std::move(publish),
                     *std::move(presence), *std::move(send)});
  }
  return rules;
}

}  // namespace wsedge::edge
