// gRPC control plane against a real node: Publish targets, Stats, Kick, health, errors.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace json = boost::json;
namespace v1 = wsedge::v1;

// A unary call with the request's bytes as given (no generated class checks them); returns the
// status and the reply's bytes.
std::pair<grpc::Status, std::string> unary_bytes(test_node& node, const std::string& method,
                                                 const std::string& request_bytes) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(node.grpc_port()),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1), reply;
  grpc::Status status;
  bool done = false;
  std::mutex m;
  std::condition_variable cv;
  generic.UnaryCall(&context, method, grpc::StubOptions(), &request, &reply, [&](grpc::Status s) {
    std::lock_guard lock(m);
    status = s;
    done = true;
    cv.notify_one();
  });
  std::unique_lock lock(m);
  // The deadline ends the call with DEADLINE_EXCEEDED; the callback always runs.
  cv.wait(lock, [&] { return done; });
  std::string bytes;
  std::vector<grpc::Slice> slices;
  if (status.ok() && reply.Dump(&slices).ok()) {
    for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return {status, bytes};
}

// A length-delimited protobuf field (wire type 2): tag, varint length, bytes.
std::string field_bytes(int number, std::string_view bytes) {
  std::string out(1, static_cast<char>(number << 3 | 2));
  std::size_t size = bytes.size();
  for (; size >= 0x80; size >>= 7) out += static_cast<char>((size & 0x7F) | 0x80);
  out += static_cast<char>(size);
  out.append(bytes);
  return out;
}

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
  // grpc.health.v1.HealthCheckRequest{service: ""} is an empty message; response field 1 = 1.
  auto [status, bytes] = unary_bytes(node, "/grpc.health.v1.Health/Check", "");
  ASSERT_TRUE(status.ok()) << status.error_message();
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

