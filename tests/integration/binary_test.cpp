// The real wsedge binary: start-up line, SIGTERM drain (clients get 1001, exit 0), bad config,
// and wsedgectl publishing to a connected client and paging stats.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>

#include "tests/support/child_process.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

struct ports {
  int ws = 0, grpc = 0, metrics = 0;
};

std::optional<ports> read_startup_line(child_process& child) {
  auto line = child.read_line(std::chrono::seconds(20));
  if (!line) return std::nullopt;
  // "… ws=<address>:<port> grpc=<address>:<port> metrics=<address>:<port> …"
  auto port_after = [&](const std::string& key) {
    auto at = line->find(" " + key + "=");
    if (at == std::string::npos) at = line->find(key + "=");
    if (at == std::string::npos) return 0;
    auto end = line->find(' ', at + 1);
    auto colon = line->rfind(':', end);
    return std::atoi(line->substr(colon + 1, end - colon - 1).c_str());
  };
  ports p{port_after("ws"), port_after("grpc"), port_after("metrics")};
  if (p.ws == 0 || p.grpc == 0 || p.metrics == 0) return std::nullopt;
  return p;
}

// The wsedge command line on loopback with free ports, plus `extra` settings.
std::vector<std::string> wsedge_argv(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{WSEDGE_BINARY, "--bind_address=127.0.0.1", "--ws_port=0",
                                "--grpc_port=0", "--metrics_port=0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

TEST(Drain, SigtermClosesClientsWith1001AndExitsZero) {
  child_process wsedge(wsedge_argv({"--drain_timeout=5s"}));
  ASSERT_TRUE(wsedge.started());
  auto p = read_startup_line(wsedge);
  ASSERT_TRUE(p) << "no start-up line with the ports";
  auto port = static_cast<std::uint16_t>(p->ws);
  ws_client a, b;
  ASSERT_FALSE(a.connect_and_greet(port).empty());
  ASSERT_FALSE(b.connect_and_greet(port).empty());
  EXPECT_EQ(http_get(port, "/readyz").first, 200);

  wsedge.signal(SIGTERM);
  EXPECT_EQ(a.wait_for_close(), 1001);
  EXPECT_EQ(b.wait_for_close(), 1001);
  auto status = wsedge.wait_exit(std::chrono::seconds(8));
  ASSERT_TRUE(status) << "wsedge did not exit within the drain timeout";
  EXPECT_EQ(*status, 0);
}

#ifdef WSEDGECTL_BINARY
TEST(Wsedgectl, PublishReachesAConnectedClient) {
  child_process wsedge(wsedge_argv());
  auto p = read_startup_line(wsedge);
  ASSERT_TRUE(p);
  ws_client client;
  ASSERT_FALSE(
      client.connect_and_greet(static_cast<std::uint16_t>(p->ws), "/ws/rooms/demo").empty());
  EXPECT_EQ(str(client.read_json().at("type")), "subscribed");
  child_process ctl({WSEDGECTL_BINARY, "--server=127.0.0.1:" + std::to_string(p->grpc), "publish",
                     "--room=demo", R"({"hello":"world"})"});
  auto reply = ctl.read_line(std::chrono::seconds(20));
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->find(R"("recipients":"1")"), std::string::npos) << *reply;
  EXPECT_EQ(ctl.wait_exit(std::chrono::seconds(10)), 0);
  auto message = client.read_json();
  EXPECT_EQ(str(message.at("data").at("hello")), "world");
}

TEST(Wsedgectl, DevelopmentTokenOpensAnAuthRequiredServer) {
  child_process wsedge(wsedge_argv({"--auth_required", "--jwt_secret=dev-secret"}));
  auto p = read_startup_line(wsedge);
  ASSERT_TRUE(p);
  auto port = static_cast<std::uint16_t>(p->ws);
  child_process ctl({WSEDGECTL_BINARY, "token", "--secret=dev-secret", "--sub=carol"});
  auto token = ctl.read_line(std::chrono::seconds(20));
  ASSERT_TRUE(token);
  ws_client anonymous, carol;
  EXPECT_FALSE(anonymous.connect(port));
  EXPECT_EQ(anonymous.http_status(), 401);
  ASSERT_TRUE(carol.connect(port, "/ws?token=" + *token));
  EXPECT_EQ(str(carol.read_json().at("user_id")), "carol");
}

TEST(Wsedgectl, StatsPagesWithLimitAndPageToken) {
  child_process wsedge(wsedge_argv());
  auto p = read_startup_line(wsedge);
  ASSERT_TRUE(p);
  ws_client client;
  ASSERT_FALSE(
      client.connect_and_greet(static_cast<std::uint16_t>(p->ws), "/ws?rooms=a,b,c").empty());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(str(client.read_json().at("type")), "subscribed");
  // wsedgectl stats with `flags`: its JSON reply (null when it printed none).
  const auto stats = [&](const std::vector<std::string>& flags) {
    std::vector<std::string> argv{WSEDGECTL_BINARY, "--server=127.0.0.1:" + std::to_string(p->grpc),
                                  "stats"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    child_process ctl(argv);
    auto line = ctl.read_line(std::chrono::seconds(20));
    EXPECT_EQ(ctl.wait_exit(std::chrono::seconds(10)), 0);
    boost::system::error_code ec;
    return line ? boost::json::parse(*line, ec) : boost::json::value();
  };
  auto first = stats({"--limit=2"});
  ASSERT_TRUE(first.is_object()) << first;
  EXPECT_EQ(first.at("roomStats").as_array().size(), 2u);
  const std::string token = str(first.at("nextPageToken"));
  ASSERT_FALSE(token.empty());
  auto last = stats({"--limit=2", "--page_token=" + token});
  ASSERT_TRUE(last.is_object()) << last;
  EXPECT_EQ(last.at("roomStats").as_array().size(), 1u);
  EXPECT_EQ(str(last.at("nextPageToken")), "");
}
#endif

TEST(Drain, BadConfigurationFailsFastNamingTheSetting) {
  child_process wsedge({WSEDGE_BINARY, "--ws_port=70000"});
  auto status = wsedge.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 2);
  child_process no_key({WSEDGE_BINARY, "--auth_required"});
  EXPECT_EQ(no_key.wait_exit(std::chrono::seconds(10)), 2);
  child_process long_delay({WSEDGE_BINARY, "--write_delay=2s"});
  EXPECT_EQ(long_delay.wait_exit(std::chrono::seconds(10)), 2);
}

}  // namespace
}  // namespace wsedge::testing
