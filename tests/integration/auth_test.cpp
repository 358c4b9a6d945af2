// JWT identities over real sockets: where tokens travel, which are refused (401), targeting by
// user and role, room rules from claims, personal rooms, and the close at token expiry.
#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/test_files.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace json = boost::json;
namespace v1 = wsedge::v1;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ofstream(private_temp_path("hs.key")) << "test-secret-0123456789abcdef";
    ASSERT_EQ(shell("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                    private_temp_path("rsa.pem")),
              0);
    ASSERT_EQ(shell("openssl pkey -in " + private_temp_path("rsa.pem") + " -pubout -out " +
                    private_temp_path("rsa.pub")),
              0);
    ASSERT_EQ(shell("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                    private_temp_path("ec.pem")),
              0);
    ASSERT_EQ(shell("openssl pkey -in " + private_temp_path("ec.pem") + " -pubout -out " +
                    private_temp_path("ec.pub")),
              0);
  }

  // Runs the minting script with `args`; returns the token it prints.
  static std::string run_minter(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/python3", MINT_TOKEN_SCRIPT};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process minter(argv);
    auto token = minter.read_line(std::chrono::seconds(20));
    EXPECT_EQ(minter.wait_exit(std::chrono::seconds(20)), 0);
    EXPECT_TRUE(token && !token->empty());
    return token.value_or("");
  }
  // A token minted by PyJWT; `extra` are more arguments for the minting script.
  static std::string mint(const std::string& alg, const std::string& key_file,
                          const json::object& claims, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{alg, private_temp_path(key_file), json::serialize(claims)};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_minter(args);
  }
  static std::string hs256(const json::object& claims) { return mint("HS256", "hs.key", claims); }
  // HS256 over `header` and `payload` exactly as written: duplicate keys and odd spellings survive.
  static std::string hs256_raw(const std::string& header, const std::string& payload) {
    return run_minter({"HS256", private_temp_path("hs.key"), payload, "--raw-header", header});
  }

  static app::server_config config_with(auth::jwt_config jwt) {
    auto config = test_config();
    config.edge.auth_required = true;
    config.jwt = std::move(jwt);
    return config;
  }
  static app::server_config hs256_config() {
    auth::jwt_config jwt;
    jwt.secret = read_file(private_temp_path("hs.key"));
    return config_with(jwt);
  }

  // Connects with `token` in the query; returns the connected message (null when refused).
  static json::value connect(ws_client& c, std::uint16_t port, const std::string& token,
                             const std::string& path = "/ws") {
    if (!c.connect(port, path + "?token=" + token)) return nullptr;
    return c.read_json();
  }
};

TEST_F(Auth, TokensTravelInQueryHeaderOrSubprotocol) {
  test_node node(hs256_config());
  auto token = hs256({{"sub", "alice"}, {"exp", now_s() + 600}});
  ws_client by_query, by_header, by_subprotocol;
  EXPECT_EQ(str(connect(by_query, node.ws_port(), token).at("user_id")), "alice");
  ASSERT_TRUE(by_header.connect(node.ws_port(), "/ws", {{"Authorization", "Bearer " + token}}));
  EXPECT_EQ(str(by_header.read_json().at("user_id")), "alice");
  ASSERT_TRUE(by_subprotocol.connect(node.ws_port(), "/ws",
                                     {{"Sec-WebSocket-Protocol", "json, bearer." + token}}));
  EXPECT_EQ(by_subprotocol.subprotocol(), "bearer." + token);
  EXPECT_EQ(str(by_subprotocol.read_json().at("user_id")), "alice");
}

