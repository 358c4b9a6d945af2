// wsedgectl: a small command-line client for the wsedge control plane (Publish, Stats, Kick).
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_split.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <iostream>
#include <jwt/jwt.hpp>
#include <string>
#include <vector>

#include "wsedge/v1/control.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:9090", "control plane address host:port");
ABSL_FLAG(std::string, token, "", "control token (sent as 'authorization: Bearer <token>')");
ABSL_FLAG(std::string, room, "", "publish/stats: the room");
ABSL_FLAG(std::string, user_id, "", "publish/kick: the user id");
ABSL_FLAG(std::string, role, "", "publish: the role");
ABSL_FLAG(std::string, client_id, "", "publish/kick: the client id");
ABSL_FLAG(bool, all, false, "publish: to every connection");
ABSL_FLAG(std::string, reason, "kicked", "kick: the close reason");
ABSL_FLAG(uint32_t, limit, 0, "stats: most rooms per page (0: the server's 1,000; at most 10,000)");
ABSL_FLAG(std::string, page_token, "", "stats: the nextPageToken of the previous page");
ABSL_FLAG(int, timeout_seconds, 10, "deadline of the call");
ABSL_FLAG(std::string, secret, "", "token: the HS256 secret (the server's jwt_secret)");
ABSL_FLAG(std::string, sub, "", "token: the user id (sub claim)");
ABSL_FLAG(std::string, rooms, "",
          "token: comma-separated rooms or prefixes ending in * (rooms claim)");
ABSL_FLAG(int, ttl_seconds, 3600, "token: lifetime (exp claim)");

namespace v1 = wsedge::v1;

namespace {

void print(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::cout << json << "\n";
}

int fail(const grpc::Status& status) {
  std::cerr << "wsedgectl: " << status.error_code() << " " << status.error_message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "wsedgectl publish [--room R | --user_id U | --role R | --client_id C | --all] 'JSON'\n"
      "wsedgectl stats [--room R] [--limit N] [--page_token T]\n"
      "wsedgectl kick (--client_id C | --user_id U) [--reason TEXT]\n"
      "wsedgectl token --secret S --sub U [--role R] [--rooms a,b*] [--ttl_seconds N]");
  auto args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  const std::string command = args[1];
  if (command == "token") {
    // A development token: HS256 with the server's jwt_secret.
    if (absl::GetFlag(FLAGS_secret).empty()) {
      std::cerr << "wsedgectl token: --secret is required\n";
      return 2;
    }
    jwt::jwt_object token{jwt::params::algorithm("HS256"),
                          jwt::params::secret(absl::GetFlag(FLAGS_secret))};
    if (!absl::GetFlag(FLAGS_sub).empty()) token.add_claim("sub", absl::GetFlag(FLAGS_sub));
    if (!absl::GetFlag(FLAGS_role).empty()) token.add_claim("role", absl::GetFlag(FLAGS_role));
    if (!absl::GetFlag(FLAGS_rooms).empty()) {
      std::vector<std::string> rooms = absl::StrSplit(absl::GetFlag(FLAGS_rooms), ',');
      token.payload().add_claim("rooms", rooms);
    }
    token.add_claim("exp", std::chrono::system_clock::now() +
                               std::chrono::seconds(absl::GetFlag(FLAGS_ttl_seconds)));
    std::cout << token.signature() << "\n";
    return 0;
  }
  auto stub = v1::EdgeControl::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_server), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds)));
  if (!absl::GetFlag(FLAGS_token).empty())
    context.AddMetadata("authorization", "Bearer " + absl::GetFlag(FLAGS_token));

  if (command == "publish") {
    if (args.size() != 3) {
      std::cerr << "wsedgectl publish: give the JSON data as one argument\n";
      return 2;
    }
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
    auto status = stub->Publish(&context, request, &response);
    if (!status.ok()) return fail(status);
    print(response);
    return 0;
  }
  if (command == "stats") {
    v1::StatsRequest request;
    request.set_room(absl::GetFlag(FLAGS_room));
    request.set_limit(absl::GetFlag(FLAGS_limit));
    request.set_page_token(absl::GetFlag(FLAGS_page_token));
    v1::StatsResponse response;
    auto status = stub->Stats(&context, request, &response);
    if (!status.ok()) return fail(status);
    print(response);
    return 0;
  }
  if (command == "kick") {
    v1::KickRequest request;
    if (!absl::GetFlag(FLAGS_client_id).empty())
      request.set_client_id(absl::GetFlag(FLAGS_client_id));
    else if (!absl::GetFlag(FLAGS_user_id).empty())
      request.set_user_id(absl::GetFlag(FLAGS_user_id));
    request.set_reason(absl::GetFlag(FLAGS_reason));
    v1::KickResponse response;
    auto status = stub->Kick(&context, request, &response);
    if (!status.ok()) return fail(status);
    print(response);
    return 0;
  }
  std::cerr << "wsedgectl: unknown command \"" << command << "\"\n"
            << absl::ProgramUsageMessage() << "\n";
  return 2;
}
