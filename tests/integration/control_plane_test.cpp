// gRPC control plane against a real node: Publish targets, Stats, Kick, health, errors.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace json = boost::json;
namespace v1 = wsedge::v1;

class ControlPlane : public ::testing::Test {
 protected:
  static void subscribe(ws_client& c, const std::string& room) {
    c.send(R"({"type":"subscribe","room":")" + room + R"("})");
    EXPECT_EQ(c.read_json().at("type"), "subscribed");
  }
  // The next message's data; a marker sent to everyone proves nothing else came before it.
  static json::value next_data(ws_client& c) {
    auto v = c.read_json();
    EXPECT_TRUE(v.is_object());
    return v.is_object() ? v.at("data") : json::value();
  }
  void publish_marker(const std::string& marker) {
    v1::Target all;
    all.set_all(true);
    ASSERT_TRUE(node.publish(all, "\"" + marker + "\"").ok());
  }

  test_node node;
};

TEST_F(ControlPlane, PublishToRoomReachesOnlyItsMembers) {
  ws_client a, b, outsider;
  a.connect_and_greet(node.ws_port());
  b.connect_and_greet(node.ws_port());
  outsider.connect_and_greet(node.ws_port());
  subscribe(a, "news");
  subscribe(b, "news");
  v1::PublishResponse response;
  ASSERT_TRUE(node.publish(room_target("news"), R"({"headline":"hi"})", &response).ok());
  EXPECT_EQ(response.seq(), 1u);
  EXPECT_EQ(response.recipients(), 2u);
  for (ws_client* c : {&a, &b}) {
    auto m = c->read_json().as_object();
    EXPECT_EQ(m.at("room"), "news");
    EXPECT_EQ(m.at("from"), "");
    EXPECT_EQ(m.at("data").at("headline"), "hi");
  }
  publish_marker("end");
  EXPECT_EQ(next_data(outsider), "end");
}

TEST_F(ControlPlane, PublishToAllAndToOneClient) {
  ws_client a, b;
  auto a_id = a.connect_and_greet(node.ws_port());
  b.connect_and_greet(node.ws_port());
  v1::PublishResponse response;
  v1::Target all;
  all.set_all(true);
  ASSERT_TRUE(node.publish(all, "1", &response).ok());
  EXPECT_EQ(response.recipients(), 2u);
  EXPECT_EQ(response.seq(), 0u);
  for (ws_client* c : {&a, &b}) {
    auto m = c->read_json().as_object();
    EXPECT_EQ(m.at("room"), "");
    EXPECT_FALSE(m.contains("seq"));
  }
  v1::Target one;
  one.set_client_id(a_id);
  ASSERT_TRUE(node.publish(one, R"("only a")", &response).ok());
  EXPECT_EQ(response.recipients(), 1u);
  EXPECT_EQ(next_data(a), "only a");
  publish_marker("after");
  EXPECT_EQ(next_data(b), "after");
}

TEST_F(ControlPlane, UnknownTargetsReachNobodyWithoutError) {
  ws_client a;
  a.connect_and_greet(node.ws_port());
  v1::PublishResponse response;
  ASSERT_TRUE(node.publish(room_target("empty-room"), "1", &response).ok());
  EXPECT_EQ(response.recipients(), 0u);
  v1::Target target;
  target.set_client_id("no-such-client");
  ASSERT_TRUE(node.publish(target, "1", &response).ok());
  EXPECT_EQ(response.recipients(), 0u);
  // Anonymous connections have no user id or role.
  target.set_user_id("alice");
  ASSERT_TRUE(node.publish(target, "1", &response).ok());
  EXPECT_EQ(response.recipients(), 0u);
  target.set_role("admin");
  ASSERT_TRUE(node.publish(target, "1", &response).ok());
  EXPECT_EQ(response.recipients(), 0u);
}

