// The real wsedgectl binary against a real node: TLS and mutual TLS, status codes by name, the
// token subcommand's checks, publish-batch from stdin, and --help (wsedge-bench's as well).
#include <absl/strings/str_split.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/test_files.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

#ifdef WSEDGECTL_BINARY
namespace wsedge::testing {
namespace {

namespace v1 = wsedge::v1;

// How a run of a program ended and what it printed.
struct run_result {
  std::optional<int> exit_code;  // nullopt: it did not exit in time
  std::string out;
  std::string err;
};

// Runs `argv` with `input` on its stdin. child_process pipes only stdout, so a shell puts
// stdin and stderr on files, then becomes the program.
run_result run(std::vector<std::string> argv, const std::string& input = "") {
  static int runs = 0;
  const std::string in = private_temp_path("ctl_in_" + std::to_string(++runs));
  const std::string err = private_temp_path("ctl_err_" + std::to_string(runs));
  std::ofstream(in) << input;
  argv.insert(argv.begin(), {"/bin/sh", "-c", R"(in=$1 err=$2; shift 2; exec "$@" <"$in" 2>"$err")",
                             "sh", in, err});
  child_process child(argv);
  run_result result;
  // read_line returns nullopt at EOF, which comes when the program exits.
  while (auto line = child.read_line(std::chrono::seconds(20))) result.out += *line + "\n";
  result.exit_code = child.wait_exit(std::chrono::seconds(10));
  result.err = read_file(err);
  return result;
}

// wsedgectl against the node's control port, with `args` (flags and command).
run_result ctl(const test_node& node, std::vector<std::string> args,
               const std::string& input = "") {
  args.insert(args.begin(),
              {WSEDGECTL_BINARY, "--server=127.0.0.1:" + std::to_string(node.grpc_port())});
  return run(args, input);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A control plane over TLS: the server's certificate is self-signed, so it is its own CA; for
// mutual TLS the client's self-signed certificate is the client CA.
class WsedgectlTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(make_test_certificate("ctl_server"), 0);
    ASSERT_EQ(make_test_certificate("ctl_client"), 0);
  }
  static app::server_config tls_config(bool mutual) {
    return control_tls_config("ctl_server", mutual ? "ctl_client" : "");
  }
  static std::string server_ca() { return "--tls_ca=" + private_temp_path("ctl_server.pem"); }
  static std::vector<std::string> client_certificate() {
    return {"--tls_cert=" + private_temp_path("ctl_client.pem"),
            "--tls_key=" + private_temp_path("ctl_client.key")};
  }
};

TEST_F(WsedgectlTls, TlsCaReachesATlsControlPlane) {
  test_node node(tls_config(false));
  auto stats = ctl(node, {server_ca(), "stats"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_TRUE(contains(stats.out, R"("connections":"0")")) << stats.out;
  // Without --tls_ca it speaks plaintext, which a TLS port refuses.
  auto plaintext = ctl(node, {"stats"});
  EXPECT_EQ(plaintext.exit_code, 1);
  EXPECT_TRUE(contains(plaintext.err, "wsedgectl: UNAVAILABLE: ")) << plaintext.err;
}

TEST_F(WsedgectlTls, MutualTlsNeedsTheClientCertificate) {
  test_node node(tls_config(true));
  auto args = client_certificate();
  args.insert(args.end(), {server_ca(), "stats"});
  auto with_certificate = ctl(node, args);
  EXPECT_EQ(with_certificate.exit_code, 0) << with_certificate.err;
  EXPECT_TRUE(contains(with_certificate.out, R"("connections":"0")")) << with_certificate.out;
  auto without = ctl(node, {server_ca(), "stats"});
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_TRUE(contains(without.err, "wsedgectl: UNAVAILABLE: ")) << without.err;
}

TEST_F(WsedgectlTls, HalfAClientCertificateOrAMissingFileIsAUsageError) {
  test_node node(tls_config(true));
  auto no_key = ctl(node, {server_ca(), client_certificate()[0], "stats"});
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_TRUE(contains(no_key.err, "--tls_cert and --tls_key go together")) << no_key.err;
  auto missing = ctl(node, {"--tls_ca=" + private_temp_path("no-such.pem"), "stats"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "--tls_ca: cannot open")) << missing.err;
}

TEST(WsedgectlWatch, PrintsRetainedEventsAsJsonLinesAfterAGap) {
  test_node node;
  ws_client client;
  const std::string id = client.connect_and_greet(node.ws_port());
  ASSERT_FALSE(id.empty());
  client.send(R"({"type":"subscribe","room":"lobby"})");
  EXPECT_EQ(str(client.read_json().at("type")), "subscribed");
  // after_id 1 is long gone (ids start at the node's start time): a Gap comes first.
  auto watched = ctl(node, {"watch", "--kinds=connected,joined", "--after_id=1", "--max_events=3"});
  EXPECT_EQ(watched.exit_code, 0) << watched.err;
  std::vector<std::string> lines = absl::StrSplit(watched.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << watched.out;
  EXPECT_TRUE(contains(lines[0], R"("gap":{"afterId":"1")")) << lines[0];
  EXPECT_TRUE(contains(lines[1], R"("connected":{})")) << lines[1];
  EXPECT_TRUE(contains(lines[1], R"("clientId":")" + id + "\"")) << lines[1];
  EXPECT_TRUE(contains(lines[2], R"("room":"lobby")")) << lines[2];
  EXPECT_TRUE(contains(lines[2], R"("joined":{})")) << lines[2];

  auto unknown = ctl(node, {"watch", "--kinds=typing"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.err, "wsedgectl: INVALID_ARGUMENT: kinds: unknown kind"))
      << unknown.err;
}

TEST(WsedgectlStatus, FailedCallsNameTheirStatusCodeOnStderr) {
  auto config = test_config();
  config.control.control_token = "ops-token";
  test_node node(config);
  auto no_token = ctl(node, {"stats"});
  EXPECT_EQ(no_token.exit_code, 1);
  EXPECT_TRUE(contains(no_token.err, "wsedgectl: UNAUTHENTICATED: ")) << no_token.err;
  EXPECT_EQ(no_token.out, "");
  auto bad_room = ctl(node, {"--token=ops-token", "publish", "--room=no spaces", "1"});
  EXPECT_EQ(bad_room.exit_code, 1);
  EXPECT_TRUE(contains(bad_room.err, "wsedgectl: INVALID_ARGUMENT: target.room")) << bad_room.err;
}

class WsedgectlToken : public ::testing::Test {
 protected:
  static app::server_config auth_config() {
    auto config = test_config();
    config.edge.auth_required = true;
    auth::jwt_config jwt;
    jwt.secret = "token-test-secret";
    config.jwt = jwt;
    return config;
  }
  static run_result token(std::vector<std::string> args) {
    args.insert(args.begin(), {WSEDGECTL_BINARY, "token", "--secret=token-test-secret"});
    return run(args);
  }
};

TEST_F(WsedgectlToken, RefusesATokenWithoutSub) {
  auto result = token({"--rooms=a"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(contains(result.err, "wsedgectl token: --sub is required")) << result.err;
}

TEST_F(WsedgectlToken, RoomsAreTrimmedAndEmptyOnesDropped) {
  test_node node(auth_config());
  auto minted = token({"--sub=dana", "--rooms= a, b* ,, "});
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  ASSERT_FALSE(minted.out.empty());
  const std::string jwt = minted.out.substr(0, minted.out.size() - 1);  // without '\n'
  ws_client dana;
  ASSERT_TRUE(dana.connect(node.ws_port(), "/ws?token=" + jwt)) << dana.http_status();
  EXPECT_EQ(str(dana.read_json().at("user_id")), "dana");
  // The claim is ["a", "b*"]: untrimmed, " a" and " b* " would match neither room.
  for (const auto& [room, answer] : std::vector<std::pair<std::string, std::string>>{
           {"a", "subscribed"}, {"b1", "subscribed"}, {"c", "error"}}) {
    dana.send(R"({"type":"subscribe","room":")" + room + R"("})");
    EXPECT_EQ(str(dana.read_json().at("type")), answer) << room;
  }
}

// publish-batch against a node with one member in room "b1".
class WsedgectlBatch : public ::testing::Test {
 protected:
  static app::server_config batch_config() {
    auto config = test_config();
    // The many-line test queues 1,001 messages to the member at once.
    config.edge.max_queue_messages = 2048;
    return config;
  }
  void SetUp() override {
    client_id = member.connect_and_greet(node.ws_port(), "/ws/rooms/b1");
    ASSERT_FALSE(client_id.empty());
    ASSERT_EQ(str(member.read_json().at("type")), "subscribed");
  }
  // Nothing reached the member: a publish made now is the next message it reads.
  void expect_nothing_delivered() {
    ASSERT_TRUE(node.publish(room_target("b1"), R"("marker")").ok());
    EXPECT_EQ(str(member.read_json().at("data")), "marker");
  }

  test_node node{batch_config()};
  ws_client member;
  std::string client_id;
};

TEST_F(WsedgectlBatch, PublishesEveryLineAndPrintsTheResults) {
  const std::string input = R"({"room":"b1","data":{"n":1,"x":1.5}})"
                            "\n\n"
                            R"({"client_id":")" +
                            client_id +
                            R"(","data":"two"})"
                            "\n"
                            R"({"all":true,"data":[3]})"
                            "\n";
  auto result = ctl(node, {"publish-batch"}, input);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Only the room target has an epoch (a random one: compared by its length).
  const std::string epoch = result.out.substr(result.out.find(R"("epoch":")") + 9, 12);
  EXPECT_EQ(result.out, R"({"results":[{"seq":"1","recipients":"1","epoch":")" + epoch +
                            R"("},{"seq":"0","recipients":"1","epoch":""},)"
                            R"({"seq":"0","recipients":"1","epoch":""}]})"
                            "\n");
  // The three take different paths to the member (room owner, client, everyone), so their
  // order may differ; the data arrives as written.
  std::vector<std::string> data;
  for (int i = 0; i < 3; ++i) {
    auto message = member.read();
    ASSERT_TRUE(message) << i;
    auto at = message->find(R"("data":)");
    ASSERT_NE(at, std::string::npos) << *message;
    data.push_back(message->substr(at));
  }
  std::sort(data.begin(), data.end());
  EXPECT_TRUE(data[0].starts_with(R"("data":"two")")) << data[0];
  EXPECT_TRUE(data[1].starts_with(R"("data":[3])")) << data[1];
  EXPECT_TRUE(data[2].starts_with(R"("data":{"n":1,"x":1.5})")) << data[2];
}