// Protobuf refuses a proto3 `string` that is not UTF-8 while it parses the request, before the
// service runs, and gRPC's callback API then ends the call with UNIMPLEMENTED and no message
// (grpcpp server_callback_handlers.h). The service cannot answer INVALID_ARGUMENT for what it
// never sees; this pins what callers get, as docs/protocol.md states it.
TEST_F(ControlPlane, InvalidUtf8InAStringFieldIsRefusedByGrpcAsUnimplemented) {
  const std::string publish = "/wsedge.v1.EdgeControl/Publish";
  const std::string kick = "/wsedge.v1.EdgeControl/Kick";
  const std::string bad = "\xC3\x28";
  const auto publish_bytes = [](const std::string& room, const std::string& data) {
    return field_bytes(1, field_bytes(1, room)) + field_bytes(2, data);  // target.room, data
  };
  ws_client member;
  const std::string id = member.connect_and_greet(node.ws_port());
  subscribe(member, "r");
  // The same encoding with valid UTF-8 is an ordinary Publish.
  auto [fine, fine_reply] = unary_bytes(node, publish, publish_bytes("r", R"("fine")"));
  ASSERT_TRUE(fine.ok()) << fine.error_message();
  EXPECT_EQ(next_data(member), "fine");

  for (const std::string& request :
       {publish_bytes("r", "\"" + bad + "\""), publish_bytes("r" + bad, "1")}) {
    auto [status, reply] = unary_bytes(node, publish, request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(status.error_message(), "");
  }
  // The generated C++ stub sends such a string too (protobuf only logs while serializing).
  EXPECT_EQ(node.publish(room_target("r"), "\"" + bad + "\"").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  auto [refused_kick, refused_reply] =
      unary_bytes(node, kick, field_bytes(1, id) + field_bytes(3, "bye" + bad));
  EXPECT_EQ(refused_kick.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  // None of the refused calls did anything: no message, no kick; then a valid Kick of the
  // same encoding closes the member.
  publish_marker("still here");
  EXPECT_EQ(next_data(member), "still here");
  auto [kicked, kick_reply] = unary_bytes(node, kick, field_bytes(1, id) + field_bytes(3, "bye"));
  ASSERT_TRUE(kicked.ok()) << kicked.error_message();
  EXPECT_EQ(member.wait_for_close(), 4000);
  EXPECT_EQ(member.close_reason(), "bye");
}

// Every page of room_stats, following next_page_token from the first page on.
std::vector<v1::StatsResponse> stats_pages(test_node& node, std::uint32_t limit) {
  std::vector<v1::StatsResponse> pages;
  v1::StatsRequest request;
  request.set_limit(limit);
  do {
    v1::StatsResponse page;
    auto status = node.stats(request, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    request.set_page_token(page.next_page_token());
    pages.push_back(std::move(page));
  } while (!request.page_token().empty() && pages.size() < 1000);
  return pages;
}

// The rooms of all pages in the order given; fails unless they come largest first, ties by
// name, each once.
std::vector<v1::RoomStats> in_order(const std::vector<v1::StatsResponse>& pages) {
  std::vector<v1::RoomStats> rooms;
  for (const auto& page : pages)
    for (const auto& room : page.room_stats()) {
      if (!rooms.empty()) {
        const auto& before = rooms.back();
        EXPECT_TRUE(before.members() > room.members() ||
                    (before.members() == room.members() && before.room() < room.room()))
            << before.room() << " (" << before.members() << ") before " << room.room() << " ("
            << room.members() << ")";
      }
      rooms.push_back(room);
    }
  return rooms;
}

TEST_F(ControlPlane, StatsPagesWalkEveryRoomOnceLargestFirst) {
  // r00-r04 get 3 members, r05-r09 2, r10-r29 and s00-s04 1: 35 rooms, most of them tied.
  const auto names = [](const std::string& prefix, int from, int to) {
    std::vector<std::string> rooms;
    for (int i = from; i < to; ++i)
      rooms.push_back(prefix + (i < 10 ? "0" : "") + std::to_string(i));
    return rooms;
  };
  std::map<std::string, std::uint64_t> expected;
  ws_client a, b, c;
  for (ws_client* client : {&a, &b, &c})
    ASSERT_FALSE(client->connect_and_greet(node.ws_port()).empty());
  for (auto& [client, rooms] : {std::pair{&a, names("r", 0, 30)}, std::pair{&b, names("r", 0, 10)},
                                std::pair{&c, names("r", 0, 5)}, std::pair{&b, names("s", 0, 5)}}) {
    for (const auto& room : rooms) {
      subscribe(*client, room);
      ++expected[room];
    }
  }

  const auto pages = stats_pages(node, 4);
  ASSERT_EQ(pages.size(), 9u);  // 8 pages of 4, then 3 rooms
  for (std::size_t i = 0; i < pages.size(); ++i) {
    EXPECT_EQ(pages[i].room_stats_size(), i + 1 < pages.size() ? 4 : 3);
    EXPECT_EQ(pages[i].rooms(), 35u);  // the totals are whole on every page
    EXPECT_EQ(pages[i].next_page_token().empty(), i + 1 == pages.size());
  }
  std::map<std::string, std::uint64_t> seen;
  for (const auto& room : in_order(pages)) seen[room.room()] = room.members();
  EXPECT_EQ(seen, expected);

  // Fewer rooms than the default page: one reply, no token.
  const auto all = node.stats();
  EXPECT_EQ(all.room_stats_size(), 35);
  EXPECT_EQ(all.next_page_token(), "");
  v1::StatsRequest forged;
  forged.set_page_token("not a token");
  v1::StatsResponse response;
  EXPECT_EQ(node.stats(forged, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// The issue's input: 260 connections each in 128 rooms of 128-character names made one Stats
// reply 4.5 MB, over the 4 MB a gRPC client accepts by default.
TEST_F(ControlPlane, StatsStayReadableWhenRoomNamesAddUpToMoreThanFourMegabytes) {
  constexpr int clients = 260, rooms_each = 128;
  std::vector<std::unique_ptr<ws_client>> members;
  for (int i = 0; i < clients; ++i) {
    auto& client = *members.emplace_back(std::make_unique<ws_client>());
    ASSERT_FALSE(client.connect_and_greet(node.ws_port()).empty());
    for (int j = 0; j < rooms_each; ++j) {
      std::string room = std::to_string(i * rooms_each + j);
      room.insert(0, 128 - room.size(), 'x');
      client.send(R"({"type":"subscribe","room":")" + room + R"("})");
    }
    for (int j = 0; j < rooms_each; ++j)
      ASSERT_EQ(str(client.read_json().at("type")), "subscribed");
  }
  constexpr std::size_t total = clients * rooms_each;

  const auto first = node.stats();  // StatsRequest{}: the default page
  EXPECT_EQ(first.rooms(), total);
  EXPECT_EQ(first.room_stats_size(), 1000);
  EXPECT_FALSE(first.next_page_token().empty());
  EXPECT_LT(first.ByteSizeLong(), 200'000u);

  // A limit over the cap gets pages of 10,000: the largest reply, still well under 4 MB.
  const auto pages = stats_pages(node, 1'000'000);
  ASSERT_EQ(pages.size(), 4u);
  std::set<std::string> seen;
  for (const auto& page : pages) {
    EXPECT_LE(page.room_stats_size(), 10'000);
    EXPECT_LT(page.ByteSizeLong(), 1'500'000u);
  }
  for (const auto& room : in_order(pages)) seen.insert(room.room());
  EXPECT_EQ(seen.size(), total);
}

}  // namespace
}  // namespace wsedge::testing
