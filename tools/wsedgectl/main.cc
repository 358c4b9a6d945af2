// wsedgectl: a command-line client of the wsedge control plane (Publish, PublishBatch, Stats,
// Kick, History, Presence) and a development-token minter.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/usage.h>
#include <absl/status/status.h>
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <jwt/jwt.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/usage.hpp"
#include "tools/wsedgectl/batch_lines.hpp"
#include "tools/wsedgectl/control_channel.hpp"
#include "tools/wsedgectl/watch_events.hpp"
#include "wsedge/v1/control.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:9090", "control plane address host:port");
ABSL_FLAG(std::string, token, "", "control token (sent as 'authorization: Bearer <token>')");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM file of the CA that signed the server's certificate: the call uses TLS");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM file of this client's certificate, for mutual TLS (with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM file of the private key of --tls_cert");
ABSL_FLAG(int, timeout_seconds, 10, "deadline of each call");
ABSL_FLAG(std::string, room, "", "publish/stats/history/presence: the room");
ABSL_FLAG(uint64_t, since_seq, 0, "history: only messages after this seq");
ABSL_FLAG(std::string, user_id, "", "publish/kick: the user id");
ABSL_FLAG(std::string, role, "", "publish/token: the role");
ABSL_FLAG(std::string, client_id, "", "publish/kick: the client id");
ABSL_FLAG(bool, all, false, "publish: to every connection");
ABSL_FLAG(std::string, reason, "kicked", "kick: the close reason");
ABSL_FLAG(uint32_t, limit, 0,
          "stats: most rooms per page (0: the server's 1,000; at most 10,000); history: most "
          "messages, the newest (0: all kept)");
ABSL_FLAG(std::string, page_token, "", "stats: the nextPageToken of the previous page");
ABSL_FLAG(std::string, secret, "", "token: the HS256 secret (the server's jwt_secret)");
ABSL_FLAG(std::string, sub, "", "token: the user id (sub claim)");
ABSL_FLAG(std::string, rooms, "",
          "token: comma-separated rooms or prefixes ending in * (rooms claim)");
ABSL_FLAG(int, ttl_seconds, 3600, "token: lifetime (exp claim)");
ABSL_FLAG(std::string, kinds, "",
          "watch: comma-separated event kinds (connected, disconnected, joined, left, "
          "client_message); empty: all");
ABSL_FLAG(std::string, room_prefix, "", "watch: only events about rooms starting with this");
ABSL_FLAG(uint64_t, after_id, 0, "watch: resume after this event id (0: from now on)");
ABSL_FLAG(uint64_t, max_events, 0, "watch: exit 0 after this many events (0: never)");

namespace v1 = wsedge::v1;
namespace ctl = wsedge::ctl;

namespace {

constexpr char usage[] =
    "wsedgectl: a client of the wsedge control plane, and a development-token minter.\n"
    "\n"
    "usage: wsedgectl <command> [flags] [argument]\n"
    "\n"
    "commands:\n"
    "  publish (--room R | --user_id U | --role R | --client_id C | --all) 'JSON'\n"
    "      delivers the JSON to the target's connections\n"
    "  publish-batch < publishes.jsonl\n"
    "      one publish per line of stdin, e.g. {\"room\":\"a\",\"data\":{\"x\":1}} (the target is\n"
    "      one of room, user_id, role, client_id or \"all\":true); a bad line sends nothing\n"
    "  stats [--room R] [--limit N] [--page_token T]\n"
    "      counts of connections, rooms and messages, and a page of rooms\n"
    "  kick (--client_id C | --user_id U) [--reason TEXT]\n"
    "      closes the selected connections with 4000\n"
    "  history --room R [--since_seq N] [--limit N]\n"
    "      the room's seq, epoch and the messages its history keeps\n"
    "  presence --room R\n"
    "      the room's members (client and user ids)\n"
    "  watch [--kinds K,K] [--room_prefix P] [--after_id ID] [--max_events N]\n"
    "      prints the node's client events as JSON lines until interrupted (no deadline)\n"
    "  token --secret S --sub U [--role R] [--rooms 'a,b*'] [--ttl_seconds N]\n"
    "      prints an HS256 development token (no server involved)\n"
    "\n"
    "Calls go to --server within --timeout_seconds, with --token if the server wants one; over\n"
    "TLS with --tls_ca, mutual TLS with --tls_cert and --tls_key as well.\n"
    "Exit status: 0 done, 1 the call failed (its gRPC status on stderr), 2 a usage error.";

int usage_error(absl::string_view command, absl::string_view message) {
  std::cerr << "wsedgectl " << command << ": " << message << "\n";
  return 2;
}

void print(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  // The cluster-only lists are left out while empty (one node): a single node's output stays
  // as it was. Inside a JSON string these quotes would be escaped, so no value is touched.
  for (std::string_view empty : {R"(,"nodesMissing":[])", R"(,"nodes":[])"})
    for (auto at = json.find(empty); at != std::string::npos; at = json.find(empty, at))
      json.erase(at, empty.size());
  std::cout << json << "\n";
}

// A failed call: the status code's name (gRPC's codes are absl's) and its message.
int fail(const grpc::Status& status, const std::string& message) {
  std::cerr << "wsedgectl: "
            << absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())) << ": "
            << message << "\n";
  return 1;
}
int fail(const grpc::Status& status) {
  return fail(status, status.error_message());
}

