// EdgeControl: unary callback handlers; Publish and Kick finish from the shard that completes them.
#include "control/edge_control_service.hpp"

#include <absl/strings/str_cat.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "control/event_stream.hpp"
#include "control/room_page.hpp"
#include "edge/room_name.hpp"

namespace wsedge::control {

namespace v1 = wsedge::v1;

namespace {

// A publish the cluster engine could not take (Redis unreachable): the caller may retry.
grpc::Status not_taken(const std::string& error) {
  return {grpc::StatusCode::UNAVAILABLE, absl::StrCat("the message was not published: ", error)};
}

grpc::Status to_grpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return {static_cast<grpc::StatusCode>(status.code()), std::string(status.message())};
}

// Maps the proto's oneof target; false with `error` when it is missing or empty.
bool to_target(const v1::Target& target, edge::publish_target& out, std::string& error) {
  switch (target.kind_case()) {
    case v1::Target::kRoom:
      out = {edge::target_kind::room, target.room()};
      return true;
    case v1::Target::kUserId:
      out = {edge::target_kind::user, target.user_id()};
      return true;
    case v1::Target::kRole:
      out = {edge::target_kind::role, target.role()};
      return true;
    case v1::Target::kClientId:
      out = {edge::target_kind::client, target.client_id()};
      return true;
    case v1::Target::kAll:
      if (!target.all()) break;
      out = {edge::target_kind::all, {}};
      return true;
    case v1::Target::KIND_NOT_SET:
      break;
  }
  error = "target is required: set one of room, user_id, role, client_id or all=true";
  return false;
}

// Finishes the call with INVALID_ARGUMENT when `room` breaks the naming rule.
bool bad_room(const std::string& room, grpc::ServerUnaryReactor* reactor) {
  if (edge::is_valid_room_name(room)) return false;
  reactor->Finish(
      {grpc::StatusCode::INVALID_ARGUMENT, "room: 1-128 characters of A-Z a-z 0-9 _ - . : @ /"});
  return true;
}

}  // namespace

edge_control_service::edge_control_service(edge::hub& hub, const control_token_check& token)
    : hub_(hub), token_(token) {}

bool edge_control_service::refused(const grpc::CallbackServerContext& context,
                                   grpc::ServerUnaryReactor* reactor) const {
  grpc::Status status = token_.check(context);
  if (status.ok()) return false;
  reactor->Finish(status);
  return true;
}

grpc::ServerUnaryReactor* edge_control_service::Publish(grpc::CallbackServerContext* context,
                                                        const v1::PublishRequest* request,
                                                        v1::PublishResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (refused(*context, reactor)) return reactor;
  edge::publish_target target;
  std::string error;
  if (!to_target(request->target(), target, error)) {
    reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, error});
    return reactor;
  }
  auto status = hub_.publish(target, request->data(), [reactor, response](edge::publish_result r) {
    if (!r.error.empty()) return reactor->Finish(not_taken(r.error));
    response->set_seq(r.seq);
    response->set_recipients(r.recipients);
    response->set_epoch(std::move(r.epoch));
    for (auto& node : r.nodes_missing) response->add_nodes_missing(std::move(node));
    reactor->Finish(grpc::Status::OK);
  });
  if (!status.ok()) reactor->Finish(to_grpc(status));
  return reactor;
}

grpc::ServerUnaryReactor* edge_control_service::PublishBatch(grpc::CallbackServerContext* context,
                                                             const v1::PublishBatchRequest* request,
                                                             v1::PublishBatchResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (refused(*context, reactor)) return reactor;
  const auto count = static_cast<std::size_t>(request->publishes_size());
  if (count > max_batch) {
    reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("a batch holds at most ", max_batch, " publishes, not ", count)});
    return reactor;
  }
  if (count == 0) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Check everything before publishing anything.
  std::vector<edge::publish_target> targets(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& item = request->publishes(static_cast<int>(i));
    std::string error;
    absl::Status status = to_target(item.target(), targets[i], error)
                              ? hub_.validate_publish(targets[i], item.data())
                              : absl::InvalidArgumentError(error);
    if (!status.ok()) {
      reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat("publishes[", i, "]: ", status.message())});
      return reactor;
    }
  }
  // Each item's result lands in its own pre-added element; the last one to finish ends the call.
  for (std::size_t i = 0; i < count; ++i) response->add_results();
  struct batch {
    std::atomic<std::size_t> remaining;
    std::mutex mutex;
    std::string error;  // the first item not taken
  };
  auto job = std::make_shared<batch>();
  job->remaining = count;
  for (std::size_t i = 0; i < count; ++i) {
    auto* result = response->mutable_results(static_cast<int>(i));
    hub_.publish_validated(targets[i], request->publishes(static_cast<int>(i)).data(),
                           [reactor, result, job, i](edge::publish_result r) {
                             if (!r.error.empty()) {
                               std::lock_guard lock(job->mutex);
                               if (job->error.empty())
                                 job->error = absl::StrCat("publishes[", i, "]: ", r.error);
                             }
                             result->set_seq(r.seq);
                             result->set_recipients(r.recipients);
                             result->set_epoch(std::move(r.epoch));
                             for (auto& node : r.nodes_missing)
                               result->add_nodes_missing(std::move(node));
                             if (job->remaining.fetch_sub(1, std::memory_order_acq_rel) != 1)
                               return;
                             // Items before the failed one may have been published: the batch as a
                             // whole was not.
                             if (!job->error.empty()) return reactor->Finish(not_taken(job->error));
                             reactor->Finish(grpc::Status::OK);
                           });
  }
  return reactor;
}

