// Between messages a plain connection waits for its socket with no WebSocket read pending, so
// frames that arrive together, keep-alive frames and bad frames must still all be handled.
#include <gtest/gtest.h>

#include "tests/support/client_frame.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace json = boost::json;
namespace v1 = wsedge::v1;

std::string ping_request(const std::string& id) {
  return R"({"type":"ping","id":")" + id + R"("})";
}

class IdleRead : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(client.connect_and_greet(node.ws_port()).empty()); }
  std::string next_pong_id() {
    json::value v = client.read_json();
    EXPECT_TRUE(v.is_object()) << "no reply: " << client.last_error();
    if (!v.is_object()) return {};
    EXPECT_EQ(str(v.at("type")), "pong");
    return str(v.at("id"));
  }

  test_node node;
  ws_client client;
};

TEST_F(IdleRead, MessagesArrivingInOneWriteAreEachAnswered) {
  client.send_raw(client_frame(0x81, ping_request("a")) + client_frame(0x81, ping_request("b")) +
                  client_frame(0x81, ping_request("c")));
  EXPECT_EQ(next_pong_id(), "a");
  EXPECT_EQ(next_pong_id(), "b");
  EXPECT_EQ(next_pong_id(), "c");
}

TEST_F(IdleRead, PingsAreAnsweredWithPongsCarryingTheirData) {
  client.ping("first");
  client.send_raw(client_frame(0x89, "second"));
  // Pongs are read as the client reads: a reply behind them proves they came first.
  client.send(ping_request("after"));
  EXPECT_EQ(next_pong_id(), "after");
  EXPECT_EQ(client.pongs(), 2);
}

TEST_F(IdleRead, KeepAliveAndDataFramesInOneWrite) {
  client.send_raw(client_frame(0x8A, "unsolicited") + client_frame(0x89, "p") +
                  client_frame(0x81, ping_request("z")));
  EXPECT_EQ(next_pong_id(), "z");
  EXPECT_EQ(client.pongs(), 1);
  client.send(ping_request("still-open"));
  EXPECT_EQ(next_pong_id(), "still-open");
}

TEST_F(IdleRead, UnmaskedFrameIsAProtocolError) {
  // A client must mask its frames (RFC 6455 §5.1): 0x81 = FIN + text, length 2, no mask bit.
  client.send_raw(std::string("\x81\x02{}", 4));
  EXPECT_EQ(client.wait_for_close(), 1002);
}

TEST_F(IdleRead, AKickedIdleConnectionEnds) {
  ws_client other;
  auto other_id = other.connect_and_greet(node.ws_port());
  ASSERT_TRUE(node.events().wait_for([](const event_counts& c) { return c.open() == 2; }));
  v1::KickRequest request;
  request.set_client_id(other_id);
  v1::KickResponse response;
  ASSERT_TRUE(node.kick(request, &response).ok());
  EXPECT_EQ(other.wait_for_close(), 4000);
  EXPECT_TRUE(node.events().wait_for([](const event_counts& c) { return c.open() == 1; }));
}

}  // namespace
}  // namespace wsedge::testing