TEST_F(Auth, BadTokensAreRefusedWith401BeforeTheUpgrade) {
  auto jwt_config = hs256_config();
  jwt_config.jwt->audience = "wsedge";
  jwt_config.jwt->leeway = std::chrono::seconds(0);
  test_node node(jwt_config);
  struct row {
    std::string name, token;
  };
  std::vector<row> rows{
      {"missing", ""},
      {"garbage", "not.a.token"},
      {"expired", hs256({{"sub", "a"}, {"aud", "wsedge"}, {"exp", now_s() - 5}})},
      {"not yet valid", hs256({{"sub", "a"}, {"aud", "wsedge"}, {"nbf", now_s() + 600}})},
      {"wrong audience", hs256({{"sub", "a"}, {"aud", "other"}})},
      {"forged signature", hs256({{"sub", "a"}, {"aud", "wsedge"}}) + "x"},
      {"alg none", mint("HS256", "hs.key", {{"sub", "a"}, {"aud", "wsedge"}}, {"--forge", "none"})},
  };
  for (const auto& r : rows) {
    ws_client c;
    EXPECT_FALSE(c.connect(node.ws_port(), "/ws?token=" + r.token)) << r.name;
    EXPECT_EQ(c.http_status(), 401) << r.name;
  }
  ws_client good;
  EXPECT_FALSE(connect(good, node.ws_port(), hs256({{"sub", "a"}, {"aud", "wsedge"}})).is_null());
  EXPECT_EQ(node.events().snapshot().rejected["unauthorized"], static_cast<int>(rows.size()));
}

TEST_F(Auth, Rs256AcceptsItsKeyAndRefusesTheAlgorithmConfusion) {
  auth::jwt_config jwt;
  jwt.public_key_pem = read_file(private_temp_path("rsa.pub"));
  test_node node(config_with(jwt));
  ws_client good, confused;
  EXPECT_EQ(
      str(connect(good, node.ws_port(), mint("RS256", "rsa.pem", {{"sub", "r"}})).at("user_id")),
      "r");
  auto forged = mint("HS256", "rsa.pem", {{"sub", "evil"}},
                     {"--forge", "hs256-with-public-key", private_temp_path("rsa.pub")});
  EXPECT_FALSE(confused.connect(node.ws_port(), "/ws?token=" + forged));
  EXPECT_EQ(confused.http_status(), 401);
}

TEST_F(Auth, Es256TokensFromAnotherLibraryVerify) {
  auth::jwt_config jwt;
  jwt.public_key_pem = read_file(private_temp_path("ec.pub"));
  test_node node(config_with(jwt));
  ws_client c, hs;
  EXPECT_EQ(str(connect(c, node.ws_port(), mint("ES256", "ec.pem", {{"sub", "e"}})).at("user_id")),
            "e");
  EXPECT_FALSE(hs.connect(node.ws_port(), "/ws?token=" + hs256({{"sub", "e"}})));
  EXPECT_EQ(hs.http_status(), 401);
}

// Found by fuzz/jwt_fuzzer: cpp-jwt's base64 decoding of an ES256/RS256 signature read before
// its table on a byte >= 0x80 (an assertion abort in Debug builds). Refused with 401 now.
TEST_F(Auth, ASignatureOutsideBase64UrlIsRefused) {
  auth::jwt_config jwt;
  jwt.public_key_pem = read_file(private_temp_path("ec.pub"));
  test_node node(config_with(jwt));
  std::string token = mint("ES256", "ec.pem", {{"sub", "e"}});
  const std::size_t signature = token.rfind('.') + 1;
  ws_client bad, good;
  EXPECT_FALSE(bad.connect(node.ws_port(), "/ws?token=" + token.substr(0, signature + 4) +
                                               "%FF%FF" + token.substr(signature + 6)));
  EXPECT_EQ(bad.http_status(), 401);
  EXPECT_EQ(str(connect(good, node.ws_port(), token).at("user_id")), "e");
}

TEST_F(Auth, PublishAndKickTargetUsersAndRoles) {
  test_node node(hs256_config());
  ws_client alice1, alice2, bob;
  connect(alice1, node.ws_port(), hs256({{"sub", "alice"}, {"role", "member"}}));
  connect(alice2, node.ws_port(), hs256({{"sub", "alice"}, {"role", "member"}}));
  connect(bob, node.ws_port(), hs256({{"sub", "bob"}, {"role", "admin"}}));

  v1::Target to_alice;
  to_alice.set_user_id("alice");
  v1::PublishResponse response;
  ASSERT_TRUE(node.publish(to_alice, R"("for alice")", &response).ok());
  EXPECT_EQ(response.recipients(), 2u);
  EXPECT_EQ(str(alice1.read_json().at("data")), "for alice");
  EXPECT_EQ(str(alice2.read_json().at("data")), "for alice");
  v1::Target to_admins;
  to_admins.set_role("admin");
  ASSERT_TRUE(node.publish(to_admins, R"("for admins")", &response).ok());
  EXPECT_EQ(response.recipients(), 1u);
  EXPECT_EQ(str(bob.read_json().at("data")), "for admins");

  auto stats = node.stats();
  EXPECT_EQ(stats.connections_by_role().at("member"), 2u);
  EXPECT_EQ(stats.connections_by_role().at("admin"), 1u);

  v1::KickRequest kick;
  kick.set_user_id("alice");
  kick.set_reason("account closed");
  v1::KickResponse kicked;
  ASSERT_TRUE(node.kick(kick, &kicked).ok());
  EXPECT_EQ(kicked.kicked(), 2u);
  EXPECT_EQ(alice1.wait_for_close(), 4000);
  EXPECT_EQ(alice2.wait_for_close(), 4000);
  bob.send(R"({"type":"ping"})");
  EXPECT_EQ(str(bob.read_json().at("type")), "pong");
}