grpc::ServerUnaryReactor* edge_control_service::Stats(grpc::CallbackServerContext* context,
                                                      const v1::StatsRequest* request,
                                                      v1::StatsResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (refused(*context, reactor)) return reactor;
  std::optional<room_cursor> after;
  if (!request->page_token().empty()) {
    auto cursor = decode_page_token(request->page_token());
    if (!cursor.ok()) {
      reactor->Finish(to_grpc(cursor.status()));
      return reactor;
    }
    after = *std::move(cursor);
  }
  const std::size_t limit = room_page_size(request->limit());
  hub_.stats(request->room(), [reactor, response, limit, after](edge::stats_snapshot stats) {
    response->set_connections(stats.connections);
    response->set_rooms(stats.rooms);
    response->set_subscriptions(stats.subscriptions);
    // One page of rooms, so that no number of rooms makes the reply too large to receive.
    if (auto last = take_room_page(stats.room_stats, limit, after))
      response->set_next_page_token(encode_page_token(*last));
    for (const auto& room : stats.room_stats) {
      auto* room_stats = response->add_room_stats();
      room_stats->set_room(room.room);
      room_stats->set_members(room.members);
      room_stats->set_seq(room.seq);
      room_stats->set_history_messages(room.history_messages);
    }
    for (const auto& [role, count] : stats.connections_by_role)
      (*response->mutable_connections_by_role())[role] = count;
    response->set_messages_in(stats.messages_in);
    response->set_messages_out(stats.messages_out);
    response->set_uptime_seconds(stats.uptime_seconds);
    response->set_shards(stats.shards);
    response->set_draining(stats.draining);
    for (const auto& n : stats.nodes) {
      auto* node = response->add_nodes();
      node->set_name(n.name);
      node->set_connections(n.connections);
      node->set_rooms(n.rooms);
      node->set_subscriptions(n.subscriptions);
      node->set_messages_in(n.messages_in);
      node->set_messages_out(n.messages_out);
      node->set_uptime_seconds(n.uptime_seconds);
    }
    for (const auto& missing : stats.nodes_missing) response->add_nodes_missing(missing);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* edge_control_service::Kick(grpc::CallbackServerContext* context,
                                                     const v1::KickRequest* request,
                                                     v1::KickResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (refused(*context, reactor)) return reactor;
  edge::kick_selector selector = edge::kick_selector::client_id;
  std::string value;
  switch (request->selector_case()) {
    case v1::KickRequest::kClientId:
      selector = edge::kick_selector::client_id;
      value = request->client_id();
      break;
    case v1::KickRequest::kUserId:
      selector = edge::kick_selector::user_id;
      value = request->user_id();
      break;
    case v1::KickRequest::SELECTOR_NOT_SET:
      reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, "set client_id or user_id to kick"});
      return reactor;
  }
  std::string reason = request->reason().empty() ? "kicked" : request->reason();
  hub_.kick(selector, std::move(value), std::move(reason),
            [reactor, response](edge::kick_result result) {
              response->set_kicked(result.kicked);
              for (auto& node : result.nodes_missing) response->add_nodes_missing(std::move(node));
              reactor->Finish(grpc::Status::OK);
            });
  return reactor;
}

grpc::ServerUnaryReactor* edge_control_service::History(grpc::CallbackServerContext* context,
                                                        const v1::HistoryRequest* request,
                                                        v1::HistoryResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (refused(*context, reactor) || bad_room(request->room(), reactor)) return reactor;
  hub_.history(request->room(), request->since_seq(), request->limit(),
               [reactor, response](edge::history_result history) {
                 response->set_epoch(std::move(history.epoch));
                 response->set_seq(history.seq);
                 for (auto& m : history.messages) {
                   auto* message = response->add_messages();
                   message->set_seq(m.seq);
                   message->set_data(std::move(m.data));
                   message->set_from(std::move(m.from));
                   message->set_ts(m.ts);
                 }
                 reactor->Finish(grpc::Status::OK);
               });
  return reactor;
}

grpc::ServerUnaryReactor* edge_control_service::Presence(grpc::CallbackServerContext* context,
                                                         const v1::PresenceRequest* request,
                                                         v1::PresenceResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (refused(*context, reactor) || bad_room(request->room(), reactor)) return reactor;
  hub_.presence(request->room(),
                [this, reactor, response](std::vector<edge::room_member> members, bool truncated) {
                  for (auto& m : members) {
                    auto* member = response->add_members();
                    member->set_client_id(std::move(m.client_id));
                    member->set_user_id(std::move(m.user_id));
                    member->set_node(m.node.empty() ? hub_.node_id() : std::move(m.node));
                  }
                  response->set_truncated(truncated);
                  reactor->Finish(grpc::Status::OK);
                });
  return reactor;
}

grpc::ServerWriteReactor<v1::Event>* edge_control_service::WatchEvents(
    grpc::CallbackServerContext* context, const v1::WatchRequest* request) {
  if (grpc::Status status = token_.check(*context); !status.ok())
    return refuse_event_stream(std::move(status));
  edge::event_filter filter;
  if (grpc::Status status = to_filter(*request, filter); !status.ok())
    return refuse_event_stream(std::move(status));
  if (!hub_.events_serving())
    return refuse_event_stream(
        {grpc::StatusCode::UNAVAILABLE,
         "this node has not read the cluster's event stream yet (Redis unreachable); retry"});
  return start_event_stream(hub_, std::move(filter), request->after_id());
}

}  // namespace wsedge::control
