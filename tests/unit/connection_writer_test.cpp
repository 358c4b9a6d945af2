// The connection writer over a real loopback WebSocket: order, the direct and the asynchronous
// write paths, the queue bound, discarding, and a peer that is gone.
#include "edge/connection_writer.hpp"

#include <gtest/gtest.h>

#include <boost/beast/websocket.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "edge/edge_observer.hpp"
#include "edge/node_context.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {
namespace {

using plain_writer = connection_writer<beast::tcp_stream>;
using client_ws = websocket::stream<tcp::socket>;

// What the session does with the writer's news: write on when a write completes.
struct recording_events final : writer_events {
  std::shared_ptr<void> keep_alive() override { return std::make_shared<int>(0); }
  void on_write_failed(beast::error_code ec) override { failure = ec; }
  void on_write_done() override {
    ++done;
    if (writer != nullptr) writer->write(*parts);
  }
  beast::error_code failure;
  int done = 0;
  plain_writer* writer = nullptr;
  const plain_writer::parts* parts = nullptr;
};

edge_config small_queue() {
  edge_config config;
  config.threads = 1;
  config.max_queue_messages = 4;
  config.max_queue_bytes = 16 * 1024 * 1024;
  return config;
}

// A server-side WebSocket as the session holds it, its client, and a writer between them.
class ConnectionWriter : public ::testing::Test {
 protected:
  ConnectionWriter() : node(small_queue(), observer, nullptr, nullptr) {
    server.async_accept([](beast::error_code ec) { ASSERT_FALSE(ec); });
    client.async_handshake("localhost", "/", [](beast::error_code ec) { ASSERT_FALSE(ec); });
    context.run();
    context.restart();
    events.writer = &writer;
    events.parts = &parts;
  }

  // The server's end of a loopback connection, as the session adopts it.
  // Fixed buffer sizes (no autotuning), so that what fits in the socket does not depend on the
  // host's settings.
  session_transport<beast::tcp_stream>::type accepted() {
    auto& socket = client.next_layer();
    socket.open(tcp::v4());
    socket.set_option(net::socket_base::receive_buffer_size(socket_buffer_bytes));
    socket.connect(acceptor.local_endpoint());
    tcp::socket server_end = acceptor.accept();
    server_end.set_option(net::socket_base::send_buffer_size(socket_buffer_bytes));
    return session_transport<beast::tcp_stream>::adopt(beast::tcp_stream(std::move(server_end)),
                                                       context);
  }

  std::string read_message() {
    beast::flat_buffer buffer;
    client.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  // Empty when the connection failed.
  std::optional<std::string> try_read_message() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    client.read(buffer, ec);
    if (ec) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }
  // Runs the server's completions until `done` (or five seconds pass).
  template <class Done>
  void run_until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline)
      context.run_for(std::chrono::milliseconds(10));
  }

  static constexpr int socket_buffer_bytes = 64 * 1024;
  net::io_context context{1};
  edge_observer observer;
  node_context node;
  tcp::acceptor acceptor{context, {net::ip::address_v4::loopback(), 0}};
  client_ws client{context};
  plain_writer::ws_type server{accepted()};
  shard_counters counters;
  recording_events events;
  plain_writer writer;
  plain_writer::parts parts{server, node, counters, events};
};

TEST_F(ConnectionWriter, FramesArriveInOrderAndTheQueueGaugesReturnToZero) {
  for (const char* text : {"one", "two", "three"})
    ASSERT_EQ(writer.push(parts, frame_ref::owned(frame_message(text))), push_result::queued);
  EXPECT_EQ(counters.queued_frames.get(), 3u);
  writer.write(parts);
  // The socket had room: written at once, with no asynchronous write.
  EXPECT_FALSE(writer.writing());
  EXPECT_TRUE(writer.empty());
  EXPECT_EQ(counters.queued_frames.get(), 0u);
  EXPECT_EQ(counters.queued_bytes.get(), 0u);
  EXPECT_EQ(read_message(), "one");
  EXPECT_EQ(read_message(), "two");
  EXPECT_EQ(read_message(), "three");
}

TEST_F(ConnectionWriter, AFullSocketTakesTheRestAsynchronouslyAndStallsWhileNobodyReads) {
  // More than the server's send buffer and the client's receive window hold together.
  const std::string big(1024 * 1024, 'x');
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(writer.push(parts, frame_ref::owned(frame_message(std::to_string(i) + big))),
              push_result::queued);
  writer.write(parts);
  ASSERT_TRUE(writer.writing());
  const auto now = std::chrono::steady_clock::now();
  EXPECT_FALSE(writer.stalled(now, std::chrono::hours(1)));
  EXPECT_TRUE(writer.stalled(now + std::chrono::hours(2), std::chrono::hours(1)));
  // The client reads on its own thread while the server's completions run here.
  std::vector<std::string> got;
  std::thread reader([&] {
    while (got.size() < 4)
      if (auto message = try_read_message())
        got.push_back(std::move(*message));
      else
        return;
  });
  run_until([&] { return !writer.writing() && writer.empty(); });
  // Stuck: the reader is let go rather than left waiting forever.
  if (writer.writing() || !writer.empty()) beast::get_lowest_layer(server).close();
  reader.join();
  ASSERT_EQ(got.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got[i], std::to_string(i) + big);
  EXPECT_GE(events.done, 1);
  EXPECT_FALSE(events.failure);
  EXPECT_EQ(counters.queued_bytes.get(), 0u);
}

TEST_F(ConnectionWriter, PastItsBoundTheQueueOverflowsAndDiscardDropsWhatIsQueued) {
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(writer.push(parts, frame_ref::owned(frame_message("m"))), push_result::queued);
  EXPECT_EQ(writer.push(parts, frame_ref::owned(frame_message("m"))), push_result::overflow);
  EXPECT_EQ(counters.queued_frames.get(), 4u);
  EXPECT_EQ(writer.discard(counters), 4u);
  EXPECT_TRUE(writer.empty());
  EXPECT_EQ(counters.queued_frames.get(), 0u);
  EXPECT_EQ(counters.queued_bytes.get(), 0u);
}

TEST_F(ConnectionWriter, APeerThatIsGoneIsAFailedWrite) {
  // An abortive close: the server's next write meets the reset.
  client.next_layer().set_option(net::socket_base::linger(true, 0));
  client.next_layer().close();
  // Written until the reset is seen (the first write may land before it).
  run_until([&] {
    if (!events.failure && !writer.writing()) {
      (void)writer.push(parts, frame_ref::owned(frame_message("after")));
      writer.write(parts);
    }
    return static_cast<bool>(events.failure);
  });
  EXPECT_TRUE(events.failure);
}

}  // namespace
}  // namespace wsedge::edge