TEST_F(WsedgectlBatch, HistoryAndPresenceShowTheRoom) {
  ASSERT_TRUE(node.publish(room_target("b1"), R"({"n":1})").ok());
  ASSERT_TRUE(node.publish(room_target("b1"), R"({"n":2})").ok());
  auto history = ctl(node, {"history", "--room=b1", "--since_seq=1"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_TRUE(contains(history.out, R"("seq":"2")")) << history.out;
  EXPECT_TRUE(contains(history.out, R"("data":"{\"n\":2}")")) << history.out;
  EXPECT_FALSE(contains(history.out, R"("data":"{\"n\":1}")")) << history.out;
  auto presence = ctl(node, {"presence", "--room=b1"});
  ASSERT_EQ(presence.exit_code, 0) << presence.err;
  EXPECT_TRUE(contains(presence.out, client_id)) << presence.out;
  EXPECT_EQ(ctl(node, {"history"}).exit_code, 2);  // --room is required
}

TEST_F(WsedgectlBatch, AMalformedLineIsNamedAndNothingIsSent) {
  const std::string good = R"({"room":"b1","data":1})";
  for (const auto& [bad, why] : std::vector<std::pair<std::string, std::string>>{
           {R"({"room":"b1","data":})", "line 3: not valid JSON"},
           {R"({"room":"b1"})", R"(line 3: "data" is missing)"},
           {R"({"room":"b1","user_id":"u","data":1})", "line 3: give exactly one of room"},
           {R"({"rooms":"b1","data":1})", R"(line 3: unknown member "rooms")"},
           {R"({"all":false,"data":1})", R"(line 3: "all" must be true)"},
           {R"(["b1",1])", "line 3: not a JSON object"}}) {
    auto result = ctl(node, {"publish-batch"}, good + "\n\n" + bad + "\n" + good + "\n");
    EXPECT_EQ(result.exit_code, 2) << bad;
    EXPECT_EQ(result.out, "") << bad;
    EXPECT_TRUE(contains(result.err, "wsedgectl publish-batch: " + why)) << result.err;
    EXPECT_TRUE(contains(result.err, "nothing was sent")) << result.err;
  }
  expect_nothing_delivered();
}

TEST_F(WsedgectlBatch, AnItemTheServerRefusesIsNamedByItsLine) {
  auto result = ctl(node, {"publish-batch"},
                    "{\"room\":\"b1\",\"data\":1}\n\n{\"room\":\"b 1\",\"data\":2}\n");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(contains(result.err, "wsedgectl: INVALID_ARGUMENT: line 3: target.room"))
      << result.err;
  expect_nothing_delivered();
}

TEST_F(WsedgectlBatch, MoreLinesThanOneCallTakesGoInSeveralCalls) {
  // The server takes 1,000 publishes a call.
  std::string input;
  for (int i = 1; i <= 1001; ++i) input += R"({"room":"b1","data":)" + std::to_string(i) + "}\n";
  auto result = ctl(node, {"publish-batch"}, input);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  boost::system::error_code ec;
  auto reply = boost::json::parse(result.out, ec);
  ASSERT_FALSE(ec) << result.out;
  const auto& results = reply.at("results").as_array();
  ASSERT_EQ(results.size(), 1001u);
  EXPECT_EQ(str(results[0].at("seq")), "1");
  EXPECT_EQ(str(results[1000].at("seq")), "1001");
  EXPECT_EQ(str(results[1000].at("recipients")), "1");
}

// Every subcommand and every flag, and none of absl's "No flags matched" boilerplate.
void expect_help(const run_result& help, const std::vector<std::string>& names) {
  EXPECT_EQ(help.exit_code, 0);
  for (const auto& name : names) EXPECT_TRUE(contains(help.out, name)) << name << "\n" << help.out;
  EXPECT_FALSE(contains(help.out + help.err, "No flags matched")) << help.out;
  EXPECT_FALSE(contains(help.out + help.err, "--helpfull")) << help.out;
}

TEST(WsedgectlHelp, NamesEverySubcommandAndFlag) {
  expect_help(run({WSEDGECTL_BINARY, "--help"}),
              {"publish (",          "publish-batch",   "stats",       "kick",
               "history --room",     "presence --room", "token",       "--server=",
               "--token=",           "--tls_ca=",       "--tls_cert=", "--tls_key=",
               "--timeout_seconds=", "--room=",         "--user_id=",  "--role=",
               "--client_id=",       "--all=",          "--reason=",   "--limit=",
               "--page_token=",      "--since_seq=",    "--secret=",   "--sub=",
               "--rooms=",           "--ttl_seconds="});
  expect_help(run({WSEDGECTL_BINARY, "--help"}),
              {"watch [", "--kinds=", "--room_prefix=", "--after_id=", "--max_events="});
}

TEST(WsedgectlHelp, BenchHelpNamesEveryScenarioAndFlag) {
  // wsedge-bench is built next to wsedgectl (build/bench, build/tools), when tools are.
  const auto bench =
      std::filesystem::path(WSEDGECTL_BINARY).parent_path().parent_path() / "bench/wsedge-bench";
  if (!std::filesystem::exists(bench)) GTEST_SKIP() << "no " << bench << " (build wsedge-bench)";
  expect_help(run({bench.string(), "--help"}),
              {"fanout",         "idle",          "connect",           "grpc",
               "churn",          "write_floor",   "compare",           "--scenario=",
               "--ws_host=",     "--ws_port=",    "--grpc=",           "--connections=",
               "--rooms=",       "--rate=",       "--duration_s=",     "--payload=",
               "--publisher=",   "--grpc_batch=", "--client_threads=", "--source_addresses=",
               "--concurrency=", "--token=",      "--floor_reader=",   "--label=",
               "--out=",         "--baseline=",   "--candidate=",      "--server_pid=",
               "--churners="});
  expect_help(run({bench.string(), "--help"}),
              {"soak", "--metrics_port=", "--warmup_s=", "--sample_s=", "--max_rss_growth_mb=",
               "--max_fd_growth=", "--secret=", "--publish_rate=", "--connect_rate=",
               "--kick_rate=", "--rejoin_rate=", "--slow_readers=", "--slow_payload=",
               "--slow_rate=", "--slow_pause_ms=", "--expiring=", "--token_lifetime_s="});
  expect_help(run({bench.string(), "--help"}), {"events", "--watchers="});
}

}  // namespace
}  // namespace wsedge::testing
#endif
