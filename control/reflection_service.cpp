// One implementation of ServerReflectionInfo for both generated versions of the service.
#include "control/reflection_service.hpp"

#include <google/protobuf/descriptor.h>

#include <set>

#include "control/control_token.hpp"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace wsedge::control {

namespace {

namespace pb = google::protobuf;

template <class Base, class Request, class Response>
class reflection_service final : public Base {
 public:
  reflection_service(const control_token_check& token, std::vector<std::string> names)
      : token_(token), names_(std::move(names)) {}

  grpc::Status ServerReflectionInfo(grpc::ServerContext* context,
                                    grpc::ServerReaderWriter<Response, Request>* stream) override {
    if (grpc::Status status = token_.check(*context); !status.ok()) return status;
    std::set<std::string> sent;  // files already sent on this stream, not sent again as imports
    Request request;
    while (stream->Read(&request)) {
      Response response;
      response.set_valid_host(request.host());
      *response.mutable_original_request() = request;
      answer(request, response, sent);
      if (!stream->Write(response)) break;
    }
    return grpc::Status::OK;
  }

 private:
  void answer(const Request& request, Response& response, std::set<std::string>& sent) const {
    const pb::DescriptorPool& pool = *pb::DescriptorPool::generated_pool();
    switch (request.message_request_case()) {
      case Request::kListServices:
        for (const std::string& name : names_)
          response.mutable_list_services_response()->add_service()->set_name(name);
        return;
      case Request::kFileByFilename:
        return send_file(pool.FindFileByName(request.file_by_filename()), response, sent);
      case Request::kFileContainingSymbol:
        return send_file(pool.FindFileContainingSymbol(request.file_containing_symbol()), response,
                         sent);
      case Request::kFileContainingExtension: {
        const auto& wanted = request.file_containing_extension();
        const pb::Descriptor* type = pool.FindMessageTypeByName(wanted.containing_type());
        const pb::FieldDescriptor* extension =
            type ? pool.FindExtensionByNumber(type, wanted.extension_number()) : nullptr;
        return send_file(extension ? extension->file() : nullptr, response, sent);
      }
      case Request::kAllExtensionNumbersOfType: {
        const pb::Descriptor* type =
            pool.FindMessageTypeByName(request.all_extension_numbers_of_type());
        if (type == nullptr) return fail(response, grpc::StatusCode::NOT_FOUND, "Type not found.");
        std::vector<const pb::FieldDescriptor*> extensions;
        pool.FindAllExtensions(type, &extensions);
        auto* numbers = response.mutable_all_extension_numbers_response();
        numbers->set_base_type_name(type->full_name());
        for (const auto* extension : extensions) numbers->add_extension_number(extension->number());
        return;
      }
      default:
        return fail(response, grpc::StatusCode::UNIMPLEMENTED, "Request type not supported.");
    }
  }

  // The file itself, then each import (transitively) the stream has not carried yet.
  static void send_file(const pb::FileDescriptor* file, Response& response,
                        std::set<std::string>& sent) {
    if (file == nullptr) return fail(response, grpc::StatusCode::NOT_FOUND, "Symbol not found.");
    auto* files = response.mutable_file_descriptor_response();
    std::vector<const pb::FileDescriptor*> pending{file};
    sent.insert(file->name());
    while (!pending.empty()) {
      const pb::FileDescriptor* next = pending.back();
      pending.pop_back();
      pb::FileDescriptorProto proto;
      next->CopyTo(&proto);
      proto.SerializeToString(files->add_file_descriptor_proto());
      for (int i = 0; i < next->dependency_count(); ++i) {
        if (sent.insert(next->dependency(i)->name()).second) pending.push_back(next->dependency(i));
      }
    }
  }

  static void fail(Response& response, grpc::StatusCode code, const char* message) {
    response.mutable_error_response()->set_error_code(static_cast<int>(code));
    response.mutable_error_response()->set_error_message(message);
  }

  const control_token_check& token_;
  const std::vector<std::string> names_;
};

namespace v1 = grpc::reflection::v1;
namespace v1alpha = grpc::reflection::v1alpha;
using v1_service = reflection_service<v1::ServerReflection::Service, v1::ServerReflectionRequest,
                                      v1::ServerReflectionResponse>;
using v1alpha_service =
    reflection_service<v1alpha::ServerReflection::Service, v1alpha::ServerReflectionRequest,
                       v1alpha::ServerReflectionResponse>;

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> make_reflection_services(
    const control_token_check& token, std::vector<std::string> service_names) {
  service_names.push_back(v1::ServerReflection::service_full_name());
  service_names.push_back(v1alpha::ServerReflection::service_full_name());
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<v1_service>(token, service_names));
  services.push_back(std::make_unique<v1alpha_service>(token, std::move(service_names)));
  return services;
}

}  // namespace wsedge::control
