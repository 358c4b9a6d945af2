// Server reflection as generic tools use it (grpcurl, buf curl, Postman), in both versions: every
// listed service resolves to its file and methods; control_token guards it, health stays open.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/sync_stream.h>
#include <gtest/gtest.h>

#include <set>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1/reflection.pb.h"
#include "tests/support/wsedge_binary.hpp"

namespace wsedge::testing {
namespace {

// v1's messages for both versions: v1alpha's are the same bytes on the wire.
namespace reflection = grpc::reflection::v1;
using stream_t = grpc::ClientReaderWriter<reflection::ServerReflectionRequest,
                                          reflection::ServerReflectionResponse>;

// One reflection stream: asks, and gathers the files the server sends into a database.
class reflection_client {
 public:
  // `version`: "v1" or "v1alpha"; `token`: the control token to send, if any.
  explicit reflection_client(std::uint16_t port, const std::string& version = "v1alpha",
                             const std::string& token = "")
      : channel_(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials())),
        method_name_("/grpc.reflection." + version + ".ServerReflection/ServerReflectionInfo") {
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!token.empty()) context_.AddMetadata("authorization", "Bearer " + token);
    // RpcMethod keeps the name's pointer: the string lives as long as the client.
    const grpc::internal::RpcMethod method(method_name_.c_str(),
                                           grpc::internal::RpcMethod::BIDI_STREAMING, channel_);
    stream_.reset(grpc::internal::ClientReaderWriterFactory<
                  reflection::ServerReflectionRequest,
                  reflection::ServerReflectionResponse>::Create(channel_.get(), method, &context_));
  }
  ~reflection_client() {
    if (!finished_) finish();
  }

  grpc::Status finish() {
    finished_ = true;
    stream_->WritesDone();
    return stream_->Finish();
  }

  std::vector<std::string> list_services() {
    reflection::ServerReflectionRequest request;
    request.set_list_services("");
    std::vector<std::string> names;
    const auto response = ask(request);
    for (const auto& service : response.list_services_response().service())
      names.push_back(service.name());
    return names;
  }

  // The files defining `symbol` (and what they import) join the database; the error (or "").
  std::string load_file_of(const std::string& symbol) {
    reflection::ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    auto response = ask(request);
    if (response.has_error_response())
      return std::to_string(response.error_response().error_code()) + " " +
             response.error_response().error_message();
    for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      if (!file.ParseFromString(bytes)) return "unparsable FileDescriptorProto";
      if (loaded_.insert(file.name()).second) database_.Add(file);
    }
    return "";
  }

  const google::protobuf::DescriptorPool& pool() { return pool_; }

 private:
  reflection::ServerReflectionResponse ask(const reflection::ServerReflectionRequest& request) {
    reflection::ServerReflectionResponse response;
    if (!stream_->Write(request) || !stream_->Read(&response)) response.Clear();
    return response;
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::string method_name_;
  grpc::ClientContext context_;
  std::unique_ptr<stream_t> stream_;
  bool finished_ = false;
  std::set<std::string> loaded_;
  google::protobuf::SimpleDescriptorDatabase database_;
  google::protobuf::DescriptorPool pool_{&database_};
};

// What reflection lists must resolve: `client` loads every listed service's file.
void expect_every_service_resolves(reflection_client& client) {
  const auto services = client.list_services();
  for (const char* expected :
       {"wsedge.v1.EdgeControl", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_NE(std::find(services.begin(), services.end(), expected), services.end()) << expected;
  }
  for (const std::string& name : services) {
    EXPECT_EQ(client.load_file_of(name), "") << name;
    const auto* service = client.pool().FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name << " does not resolve";
    EXPECT_GT(service->method_count(), 0) << name;
  }
  const auto* health = client.pool().FindServiceByName("grpc.health.v1.Health");
  ASSERT_NE(health, nullptr);
  EXPECT_NE(health->FindMethodByName("Check"), nullptr);
  const auto* control = client.pool().FindServiceByName("wsedge.v1.EdgeControl");
  ASSERT_NE(control, nullptr);
  EXPECT_NE(control->FindMethodByName("Publish"), nullptr);
}

// Against the real binary: what its reflection can describe is what the binary links.
TEST(Reflection, EveryListedServiceResolvesWithItsMethodsInBothVersions) {
  child_process wsedge(wsedge_argv());
  auto ports = read_startup_line(wsedge);
  ASSERT_TRUE(ports);
  for (const char* version : {"v1alpha", "v1"}) {
    SCOPED_TRACE(version);
    reflection_client client(static_cast<std::uint16_t>(ports->grpc), version);
    expect_every_service_resolves(client);
    EXPECT_TRUE(client.finish().ok());
  }
}

TEST(Reflection, TheControlTokenProtectsReflectionAndHealthStaysOpen) {
  child_process wsedge(wsedge_argv({"--control_token=reflect-secret"}));
  auto ports = read_startup_line(wsedge);
  ASSERT_TRUE(ports);
  const auto port = static_cast<std::uint16_t>(ports->grpc);
  for (const std::string token : {"", "wrong"}) {
    reflection_client stranger(port, "v1", token);
    EXPECT_TRUE(stranger.list_services().empty());
    EXPECT_EQ(stranger.finish().error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
  }
  reflection_client operator_client(port, "v1", "reflect-secret");
  expect_every_service_resolves(operator_client);
  // Probes carry no token: health answers them.
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  auto status = grpc::health::v1::Health::NewStub(channel)->Check(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace wsedge::testing
