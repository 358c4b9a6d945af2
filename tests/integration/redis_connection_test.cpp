// The Redis connection against a real redis-server started by the test: commands and their
// order, a killed server failing commands at once, and the reconnect when it is back.
#include "engine/redis/redis_connection.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/redis_server.hpp"

namespace wsedge::testing {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using engine::redis::redis_connection;

class RedisConnection : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_server::available()) << "no " << redis_server_binary;
    redis = std::make_unique<redis_server>();
    port = redis->port();
    connection =
        redis_connection::create(io, {.host = "127.0.0.1",
                                      .port = port,
                                      .reconnect_min = 20ms,
                                      .reconnect_max = 200ms,
                                      .on_state = [this](bool up) { states.push_back(up); }});
    connection->start();
    ASSERT_TRUE(run_until([&] { return connection->up(); }));
  }
  void TearDown() override {
    if (connection) connection->stop();
  }
  // Runs the io_context until `done` holds (false after 10 s).
  template <class F>
  bool run_until(F done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(10ms);
    }
    return done();
  }

  net::io_context io;
  std::uint16_t port = 0;
  std::unique_ptr<redis_server> redis;
  std::shared_ptr<redis_connection> connection;
  std::vector<bool> states;
};

TEST_F(RedisConnection, RepliesComeBackInTheOrderCommandsWereSent) {
  std::string got;
  connection->command({"SET", "key", std::string("bin\0ary", 7)},
                      [&](const redisReply* r, std::string_view error) {
                        ASSERT_TRUE(error.empty()) << error;
                        got = std::string(r->str, r->len);
                      });
  std::string value;
  connection->command({"GET", "key"}, [&](const redisReply* r, std::string_view) {
    value = std::string(r->str, r->len);
  });
  // Pipelined: 1,000 INCRs in flight at once, answered in order.
  std::vector<long long> counts;
  for (int i = 0; i < 1000; ++i)
    connection->command({"INCR", "counter"}, [&](const redisReply* r, std::string_view) {
      counts.push_back(r->integer);
    });
  ASSERT_TRUE(run_until([&] { return counts.size() == 1000; }));
  EXPECT_EQ(got, "OK");
  EXPECT_EQ(value, std::string("bin\0ary", 7));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(counts[i], i + 1);
  // A Redis error is a reply, not a failure of the connection.
  int type = 0;
  connection->command({"INCR", "key"},
                      [&](const redisReply* r, std::string_view) { type = r->type; });
  ASSERT_TRUE(run_until([&] { return type != 0; }));
  EXPECT_EQ(type, REDIS_REPLY_ERROR);
  EXPECT_TRUE(connection->up());
}

TEST_F(RedisConnection, ADeadServerFailsCommandsAtOnceAndTheConnectionComesBack) {
  redis->kill();
  ASSERT_TRUE(run_until([&] { return !connection->up(); }));
  std::string error;
  connection->command({"PING"}, [&](const redisReply*, std::string_view e) { error = e; });
  EXPECT_EQ(error, "unavailable");  // at once, not after a timeout

  ASSERT_TRUE(redis->start());
  const auto back = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] { return connection->up(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - back, 5s);
  std::string pong;
  connection->command(
      {"PING"}, [&](const redisReply* r, std::string_view) { pong = std::string(r->str, r->len); });
  ASSERT_TRUE(run_until([&] { return !pong.empty(); }));
  EXPECT_EQ(pong, "PONG");
  EXPECT_EQ(states, (std::vector<bool>{true, false, true}));
}

TEST_F(RedisConnection, CommandsInFlightWhenItStopsAreToldSo) {
  std::vector<std::string> errors;
  for (int i = 0; i < 3; ++i)
    connection->command({"BLPOP", "never", "5"},
                        [&](const redisReply*, std::string_view e) { errors.emplace_back(e); });
  io.restart();
  io.run_for(50ms);  // sent, waiting for a reply that will not come
  connection->stop();
  EXPECT_EQ(errors, (std::vector<std::string>{"stopped", "stopped", "stopped"}));
  EXPECT_FALSE(connection->up());
}

}  // namespace
}  // namespace wsedge::testing
