// A few seconds of mixed hostile traffic against a TLS edge with a write_delay: TLS and plain
// clients publishing 7-20 KB messages and pings and then resetting (some in the middle of a
// frame), clients that never read (evicted with 4001), and gRPC Publish, PublishBatch, Kick and
// Stats at once. Afterwards connections, rooms and descriptors return to where they were and a
// drain ends at once. Run under ASan+UBSan by the test command.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "tests/support/client_frame.hpp"
#include "tests/support/test_files.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace v1 = wsedge::v1;

constexpr auto chaos_time = std::chrono::seconds(3);
constexpr std::string_view chaos_room = "chaos";

std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

// Client ids seen by the chaos clients, for the Kick thread.
class id_board {
 public:
  void add(std::string id) {
    std::lock_guard lock(mutex_);
    ids_.push_back(std::move(id));
  }
  std::string pick(std::mt19937& random) {
    std::lock_guard lock(mutex_);
    if (ids_.empty()) return {};
    return ids_[random() % ids_.size()];
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> ids_;
};

// Runs `context` until `done` or 5 s; false on the deadline.
bool run_until(net::io_context& context, const bool& done) {
  context.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done && context.run_one_until(deadline) != 0) {
  }
  return done;
}

// One chaos client's life over `ws` (plain or TLS): connect, join, publish big messages and
// pings, then leave in one of several rude ways. Every step has a deadline.
template <class WebSocket>
void live_and_reset(WebSocket& ws, net::io_context& context, std::uint16_t port, int style,
                    std::mt19937& random, id_board& ids) {
  bool done = false;
  beast::error_code failed;
  auto& tcp = beast::get_lowest_layer(ws);
  tcp.async_connect({net::ip::make_address("127.0.0.1"), port}, [&](beast::error_code ec) {
    failed = ec;
    done = true;
  });
  if (!run_until(context, done) || failed) return;
  if constexpr (!std::is_same_v<WebSocket, websocket::stream<beast::tcp_stream>>) {
    done = false;
    ws.next_layer().async_handshake(net::ssl::stream_base::client, [&](beast::error_code ec) {
      failed = ec;
      done = true;
    });
    if (!run_until(context, done) || failed) return;
  }
  done = false;
  ws.async_handshake("127.0.0.1", "/ws/rooms/" + std::string(chaos_room),
                     [&](beast::error_code ec) {
                       failed = ec;
                       done = true;
                     });
  if (!run_until(context, done) || failed) return;
  beast::flat_buffer buffer;
  done = false;
  ws.async_read(buffer, [&](beast::error_code ec, std::size_t) {
    failed = ec;
    done = true;
  });
  if (!run_until(context, done) || failed) return;
  auto hello = boost::json::parse(beast::buffers_to_string(buffer.data()), failed);
  if (!failed && hello.is_object() && hello.as_object().contains("client_id"))
    ids.add(std::string(hello.at("client_id").as_string()));
  // Big publishes and pings; nothing read meanwhile.
  for (int i = 0; i < 4; ++i) {
    const std::string pad(7000 + random() % 13000, 'p');
    const std::string message = i % 2 == 0
                                    ? R"({"type":"publish","room":"chaos","data":")" + pad + "\"}"
                                    : R"({"type":"ping","id":)" + std::to_string(i) + "}";
    done = false;
    ws.async_write(net::buffer(message), [&](beast::error_code ec, std::size_t) {
      failed = ec;
      done = true;
    });
    if (!run_until(context, done) || failed) break;
  }
  // Leave rudely: half a frame then a reset, a plain reset, or a close that is never finished.
  if (style == 0 && !failed) {
    const std::string half = client_frame(0x81, std::string(9000, 'h')).substr(0, 3000);
    done = false;
    net::async_write(ws.next_layer(), net::buffer(half),
                     [&](beast::error_code, std::size_t) { done = true; });
    run_until(context, done);
  }
  if (style == 2) {
    done = false;
    ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    run_until(context, done);
  }
  beast::error_code ignored;
  tcp.socket().set_option(net::socket_base::linger(true, 0), ignored);
  tcp.socket().close(ignored);
}

class Stress : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(make_test_certificate("stress"), 0); }
  static app::server_config chaos_config() {
    auto config = test_config();
    config.edge.tls_cert_pem = read_file(private_temp_path("stress.pem"));
    config.edge.tls_key_pem = read_file(private_temp_path("stress.key"));
    config.edge.write_delay = std::chrono::milliseconds(5);
    // Small queues: the clients that never read are evicted within the run.
    config.edge.max_queue_bytes = 256 * 1024;
    return config;
  }
};

