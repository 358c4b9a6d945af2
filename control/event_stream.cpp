// WatchEvents: a write reactor that takes the next event from its watcher's queue whenever the
// previous write is done, or when the event log wakes it.
#include "control/event_stream.hpp"

#include <absl/strings/str_cat.h>

#include <memory>
#include <mutex>

namespace wsedge::control {

namespace v1 = wsedge::v1;

grpc::Status to_filter(const v1::WatchRequest& request, edge::event_filter& filter) {
  if (request.kinds_size() > 0) filter.kinds = 0;
  for (const std::string& name : request.kinds()) {
    edge::client_event_kind kind{};
    if (!edge::client_event_kind_from(name, kind))
      return {grpc::StatusCode::INVALID_ARGUMENT,
              absl::StrCat("kinds: unknown kind \"", name,
                           "\" (connected, disconnected, joined, left, client_message)")};
    filter.kinds |= 1u << static_cast<unsigned>(kind);
  }
  filter.room_prefix = request.room_prefix();
  return grpc::Status::OK;
}

void to_proto(const edge::client_event& event, const std::string& node, v1::Event& out) {
  out.Clear();
  out.set_id(event.id);
  // In a cluster every event names its node; alone, it is this one.
  const std::string& where = event.node.empty() ? node : event.node;
  if (event.kind == edge::client_event_kind::gap) {
    out.mutable_gap()->set_after_id(event.gap_after);
    out.mutable_gap()->set_resumed_id(event.gap_resume);
    out.set_node(where);
    return;
  }
  out.set_ts(event.ts);
  out.set_node(where);
  out.set_client_id(event.client_id);
  out.set_user_id(event.user_id);
  out.set_room(event.room);
  switch (event.kind) {
    case edge::client_event_kind::connected:
      out.mutable_connected();
      break;
    case edge::client_event_kind::disconnected:
      out.mutable_disconnected()->set_code(event.code);
      out.mutable_disconnected()->set_reason(event.reason);
      break;
    case edge::client_event_kind::joined:
      out.mutable_joined();
      break;
    case edge::client_event_kind::left:
      out.mutable_left();
      break;
    case edge::client_event_kind::client_message:
      out.mutable_client_message()->set_data(event.data);
      break;
    case edge::client_event_kind::gap:
      break;
  }
}

namespace {

class event_stream final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  event_stream(edge::hub& hub, edge::event_filter filter, std::uint64_t after_id)
      : hub_(hub), gate_(std::make_shared<gate>()) {
    gate_->stream = this;
    auto watcher =
        hub_.watch_events(std::move(filter), after_id, [weak = std::weak_ptr<gate>(gate_)] {
          if (auto g = weak.lock()) {
            std::lock_guard lock(g->mutex);
            if (g->stream != nullptr) g->stream->write_next();
          }
        });
    std::lock_guard lock(gate_->mutex);
    watcher_ = std::move(watcher);
    // Tells the watcher it is registered: what happens from now on reaches it.
    StartSendInitialMetadata();
    write_next();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(gate_->mutex);
    writing_ = false;
    if (!ok) return finish({grpc::StatusCode::CANCELLED, "the watcher went away"});
    write_next();
  }

  void OnCancel() override {
    std::lock_guard lock(gate_->mutex);
    finish({grpc::StatusCode::CANCELLED, "cancelled by the watcher"});
  }

  void OnDone() override {
    {
      std::lock_guard lock(gate_->mutex);
      gate_->stream = nullptr;
    }
    hub_.unwatch_events(watcher_);
    delete this;
  }

 private:
  // Shared with the wake callback, which may outlive the reactor by a moment.
  struct gate {
    std::mutex mutex;
    event_stream* stream = nullptr;
  };

  // Under gate_->mutex: one write at a time, in the queue's order.
  void write_next() {
    if (finished_ || writing_ || !watcher_) return;
    if (edge::event_log::event_ptr event = watcher_->next()) {
      to_proto(*event, hub_.node_name(), message_);
      last_id_ = event->id;
      writing_ = true;
      StartWrite(&message_);
      return;
    }
    if (watcher_->cut())
      finish({grpc::StatusCode::RESOURCE_EXHAUSTED,
              absl::StrCat("this watcher fell too far behind (events_watcher_buffer); watch again "
                           "with after_id=",
                           last_id_)});
  }

  void finish(grpc::Status status) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(status));
  }

  edge::hub& hub_;
  std::shared_ptr<gate> gate_;
  std::shared_ptr<edge::event_log::watcher> watcher_;
  v1::Event message_;
  std::uint64_t last_id_ = 0;
  bool writing_ = false;
  bool finished_ = false;
};

class refused_stream final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit refused_stream(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::Event>* refuse_event_stream(grpc::Status status) {
  return new refused_stream(std::move(status));
}

grpc::ServerWriteReactor<v1::Event>* start_event_stream(edge::hub& hub, edge::event_filter filter,
                                                        std::uint64_t after_id) {
  return new event_stream(hub, std::move(filter), after_id);
}

}  // namespace wsedge::control