// A finished call: its response on stdout, or its status on stderr.
int answer(const grpc::Status& status, const google::protobuf::Message& response) {
  if (!status.ok()) return fail(status);
  print(response);
  return 0;
}

// A fresh context for each call: its own deadline, and the control token when given.
std::unique_ptr<grpc::ClientContext> call_context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds)));
  if (!absl::GetFlag(FLAGS_token).empty())
    context->AddMetadata("authorization", "Bearer " + absl::GetFlag(FLAGS_token));
  return context;
}

// A development token: HS256 with the server's jwt_secret.
int mint_token() {
  if (absl::GetFlag(FLAGS_secret).empty()) return usage_error("token", "--secret is required");
  if (absl::GetFlag(FLAGS_sub).empty())
    return usage_error("token", "--sub is required (the user id the token stands for)");
  jwt::jwt_object token{jwt::params::algorithm("HS256"),
                        jwt::params::secret(absl::GetFlag(FLAGS_secret))};
  token.add_claim("sub", absl::GetFlag(FLAGS_sub));
  if (!absl::GetFlag(FLAGS_role).empty()) token.add_claim("role", absl::GetFlag(FLAGS_role));
  // "a, b*" means "a" and "b*": a room name never holds a space.
  std::vector<std::string> rooms;
  for (absl::string_view room :
       absl::StrSplit(absl::GetFlag(FLAGS_rooms), ',', absl::SkipWhitespace()))
    rooms.emplace_back(absl::StripAsciiWhitespace(room));
  if (!rooms.empty()) token.payload().add_claim("rooms", rooms);
  token.add_claim("exp", std::chrono::system_clock::now() +
                             std::chrono::seconds(absl::GetFlag(FLAGS_ttl_seconds)));
  std::cout << token.signature() << "\n";
  return 0;
}

int publish(v1::EdgeControl::Stub& stub, const std::vector<char*>& args) {
  if (args.size() != 3) return usage_error("publish", "give the JSON data as one argument");
  v1::PublishRequest request;
  auto* target = request.mutable_target();
  if (!absl::GetFlag(FLAGS_room).empty())
    target->set_room(absl::GetFlag(FLAGS_room));
  else if (!absl::GetFlag(FLAGS_user_id).empty())
    target->set_user_id(absl::GetFlag(FLAGS_user_id));
  else if (!absl::GetFlag(FLAGS_role).empty())
    target->set_role(absl::GetFlag(FLAGS_role));
  else if (!absl::GetFlag(FLAGS_client_id).empty())
    target->set_client_id(absl::GetFlag(FLAGS_client_id));
  else if (absl::GetFlag(FLAGS_all))
    target->set_all(true);
  request.set_data(args[2]);
  v1::PublishResponse response;
  return answer(stub.Publish(call_context().get(), request, &response), response);
}

