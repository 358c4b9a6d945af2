// PublishBatch: several publishes in one call, all checked before any is published, in order.
#include <gtest/gtest.h>

#include <vector>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace v1 = wsedge::v1;

class PublishBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    client_id = member.connect_and_greet(node.ws_port(), "/ws/rooms/b1");
    ASSERT_FALSE(client_id.empty());
    ASSERT_EQ(str(member.read_json().at("type")), "subscribed");
  }
  static void add(v1::PublishBatchRequest& batch, const v1::Target& target,
                  const std::string& data) {
    auto* item = batch.add_publishes();
    *item->mutable_target() = target;
    item->set_data(data);
  }
  grpc::Status call(const v1::PublishBatchRequest& batch, v1::PublishBatchResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return node.control().PublishBatch(&context, batch, response);
  }

  test_node node;
  ws_client member;
  std::string client_id;
};

TEST_F(PublishBatch, PublishesEveryItemInOrderWithItsResult) {
  v1::Target to_client;
  to_client.set_client_id(client_id);
  v1::PublishBatchRequest batch;
  add(batch, room_target("b1"), "1");
  add(batch, room_target("b1"), "2");
  add(batch, to_client, "3");
  add(batch, room_target("nobody-here"), "4");
  v1::PublishBatchResponse response;
  ASSERT_TRUE(call(batch, &response).ok());
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.results(0).seq(), 1u);
  EXPECT_EQ(response.results(1).seq(), 2u);
  EXPECT_EQ(response.results(2).seq(), 0u);  // not a room target
  EXPECT_EQ(response.results(3).seq(), 1u);  // an empty room: numbered and kept all the same
  EXPECT_EQ(response.results(3).epoch().size(), 12u);
  EXPECT_EQ(response.results(2).epoch(), "");
  for (int i : {0, 1, 2}) EXPECT_EQ(response.results(i).recipients(), 1u) << i;
  EXPECT_EQ(response.results(3).recipients(), 0u);
  // The room's items arrive in order; the item for the client travels another path (straight
  // to the client's shard, not through the room's owner) and may come before, between or after.
  std::vector<std::int64_t> room_items;
  bool client_item = false;
  for (int i = 0; i < 3; ++i) {
    auto m = member.read_json();
    ASSERT_TRUE(m.is_object()) << member.last_error();
    if (m.at("room") == "b1")
      room_items.push_back(m.at("data").as_int64());
    else
      client_item = m.at("data") == 3;
  }
  EXPECT_EQ(room_items, (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(client_item);
}

TEST_F(PublishBatch, OneBadItemFailsTheCallAndPublishesNothing) {
  for (auto [target, data] : {std::pair{room_target("bad room!"), std::string("1")},
                              std::pair{room_target("b1"), std::string("{not json")}}) {
    v1::PublishBatchRequest batch;
    add(batch, room_target("b1"), "\"fine\"");
    add(batch, target, data);
    v1::PublishBatchResponse response;
    grpc::Status status = call(batch, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("publishes[1]"), std::string::npos)
        << status.error_message();
  }
  // The room's first message is the one published now: nothing of the batches got out.
  v1::PublishResponse published;
  ASSERT_TRUE(node.publish(room_target("b1"), "\"after\"", &published).ok());
  EXPECT_EQ(published.seq(), 1u);
  auto m = member.read_json();
  ASSERT_TRUE(m.is_object()) << member.last_error();
  EXPECT_EQ(m.at("data"), "after");
}

TEST_F(PublishBatch, SizeLimits) {
  v1::PublishBatchResponse response;
  EXPECT_TRUE(call({}, &response).ok());
  EXPECT_EQ(response.results_size(), 0);
  v1::PublishBatchRequest too_many;
  for (int i = 0; i < 1001; ++i) add(too_many, room_target("b1"), "1");
  grpc::Status status = call(too_many, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("at most 1000"), std::string::npos);
}

}  // namespace
}  // namespace wsedge::testing
