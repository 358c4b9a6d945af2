// When a connection is pinged, and when its silence or its token ends it: decisions only.
#pragma once

#include <chrono>
#include <optional>

#include "edge/edge_config.hpp"

namespace wsedge::edge {

enum class keepalive_action { none, ping, dead_peer, token_expired };

struct keepalive_state {
  std::chrono::steady_clock::time_point last_activity;  // any frame from the peer
  std::chrono::steady_clock::time_point last_ping;
};

// Silence past pong_timeout is a dead peer; an idle peer is pinged every ping_interval (not
// while a ping is still being written); a token that expired ends the connection first.
inline keepalive_action next_keepalive_action(
    const edge_config& cfg, const keepalive_state& state, bool ping_in_flight,
    std::chrono::steady_clock::time_point now,
    const std::optional<std::chrono::system_clock::time_point>& expires_at,
    std::chrono::system_clock::time_point wall_now) {
  if (expires_at && wall_now >= *expires_at) return keepalive_action::token_expired;
  if (now - state.last_activity > cfg.pong_timeout) return keepalive_action::dead_peer;
  if (!ping_in_flight && now - state.last_activity >= cfg.ping_interval &&
      now - state.last_ping >= cfg.ping_interval)
    return keepalive_action::ping;
  return keepalive_action::none;
}

}  // namespace wsedge::edge