// Reads stdin whole first, so that a malformed line sends nothing; then PublishBatch calls of up
// to 1,000 lines (batch_calls). What was published is printed even when a later call fails.
int publish_batch(v1::EdgeControl::Stub& stub) {
  auto items = ctl::read_batch_lines(std::cin);
  if (!items.ok())
    return usage_error("publish-batch",
                       absl::StrCat(items.status().message(), "; nothing was sent"));
  v1::PublishBatchResponse published;
  for (auto call : ctl::batch_calls(*items)) {
    v1::PublishBatchRequest request;
    for (const auto& item : call) *request.add_publishes() = item.publish;
    v1::PublishBatchResponse response;
    auto status = stub.PublishBatch(call_context().get(), request, &response);
    if (!status.ok()) {
      if (published.results_size() > 0) {
        print(published);
        std::cerr << "wsedgectl publish-batch: the lines before line " << call.front().line
                  << " were published (their results are on stdout)\n";
      }
      return fail(status, ctl::name_line(status.error_message(), call));
    }
    published.mutable_results()->MergeFrom(response.results());
  }
  print(published);
  return 0;
}

int stats(v1::EdgeControl::Stub& stub) {
  v1::StatsRequest request;
  request.set_room(absl::GetFlag(FLAGS_room));
  request.set_limit(absl::GetFlag(FLAGS_limit));
  request.set_page_token(absl::GetFlag(FLAGS_page_token));
  v1::StatsResponse response;
  return answer(stub.Stats(call_context().get(), request, &response), response);
}

int kick(v1::EdgeControl::Stub& stub) {
  v1::KickRequest request;
  if (!absl::GetFlag(FLAGS_client_id).empty())
    request.set_client_id(absl::GetFlag(FLAGS_client_id));
  else if (!absl::GetFlag(FLAGS_user_id).empty())
    request.set_user_id(absl::GetFlag(FLAGS_user_id));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  v1::KickResponse response;
  return answer(stub.Kick(call_context().get(), request, &response), response);
}

int history(v1::EdgeControl::Stub& stub) {
  if (absl::GetFlag(FLAGS_room).empty()) return usage_error("history", "--room is required");
  v1::HistoryRequest request;
  request.set_room(absl::GetFlag(FLAGS_room));
  request.set_since_seq(absl::GetFlag(FLAGS_since_seq));
  request.set_limit(absl::GetFlag(FLAGS_limit));
  v1::HistoryResponse response;
  return answer(stub.History(call_context().get(), request, &response), response);
}

int presence(v1::EdgeControl::Stub& stub) {
  if (absl::GetFlag(FLAGS_room).empty()) return usage_error("presence", "--room is required");
  v1::PresenceRequest request;
  request.set_room(absl::GetFlag(FLAGS_room));
  v1::PresenceResponse response;
  return answer(stub.Presence(call_context().get(), request, &response), response);
}

// No deadline: a watch runs until interrupted, --max_events, or the server ends it.
int watch(v1::EdgeControl::Stub& stub) {
  v1::WatchRequest request;
  for (absl::string_view kind : absl::StrSplit(absl::GetFlag(FLAGS_kinds), ',', absl::SkipEmpty()))
    request.add_kinds(std::string(kind));
  request.set_room_prefix(absl::GetFlag(FLAGS_room_prefix));
  request.set_after_id(absl::GetFlag(FLAGS_after_id));
  grpc::ClientContext context;
  if (!absl::GetFlag(FLAGS_token).empty())
    context.AddMetadata("authorization", "Bearer " + absl::GetFlag(FLAGS_token));
  grpc::Status status =
      ctl::watch_events(stub, context, request, absl::GetFlag(FLAGS_max_events), std::cout);
  return status.ok() ? 0 : fail(status);
}

}  // namespace

int main(int argc, char** argv) {
  if (wsedge::cli::help_requested(argc, argv)) {
    std::cout << wsedge::cli::help_text(usage, "tools/wsedgectl/");
    return 0;
  }
  absl::SetProgramUsageMessage(usage);
  auto args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << usage << "\n";
    return 2;
  }
  const std::string command = args[1];
  if (command == "token") return mint_token();

  auto credentials = ctl::channel_credentials(
      {absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key)});
  if (!credentials.ok()) return usage_error(command, credentials.status().message());
  auto stub =
      v1::EdgeControl::NewStub(grpc::CreateChannel(absl::GetFlag(FLAGS_server), *credentials));
  if (command == "publish") return publish(*stub, args);
  if (command == "publish-batch") return publish_batch(*stub);
  if (command == "stats") return stats(*stub);
  if (command == "kick") return kick(*stub);
  if (command == "history") return history(*stub);
  if (command == "presence") return presence(*stub);
  if (command == "watch") return watch(*stub);
  std::cerr << "wsedgectl: unknown command \"" << command << "\" (wsedgectl --help lists them)\n";
  return 2;
}