TEST_F(ControlPlane, InvalidPublishesAreInvalidArgument) {
  EXPECT_EQ(node.publish(room_target("r"), "{not json").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(node.publish(room_target("bad room"), "1").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(node.publish(v1::Target(), "1").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::Target not_all;
  not_all.set_all(false);
  auto status = node.publish(not_all, "1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(status.error_message().empty());
}

TEST_F(ControlPlane, StatsFollowJoinsAndLeaves) {
  ws_client a, b;
  a.connect_and_greet(node.ws_port());
  b.connect_and_greet(node.ws_port());
  subscribe(a, "x");
  subscribe(b, "x");
  subscribe(b, "y");
  auto stats = node.stats();
  EXPECT_EQ(stats.connections(), 2u);
  EXPECT_EQ(stats.rooms(), 2u);
  EXPECT_EQ(stats.subscriptions(), 3u);
  EXPECT_EQ(stats.room_stats_size(), 2);
  EXPECT_EQ(stats.connections_by_role().at(""), 2u);
  EXPECT_EQ(stats.shards(), 2u);
  EXPECT_GT(stats.uptime_seconds(), 0.0);
  auto only_x = node.stats("x");
  ASSERT_EQ(only_x.room_stats_size(), 1);
  EXPECT_EQ(only_x.room_stats(0).room(), "x");
  EXPECT_EQ(only_x.room_stats(0).members(), 2u);

  b.send(R"({"type":"unsubscribe","room":"y"})");
  EXPECT_EQ(b.read_json().at("type"), "unsubscribed");
  stats = node.stats();
  EXPECT_EQ(stats.rooms(), 1u);
  EXPECT_EQ(stats.subscriptions(), 2u);
  EXPECT_GE(stats.messages_in(), 4u);
  EXPECT_GE(stats.messages_out(), 6u);

  {
    // Dropped without a close handshake: the server still notices and forgets it.
    ws_client gone;
    gone.connect_and_greet(node.ws_port());
    subscribe(gone, "x");
  }
  ASSERT_TRUE(node.events().wait_for([](const event_counts& c) { return c.closed >= 1; }));
  EXPECT_EQ(node.stats("x").room_stats(0).members(), 2u);
}

TEST_F(ControlPlane, KickClosesWith4000AndTheReason) {
  ws_client a, b, other;
  auto a_id = a.connect_and_greet(node.ws_port());
  b.connect_and_greet(node.ws_port());
  other.connect_and_greet(node.ws_port());
  v1::KickRequest request;
  request.set_client_id(a_id);
  request.set_reason("bye now");
  v1::KickResponse response;
  ASSERT_TRUE(node.kick(request, &response).ok());
  EXPECT_EQ(response.kicked(), 1u);
  EXPECT_EQ(a.wait_for_close(), 4000);
  EXPECT_EQ(a.close_reason(), "bye now");

  request.set_client_id("nobody");
  ASSERT_TRUE(node.kick(request, &response).ok());
  EXPECT_EQ(response.kicked(), 0u);
  request.set_user_id("nobody");
  ASSERT_TRUE(node.kick(request, &response).ok());
  EXPECT_EQ(response.kicked(), 0u);
  EXPECT_EQ(node.kick(v1::KickRequest(), &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  other.send(R"({"type":"ping"})");
  EXPECT_EQ(other.read_json().at("type"), "pong");
}

TEST_F(ControlPlane, HealthIsServing) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(node.grpc_port()),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  // grpc.health.v1.HealthCheckRequest{service: ""} is an empty message; response field 1 = 1.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice empty_message("");
  grpc::ByteBuffer request(&empty_message, 1), reply;
  grpc::Status status;
  bool done = false;
  std::mutex m;
  std::condition_variable cv;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &reply,
                    [&](grpc::Status s) {
                      std::lock_guard lock(m);
                      status = s;
                      done = true;
                      cv.notify_one();
                    });
  std::unique_lock lock(m);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; }));
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

TEST(ControlToken, CallsWithoutTheTokenAreUnauthenticated) {
  auto config = test_config();
  config.control.control_token = "s3cret";
  test_node node(config);
  EXPECT_EQ(node.publish(room_target("r"), "1").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::StatsRequest request;
  v1::StatsResponse response;
  grpc::ClientContext wrong;
  wrong.AddMetadata("authorization", "Bearer nope");
  EXPECT_EQ(node.control().Stats(&wrong, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext right;
  right.AddMetadata("authorization", "Bearer s3cret");
  EXPECT_TRUE(node.control().Stats(&right, request, &response).ok());
}

}  // namespace
}  // namespace wsedge::testing
