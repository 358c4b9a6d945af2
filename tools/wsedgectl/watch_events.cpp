// wsedgectl watch: read the stream, print each event as one line of JSON.
#include "tools/wsedgectl/watch_events.hpp"

#include <google/protobuf/util/json_util.h>

#include <string>

namespace wsedge::ctl {

grpc::Status watch_events(wsedge::v1::EdgeControl::Stub& stub, grpc::ClientContext& context,
                          const wsedge::v1::WatchRequest& request, std::uint64_t max_events,
                          std::ostream& out) {
  auto reader = stub.WatchEvents(&context, request);
  google::protobuf::util::JsonPrintOptions options;
  wsedge::v1::Event event;
  std::uint64_t printed = 0;
  std::string json;
  while (reader->Read(&event)) {
    json.clear();
    (void)google::protobuf::util::MessageToJsonString(event, &json, options);
    out << json << std::endl;
    if (max_events != 0 && ++printed == max_events) {
      context.TryCancel();
      while (reader->Read(&event)) {
      }
      (void)reader->Finish();
      return grpc::Status::OK;
    }
  }
  return reader->Finish();
}

}  // namespace wsedge::ctl