TEST_F(Stress, MixedHostileTrafficLeavesNothingBehindAndDrainsAtOnce) {
  test_node node(chaos_config());
  // The control channel connects on its first call: count its two sockets in the baseline.
  ASSERT_EQ(node.stats().connections(), 0u);
  const std::size_t baseline_fds = open_descriptors();
  const auto until = std::chrono::steady_clock::now() + chaos_time;
  id_board ids;
  std::atomic<int> lives{0};

  // Clients that join and never read: the room's traffic makes them slow consumers.
  std::vector<std::unique_ptr<ws_client>> sleepers;
  for (int i = 0; i < 20; ++i) {
    sleepers.push_back(std::make_unique<ws_client>());
    ASSERT_FALSE(sleepers.back()->connect_and_greet(node.ws_port(), "/ws/rooms/chaos").empty());
  }

  std::vector<std::thread> threads;
  for (int worker = 0; worker < 4; ++worker) {
    threads.emplace_back([&, worker] {
      std::mt19937 random(worker);
      net::ssl::context tls(net::ssl::context::tls_client);
      tls.set_verify_mode(net::ssl::verify_none);
      for (int n = 0; std::chrono::steady_clock::now() < until; ++n) {
        net::io_context context;
        if (worker % 2 == 0) {
          websocket::stream<beast::tcp_stream> ws(context);
          live_and_reset(ws, context, node.ws_port(), n % 3, random, ids);
        } else {
          websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(context, tls);
          live_and_reset(ws, context, node.ws_port(), n % 3, random, ids);
        }
        ++lives;
      }
    });
  }
  // The control plane at the same time.
  threads.emplace_back([&] {
    std::mt19937 random(99);
    const std::string pad(10000, 'g');
    for (int n = 0; std::chrono::steady_clock::now() < until; ++n) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      switch (n % 4) {
        case 0: {
          v1::PublishRequest request;
          request.mutable_target()->set_room(std::string(chaos_room));
          request.set_data("\"" + pad + "\"");
          v1::PublishResponse response;
          node.control().Publish(&context, request, &response);
          break;
        }
        case 1: {
          v1::PublishBatchRequest batch;
          for (int i = 0; i < 20; ++i) {
            auto* item = batch.add_publishes();
            item->mutable_target()->set_room(std::string(chaos_room));
            item->set_data(std::to_string(i));
          }
          v1::PublishBatchResponse response;
          node.control().PublishBatch(&context, batch, &response);
          break;
        }
        case 2: {
          v1::KickRequest kick;
          kick.set_client_id(ids.pick(random));
          kick.set_reason("chaos");
          v1::KickResponse response;
          node.control().Kick(&context, kick, &response);
          break;
        }
        case 3: {
          v1::StatsRequest request;
          v1::StatsResponse response;
          node.control().Stats(&context, request, &response);
          break;
        }
      }
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_GT(lives.load(), 10);

  // The sleepers' socket buffers absorb megabytes: keep the room busy until every one of them
  // has overflowed its queue (a slower, sanitized build publishes less in the chaos above).
  const std::string pad(10000, 's');
  for (auto flood_until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
       node.events().snapshot().slow_consumers < static_cast<int>(sleepers.size()) &&
       std::chrono::steady_clock::now() < flood_until;) {
    v1::PublishBatchRequest batch;
    for (int i = 0; i < 100; ++i) {
      auto* item = batch.add_publishes();
      item->mutable_target()->set_room(std::string(chaos_room));
      item->set_data("\"" + pad + "\"");
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::PublishBatchResponse response;
    node.control().PublishBatch(&context, batch, &response);
  }
  // Every sleeper was evicted as a slow consumer (or kicked), none was left hanging.
  for (auto& s : sleepers) {
    const int code = s->wait_for_close();
    EXPECT_TRUE(code == 4001 || code == 4000) << code;
  }
  sleepers.clear();

  // Nothing is left: no connection, no room, no descriptor.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  v1::StatsResponse stats;
  while (std::chrono::steady_clock::now() < deadline) {
    stats = node.stats();
    // Fewer than at the start is no leak (a client channel the baseline counted may be gone).
    if (stats.connections() == 0 && stats.rooms() == 0 && open_descriptors() <= baseline_fds) break;
    // Waiting for the server's write_timeout to drop a peer that vanished mid-close.
    std::this_thread::yield();
  }
  EXPECT_EQ(stats.connections(), 0u);
  EXPECT_EQ(stats.rooms(), 0u);
  EXPECT_EQ(stats.subscriptions(), 0u);
  EXPECT_LE(open_descriptors(), baseline_fds);
  const auto drain_started = std::chrono::steady_clock::now();
  EXPECT_TRUE(node.server().drain_and_stop());
  EXPECT_LT(std::chrono::steady_clock::now() - drain_started, std::chrono::seconds(2));
}

}  // namespace
}  // namespace wsedge::testing
