// write_delay: deliveries to a connection inside the coalescing window leave in one write, in
// order, and ahead of a close; without it each delivery batch is written at once.
#include <gtest/gtest.h>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

using namespace std::chrono_literals;

constexpr int publishes = 5;

// Joins room "w", publishes `publishes` messages one after another (each call returns once the
// message is queued), reads them, and returns how many socket writes carried them. With
// `read_each`, each message is read (and its write counted) before the next is published, so no
// two can share a write by happening to meet in the queue.
std::uint64_t writes_for_publishes(test_node& node, bool read_each = false) {
  ws_client client;
  EXPECT_FALSE(client.connect_and_greet(node.ws_port(), "/ws/rooms/w").empty());
  EXPECT_EQ(str(client.read_json().at("type")), "subscribed");
  // Counted once written: the greeting and the join acknowledgement, before any delivery.
  EXPECT_TRUE(node.events().wait_for([](const event_counts& c) { return c.messages_sent >= 2; }));
  const event_counts before = node.events().snapshot();
  for (int i = 1; i <= publishes; ++i) {
    EXPECT_TRUE(node.publish(room_target("w"), std::to_string(i)).ok());
    if (read_each) {
      EXPECT_TRUE(node.events().wait_for([&](const event_counts& c) {
        return c.messages_sent >= before.messages_sent + static_cast<std::uint64_t>(i);
      }));
    }
  }
  for (int i = 1; i <= publishes; ++i) {
    auto m = client.read_json(5s);
    EXPECT_TRUE(m.is_object()) << "message " << i << " missing: " << client.last_error();
    if (!m.is_object()) return 0;
    EXPECT_EQ(m.at("seq"), i);
    EXPECT_EQ(m.at("data"), i);
  }
  // The client can read a frame just before the server counts its write.
  EXPECT_TRUE(node.events().wait_for(
      [&](const event_counts& c) { return c.messages_sent >= before.messages_sent + publishes; }));
  const event_counts after = node.events().snapshot();
  EXPECT_EQ(after.messages_sent - before.messages_sent, std::uint64_t{publishes});
  return after.socket_writes - before.socket_writes;
}

TEST(WriteDelay, DeliveriesInsideTheWindowShareOneWrite) {
  auto config = test_config();
  config.edge.write_delay = 1000ms;
  test_node node(config);
  // One write, unless the five calls straddle the window's end on a very slow machine.
  EXPECT_LE(writes_for_publishes(node), 2u);
}

TEST(WriteDelay, AKickedConnectionGetsTheWindowsDeliveriesBeforeItsClose) {
  auto config = test_config();
  config.edge.write_delay = 1000ms;
  test_node node(config);
  ws_client client;
  const std::string id = client.connect_and_greet(node.ws_port(), "/ws/rooms/w");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(str(client.read_json().at("type")), "subscribed");
  ASSERT_TRUE(node.publish(room_target("w"), "\"last words\"").ok());
  wsedge::v1::KickRequest kick;
  kick.set_client_id(id);
  wsedge::v1::KickResponse kicked;
  ASSERT_TRUE(node.kick(kick, &kicked).ok());
  EXPECT_EQ(kicked.kicked(), 1u);
  auto m = client.read_json();
  ASSERT_TRUE(m.is_object()) << "the delayed delivery was dropped: " << client.last_error();
  EXPECT_EQ(m.at("data"), "last words");
  EXPECT_EQ(client.wait_for_close(), 4000);
}

TEST(WriteDelay, AConnectionThatEndsInsideTheWindowIsSkipped) {
  auto config = test_config();
  config.edge.write_delay = 2000ms;
  test_node node(config);
  ws_client stays;
  ASSERT_FALSE(stays.connect_and_greet(node.ws_port(), "/ws/rooms/w").empty());
  EXPECT_EQ(str(stays.read_json().at("type")), "subscribed");
  {
    ws_client leaves;
    ASSERT_FALSE(leaves.connect_and_greet(node.ws_port(), "/ws/rooms/w").empty());
    EXPECT_EQ(str(leaves.read_json().at("type")), "subscribed");
    ASSERT_TRUE(node.publish(room_target("w"), "1").ok());  // opens the window for both
  }  // the socket closes with the message still waiting in the window
  EXPECT_TRUE(node.events().wait_for([](const event_counts& c) { return c.closed == 1; }));
  ASSERT_TRUE(node.publish(room_target("w"), "2").ok());
  for (int expected : {1, 2}) {
    auto m = stays.read_json();
    ASSERT_TRUE(m.is_object()) << stays.last_error();
    EXPECT_EQ(m.at("data"), expected);
  }
}

TEST(WriteDelay, WithoutItEachDeliveryIsWrittenAtOnce) {
  test_node node;
  // Each is written before the next is published: nothing waits for a window.
  EXPECT_EQ(writes_for_publishes(node, true), std::uint64_t{publishes});
}

}  // namespace
}  // namespace wsedge::testing