TEST_F(Auth, RoomsClaimAndPersonalRoomsLimitSubscriptions) {
  test_node node(hs256_config());
  ws_client alice;
  connect(alice, node.ws_port(),
          hs256({{"sub", "alice"}, {"rooms", json::array{"news", "chat:*", "user:alice"}}}));
  auto subscribe = [&](const std::string& room) {
    alice.send(R"({"type":"subscribe","room":")" + room + R"("})");
    auto reply = alice.read_json();
    return str(reply.at("type")) == "subscribed" ? std::string("ok") : str(reply.at("code"));
  };
  EXPECT_EQ(subscribe("news"), "ok");
  EXPECT_EQ(subscribe("chat:42"), "ok");
  EXPECT_EQ(subscribe("user:alice"), "ok");
  EXPECT_EQ(subscribe("sports"), "forbidden");
  EXPECT_EQ(subscribe("newsroom"), "forbidden");

  ws_client bob;
  connect(bob, node.ws_port(), hs256({{"sub", "bob"}}));
  bob.send(R"({"type":"subscribe","room":"user:alice"})");
  EXPECT_EQ(str(bob.read_json().at("code")), "forbidden");
  bob.send(R"({"type":"subscribe","room":"user:bob"})");
  EXPECT_EQ(str(bob.read_json().at("type")), "subscribed");
}

TEST_F(Auth, RoomRulesDecideByRole) {
  auto config = hs256_config();
  config.edge.room_rules = *edge::parse_room_rules(R"({"rules":[
      {"room":"ops:*","subscribe":["admin"],"publish":["admin"]},
      {"room":"announcements","publish":[]}]})");
  test_node node(config);
  ws_client admin, member;
  connect(admin, node.ws_port(), hs256({{"sub", "a"}, {"role", "admin"}}));
  connect(member, node.ws_port(), hs256({{"sub", "m"}, {"role", "member"}}));
  auto reply_to = [](ws_client& c, const std::string& request) {
    c.send(request);
    auto reply = c.read_json();
    return str(reply.at("type")) == "error" ? str(reply.at("code")) : str(reply.at("type"));
  };
  EXPECT_EQ(reply_to(admin, R"({"type":"subscribe","room":"ops:db"})"), "subscribed");
  EXPECT_EQ(reply_to(member, R"({"type":"subscribe","room":"ops:db"})"), "forbidden");
  EXPECT_EQ(reply_to(member, R"({"type":"subscribe","room":"announcements"})"), "subscribed");
  EXPECT_EQ(reply_to(member, R"({"type":"publish","room":"announcements","data":1,"id":1})"),
            "forbidden");
  // The backend may still publish there over gRPC.
  ASSERT_TRUE(node.publish(room_target("announcements"), R"("from backend")").ok());
  EXPECT_EQ(str(member.read_json().at("data")), "from backend");
}

TEST_F(Auth, ConnectionIsClosedWith1008WhenItsTokenExpires) {
  auto config = hs256_config();
  config.jwt->leeway = std::chrono::seconds(0);
  test_node node(config);
  ws_client c;
  ASSERT_FALSE(
      connect(c, node.ws_port(), hs256({{"sub", "short"}, {"exp", now_s() + 2}})).is_null());
  EXPECT_EQ(c.wait_for_close(std::chrono::seconds(10)), 1008);
  EXPECT_EQ(c.close_reason(), "token expired");
}

