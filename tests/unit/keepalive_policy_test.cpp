// Keep-alive decisions: when a connection is pinged, and when silence or its token ends it.
#include "edge/keepalive_policy.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using wall = std::chrono::system_clock;

class KeepalivePolicy : public ::testing::Test {
 protected:
  KeepalivePolicy() {
    config.ping_interval = 30s;
    config.pong_timeout = 60s;
    state.last_activity = state.last_ping = t0;
  }
  keepalive_action at(steady::duration after, bool ping_in_flight = false,
                      std::optional<wall::time_point> expires = std::nullopt) {
    return next_keepalive_action(config, state, ping_in_flight, t0 + after, expires, wall_now);
  }

  edge_config config;
  keepalive_state state;
  const steady::time_point t0 = steady::now();
  const wall::time_point wall_now = wall::now();
};

TEST_F(KeepalivePolicy, AnActivePeerIsLeftAlone) {
  EXPECT_EQ(at(0s), keepalive_action::none);
  EXPECT_EQ(at(29s), keepalive_action::none);
}

TEST_F(KeepalivePolicy, AnIdlePeerIsPingedEveryIntervalButNotWhileAPingIsBeingWritten) {
  EXPECT_EQ(at(30s), keepalive_action::ping);
  EXPECT_EQ(at(30s, true), keepalive_action::none);
  // Pinged at 30 s: not again before 60 s, though the peer is still silent.
  state.last_ping = t0 + 30s;
  EXPECT_EQ(at(45s), keepalive_action::none);
  EXPECT_EQ(at(60s), keepalive_action::ping);
}

TEST_F(KeepalivePolicy, SilencePastThePongTimeoutIsADeadPeer) {
  EXPECT_EQ(at(60s), keepalive_action::ping);
  EXPECT_EQ(at(61s), keepalive_action::dead_peer);
  EXPECT_EQ(at(61s, true), keepalive_action::dead_peer);
  // Any frame from the peer resets the clock.
  state.last_activity = t0 + 50s;
  EXPECT_EQ(at(61s), keepalive_action::none);
}

TEST_F(KeepalivePolicy, AnExpiredTokenEndsTheConnectionBeforeAnythingElse) {
  EXPECT_EQ(at(1s, false, wall_now + 1s), keepalive_action::none);
  EXPECT_EQ(at(1s, false, wall_now), keepalive_action::token_expired);
  EXPECT_EQ(at(90s, false, wall_now - 1s), keepalive_action::token_expired);
}

}  // namespace
}  // namespace wsedge::edge
