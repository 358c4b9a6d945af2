// One WatchEvents call over real gRPC, for the event stream's tests.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "tests/support/test_node.hpp"
#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::testing {

// One WatchEvents call: constructed once the server has registered the watcher.
class watch {
 public:
  watch(test_node& node, const wsedge::v1::WatchRequest& request = {}) {
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    reader_ = node.control().WatchEvents(&context_, request);
    reader_->WaitForInitialMetadata();
  }
  ~watch() {
    if (finished_) return;
    context_.TryCancel();
    wsedge::v1::Event ignored;
    while (reader_->Read(&ignored)) {
    }
    reader_->Finish().ok();
  }

  wsedge::v1::Event next() {
    wsedge::v1::Event event;
    EXPECT_TRUE(reader_->Read(&event)) << "the stream ended";
    return event;
  }
  // Reads to the end of the stream; returns its status.
  grpc::Status finish(int* read = nullptr) {
    wsedge::v1::Event event;
    int n = 0;
    while (reader_->Read(&event)) ++n;
    if (read) *read = n;
    finished_ = true;
    return reader_->Finish();
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<wsedge::v1::Event>> reader_;
  bool finished_ = false;
};

}  // namespace wsedge::testing
