// The real wsedge binary: start-up line, SIGTERM drain (clients get 1001, exit 0), bad config
// (exit 2), ports in use (exit 1), and wsedgectl publishing to a connected client and paging stats.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/support/child_process.hpp"
#include "tests/support/test_files.hpp"
#include "tests/support/ws_client.hpp"
#include "tests/support/wsedge_binary.hpp"

namespace wsedge::testing {
namespace {

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

// Runs `argv` with stderr joined to stdout; returns (exit status, everything it printed).
std::pair<int, std::string> run_to_exit(const std::vector<std::string>& argv) {
  std::string command = "exec";
  for (const std::string& arg : argv) command += " '" + arg + "'";
  child_process child({"/bin/sh", "-c", command + " 2>&1"});
  std::string output;
  while (auto line = child.read_line(std::chrono::seconds(10))) output += *line + "\n";
  auto status = child.wait_exit(std::chrono::seconds(10));
  return {status.value_or(-2), output};
}

TEST(StartUp, BadFlagsAndVariablesExitWithTwoNamingTheSetting) {
  for (const auto& [argv, named] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{WSEDGE_BINARY, "--ws_port=abc"}, "--ws_port"},
           {{WSEDGE_BINARY, "--no_such_setting=1"}, "--no_such_setting: unknown flag"},
           {{WSEDGE_BINARY, "--write_timeout"}, "--write_timeout: missing value"},
           {{WSEDGE_BINARY, "stray"}, "unexpected argument 'stray'"},
           {{"/usr/bin/env", "WSEDGE_WS_PORT=abc", WSEDGE_BINARY}, "WSEDGE_WS_PORT"},
           {{"/usr/bin/env", "WSEDGE_NO_SUCH_SETTING=1", WSEDGE_BINARY}, "unknown setting"}}) {
    auto [status, output] = run_to_exit(argv);
    EXPECT_EQ(status, 2) << argv.back() << ": " << output;
    EXPECT_NE(output.find("wsedge: bad configuration: "), std::string::npos) << output;
    EXPECT_NE(output.find(named), std::string::npos) << output;
  }
}

// Whether another socket could bind `port` with SO_REUSEPORT, i.e. share it with the listener.
bool shareable_with_reuseport(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

TEST(StartUp, APortInUseStopsASecondNodeWithOneLineNamingIt) {
  child_process first(wsedge_argv());
  auto p = read_startup_line(first);
  ASSERT_TRUE(p);
  // gRPC listens with SO_REUSEPORT unless told not to: a second process could share the port.
  EXPECT_FALSE(shareable_with_reuseport(p->grpc));
  EXPECT_FALSE(shareable_with_reuseport(p->ws));
  EXPECT_FALSE(shareable_with_reuseport(p->metrics));
  for (const auto& [setting, port] :
       {std::pair{"ws_port", p->ws}, {"grpc_port", p->grpc}, {"metrics_port", p->metrics}}) {
    auto argv = wsedge_argv({"--" + std::string(setting) + "=" + std::to_string(port)});
    auto [status, output] = run_to_exit(argv);
    EXPECT_EQ(status, 1) << output;
    EXPECT_EQ(output, "wsedge: cannot start: " + std::string(setting) +
                          ": 127.0.0.1:" + std::to_string(port) +
                          " is already in use (is another wsedge running?)\n");
  }
}

TEST(StartUp, TheLineSaysWssAndWhetherATokenIsRequired) {
  ASSERT_EQ(make_test_certificate("startup"), 0);
  child_process wsedge(wsedge_argv({"--tls_cert=" + private_temp_path("startup.pem"),
                                    "--tls_key=" + private_temp_path("startup.key"),
                                    "--auth_required", "--jwt_secret=s"}));
  auto line = wsedge.read_line(std::chrono::seconds(20));
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("connect: wss://127.0.0.1:"), std::string::npos) << *line;
  EXPECT_NE(line->find("token required"), std::string::npos) << *line;
  child_process open(wsedge_argv());
  auto plain = open.read_line(std::chrono::seconds(20));
  ASSERT_TRUE(plain);
  EXPECT_NE(plain->find("connect: ws://127.0.0.1:"), std::string::npos) << *plain;
  EXPECT_EQ(plain->find("token"), std::string::npos) << *plain;
}

TEST(StartUp, HelpListsTheSettingsUnderTheProgramsName) {
  auto [status, output] = run_to_exit({WSEDGE_BINARY, "--help"});
  EXPECT_NE(output.find("Flags from wsedge:"), std::string::npos) << output;
  EXPECT_NE(output.find("--handshake_timeout"), std::string::npos);
  EXPECT_EQ(output.find(".cpp"), std::string::npos) << "a source path in --help";
  auto [version_status, version] = run_to_exit({WSEDGE_BINARY, "--version"});
  EXPECT_EQ(version_status, 0);
  EXPECT_TRUE(version.starts_with("wsedge 0.")) << version;
}

}  // namespace
}  // namespace wsedge::testing
