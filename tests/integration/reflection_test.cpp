// Server reflection as generic tools use it (grpcurl, buf curl, Postman): every listed service
// resolves to its file, and the file describes the service's methods.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/sync_stream.h>
#include <gtest/gtest.h>

#include <set>

#include "support/reflection_wire.pb.h"  // generated into the build tree
#include "tests/support/wsedge_binary.hpp"

namespace wsedge::testing {
namespace {

namespace reflection = wsedge::testing::reflection;
using stream_t = grpc::ClientReaderWriter<reflection::ServerReflectionRequest,
                                          reflection::ServerReflectionResponse>;

// One reflection stream: asks, and gathers the files the server sends into a database.
class reflection_client {
 public:
  explicit reflection_client(std::uint16_t port)
      : channel_(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials())) {
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    const grpc::internal::RpcMethod method(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        grpc::internal::RpcMethod::BIDI_STREAMING, channel_);
    stream_.reset(grpc::internal::ClientReaderWriterFactory<
                  reflection::ServerReflectionRequest,
                  reflection::ServerReflectionResponse>::Create(channel_.get(), method, &context_));
  }
  ~reflection_client() {
    stream_->WritesDone();
    stream_->Finish();
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
    EXPECT_TRUE(stream_->Write(request));
    EXPECT_TRUE(stream_->Read(&response));
    return response;
  }

  std::shared_ptr<grpc::Channel> channel_;
  grpc::ClientContext context_;
  std::unique_ptr<stream_t> stream_;
  std::set<std::string> loaded_;
  google::protobuf::SimpleDescriptorDatabase database_;
  google::protobuf::DescriptorPool pool_{&database_};
};

// Against the real binary: what its reflection can describe is what the binary links.
TEST(Reflection, EveryListedServiceResolvesWithItsMethods) {
  child_process wsedge(wsedge_argv());
  auto ports = read_startup_line(wsedge);
  ASSERT_TRUE(ports);
  reflection_client client(static_cast<std::uint16_t>(ports->grpc));
  const auto services = client.list_services();
  for (const char* expected : {"wsedge.v1.EdgeControl", "grpc.health.v1.Health",
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

}  // namespace
}  // namespace wsedge::testing
