// Closes that flush: a kicked, drained or expiring connection first gets every message counted
// in a publish's recipients, in order, then its close code; a slow consumer is still evicted.
#include <gtest/gtest.h>

#include <jwt/jwt.hpp>
#include <string>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace v1 = wsedge::v1;

// Enough bytes that most of them wait in the server's queue, not in socket buffers.
constexpr int message_count = 5000;
constexpr std::size_t message_bytes = 2000;

constexpr char jwt_secret[] = "close-flush-secret";

// Deep queues; tokens are optional (anonymous members too) and expire without leeway.
app::server_config deep_queues() {
  auto config = test_config();
  config.edge.max_queue_messages = 2 * message_count;
  config.edge.max_queue_bytes = 64 << 20;
  config.jwt.emplace();
  config.jwt->secret = jwt_secret;
  config.jwt->leeway = std::chrono::seconds(0);
  return config;
}

class CloseFlush : public ::testing::Test {
 protected:
  CloseFlush() : node(deep_queues()) {}

  // The member joins "feed" (with `token`, when given) and reads nothing until told.
  void join(const std::string& token = "") {
    client_id = member.connect_and_greet(
        node.ws_port(), "/ws/rooms/feed" + (token.empty() ? "" : "?token=" + token));
    ASSERT_FALSE(client_id.empty());
    EXPECT_EQ(str(member.read_json().at("type")), "subscribed");
  }

  // Publishes message_count messages to the member (which reads none meanwhile); returns how
  // many publishes counted it as a recipient.
  std::uint64_t publish_backlog() {
    const std::string padding(message_bytes, 'x');
    std::uint64_t counted = 0;
    for (int first = 1; first <= message_count; first += 1000) {
      v1::PublishBatchRequest batch;
      for (int n = first; n < first + 1000; ++n) {
        auto* item = batch.add_publishes();
        item->mutable_target()->set_room("feed");
        item->set_data("{\"n\":" + std::to_string(n) + ",\"pad\":\"" + padding + "\"}");
      }
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::PublishBatchResponse response;
      EXPECT_TRUE(node.control().PublishBatch(&context, batch, &response).ok());
      for (const auto& result : response.results()) counted += result.recipients();
    }
    return counted;
  }

  // Reads every message until the close; returns the close code after checking the order.
  int read_all_then_close(std::uint64_t expected) {
    std::uint64_t next = 1;
    while (auto text = member.read(10s)) {
      auto message = boost::json::parse(*text).as_object();
      EXPECT_EQ(message.at("seq").to_number<std::uint64_t>(), next) << "a gap or a duplicate";
      if (message.at("seq").to_number<std::uint64_t>() != next) break;
      ++next;
    }
    EXPECT_EQ(next - 1, expected) << member.last_error();
    return member.close_code();
  }

  test_node node;
  ws_client member;
  std::string client_id;
};

TEST_F(CloseFlush, AKickedMemberGetsEveryCountedMessageThenItsCloseCode) {
  join();
  const std::uint64_t counted = publish_backlog();
  ASSERT_EQ(counted, static_cast<std::uint64_t>(message_count));
  v1::KickRequest kick;
  kick.set_client_id(client_id);
  kick.set_reason("bye");
  v1::KickResponse kicked;
  ASSERT_TRUE(node.kick(kick, &kicked).ok());
  EXPECT_EQ(kicked.kicked(), 1u);
  EXPECT_EQ(read_all_then_close(counted), 4000);
  EXPECT_EQ(member.close_reason(), "bye");
}

TEST_F(CloseFlush, ADrainedMemberGetsEveryCountedMessageThenGoingAway) {
  join();
  const std::uint64_t counted = publish_backlog();
  ASSERT_EQ(counted, static_cast<std::uint64_t>(message_count));
  node.server().hub().drain();
  EXPECT_EQ(read_all_then_close(counted), 1001);
}

TEST_F(CloseFlush, AMemberWhoseTokenExpiresGetsEveryCountedMessageThen1008) {
  jwt::jwt_object token{jwt::params::algorithm("HS256"), jwt::params::secret(jwt_secret)};
  token.add_claim("sub", "short-lived");
  token.add_claim("exp", std::chrono::system_clock::now() + std::chrono::seconds(3));
  join(token.signature());
  const std::uint64_t counted = publish_backlog();
  ASSERT_EQ(counted, static_cast<std::uint64_t>(message_count));
  // The backlog is still queued when the token runs out: the close must come after all of it.
  ASSERT_TRUE(node.events().wait_for(
      [](const event_counts& c) { return c.errors.count("token_expired") == 1; }, 10s));
  EXPECT_EQ(read_all_then_close(counted), 1008);
  EXPECT_EQ(member.close_reason(), "token expired");
}

TEST(CloseFlushDefaults, AMemberThatNeverReadsIsStillEvictedWith4001) {
  test_node node;
  ws_client member;
  member.connect_and_greet(node.ws_port(), "/ws/rooms/feed");
  const std::string padding(message_bytes, 'x');
  // Far past the default bound of 4 MiB: the member is a slow consumer, not a backlog to flush.
  for (int first = 0; first < 6000 && node.events().snapshot().slow_consumers == 0; first += 1000) {
    v1::PublishBatchRequest batch;
    for (int n = 0; n < 1000; ++n) {
      auto* item = batch.add_publishes();
      item->mutable_target()->set_room("feed");
      item->set_data("\"" + padding + "\"");
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::PublishBatchResponse response;
    ASSERT_TRUE(node.control().PublishBatch(&context, batch, &response).ok());
  }
  ASSERT_TRUE(node.events().wait_for([](const event_counts& c) { return c.slow_consumers == 1; }));
  EXPECT_EQ(member.wait_for_close(), 4001);
}

}  // namespace
}  // namespace wsedge::testing