// exp 9999-12-31 lies past what a nanosecond system_clock holds (2262): it must saturate to a far
// future, not wrap into the past and close the connection at the first tick.
TEST_F(Auth, ExpiryAfter2262StaysConnectedPastTheTicks) {
  auto config = hs256_config();
  config.jwt->leeway = std::chrono::seconds(0);
  // One shard, so every tick that visits `short_lived` visits `far` too; a 100 ms ping interval
  // makes the shard tick every 25 ms.
  config.edge.threads = 1;
  config.edge.ping_interval = std::chrono::milliseconds(100);
  test_node node(config);
  ws_client far, short_lived;
  ASSERT_FALSE(
      connect(far, node.ws_port(), hs256({{"sub", "far"}, {"exp", 253402300799}})).is_null())
      << far.http_body();
  ASSERT_FALSE(connect(short_lived, node.ws_port(), hs256({{"sub", "short"}, {"exp", now_s() + 2}}))
                   .is_null());
  // The tick that closes `short_lived` comes many ticks after `far` connected.
  EXPECT_EQ(short_lived.wait_for_close(std::chrono::seconds(10)), 1008);
  far.send(R"({"type":"ping"})");
  auto reply = far.read_json();
  ASSERT_TRUE(reply.is_object()) << "closed " << far.close_code() << " " << far.close_reason();
  EXPECT_EQ(str(reply.at("type")), "pong");
  EXPECT_EQ(node.events().snapshot().errors["token_expired"], 1);
}

// nbf 0 (the epoch), or any nbf below the leeway, is long past, not an unsigned wrap ahead.
TEST_F(Auth, NotBeforeBelowTheLeewayIsAccepted) {
  test_node node(hs256_config());  // the default leeway, 30 s
  for (std::int64_t nbf : {0, 5, 30}) {
    ws_client c;
    auto hello = connect(c, node.ws_port(), hs256({{"sub", "n"}, {"nbf", nbf}}));
    ASSERT_TRUE(hello.is_object())
        << "nbf " << nbf << ": " << c.http_status() << " " << c.http_body();
    EXPECT_EQ(str(hello.at("user_id")), "n");
  }
}

TEST_F(Auth, CritLowerCaseAlgAndDuplicateKeysAreRefusedWith401) {
  test_node node(hs256_config());
  const std::string exp = std::to_string(now_s() + 600);
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  const std::string payload = R"({"sub":"a","exp":)" + exp + "}";
  struct row {
    std::string name, token, reason;
  };
  std::vector<row> rows{
      {"crit", hs256_raw(R"({"alg":"HS256","typ":"JWT","crit":["tenant"],"tenant":"t"})", payload),
       "crit"},
      {"lower-case alg", hs256_raw(R"({"alg":"hs256","typ":"JWT"})", payload), "algorithm"},
      {"duplicate sub", hs256_raw(header, R"({"sub":"a","sub":"admin"})"), "duplicate"},
      {"duplicate exp", hs256_raw(header, R"({"sub":"a","exp":)" + exp + R"(,"exp":)" + exp + "}"),
       "duplicate"},
      {"duplicate nested key", hs256_raw(header, R"({"sub":"a","x":{"k":1,"k":2}})"), "duplicate"},
      {"duplicate header key", hs256_raw(R"({"alg":"HS256","typ":"JWT","typ":"JWT"})", payload),
       "duplicate"},
  };
  for (const auto& r : rows) {
    ws_client c;
    EXPECT_FALSE(c.connect(node.ws_port(), "/ws?token=" + r.token)) << r.name;
    EXPECT_EQ(c.http_status(), 401) << r.name;
    EXPECT_NE(c.http_body().find(r.reason), std::string::npos) << r.name << ": " << c.http_body();
  }
  // The same header and payload, spelt properly, connect: the refusals are not a signing mistake.
  ws_client good;
  auto hello = connect(good, node.ws_port(), hs256_raw(header, payload));
  ASSERT_TRUE(hello.is_object()) << good.http_body();
  EXPECT_EQ(str(hello.at("user_id")), "a");
}

TEST(AuthOff, TokensAreIgnoredAndConnectionsAnonymousWithoutAKey) {
  test_node node;
  ws_client c;
  ASSERT_TRUE(c.connect(node.ws_port(), "/ws?token=whatever"));
  EXPECT_EQ(str(c.read_json().at("user_id")), "");
}

}  // namespace
}  // namespace wsedge::testing
