// The client JSON protocol on one connection: requests in, replies and room operations out.
// Knows nothing of sockets or shards, so it is tested against a fake sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <forward_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/edge_config.hpp"
#include "edge/flood_guard.hpp"
#include "edge/local_rooms.hpp"
#include "edge/protocol.hpp"
#include "edge/session.hpp"
#include "edge/token_verifier.hpp"

namespace wsedge::edge {

// Rooms a connection joins on connect (from its URL); the first recovers from `since`.
struct connect_rooms {
  std::vector<std::string> rooms;
  std::optional<stream_position> since;
};

// What the handler asks of its connection. Called on the connection's shard only.
class protocol_sink {
 public:
  virtual ~protocol_sink() = default;
  // The node's configuration and who the connection is (the handler keeps no copy of either).
  virtual const edge_config& config() const = 0;
  virtual const identity& who() const = 0;
  // Queues a reply (a JSON text message).
  virtual void reply(std::string text) = 0;
  // Asks the room's owner to count this connection in (or, count_only, for its members and
  // position); with `since`, also for the messages after that position; with join_leave, this
  // connection gets the room's join and leave events. The answer comes back through
  // client_protocol::on_join_answer.
  virtual void join(const std::string& room, bool count_only, const stream_position* since,
                    bool join_leave) = 0;
  // Sends frames that are already encoded (the messages a recovering join missed).
  virtual void send_frames(const std::vector<std::shared_ptr<const std::string>>& frames) = 0;
  // Asks for the room's members; the answer comes back through on_presence_answer.
  virtual void presence(const std::string& room) = 0;
  // The owner counted this connection in: make `membership` receive the room's messages.
  virtual void attach(const std::string& room, local_rooms::slot& membership) = 0;
  virtual void leave(const std::string& room, local_rooms::slot& membership) = 0;
  // With `answer`, the seq and epoch come back through client_protocol::on_publish_answer.
  virtual void publish(const std::string& room, std::string data, bool answer) = 0;
  // A message for the backends (the event stream), about `room` when not empty. Whether a
  // watcher has it queued comes back, with `id`, through client_protocol::on_send_answer (at
  // once on a node alone; later, once the cluster numbered it, in cluster mode).
  virtual void send_event(std::string room, std::string data, std::string id) = 0;
  virtual void close(std::uint16_t code, std::string_view reason, close_mode mode) = 0;
  // An error for metrics and logs ("invalid_json", "rate_limit_close", ...).
  virtual void count_error(std::string_view kind) = 0;
};

class client_protocol {
 public:
  using clock = std::chrono::steady_clock;

  client_protocol(protocol_sink& sink, clock::time_point now);

  // Rooms to join before the first request (from the connect URL), one after another.
  void join_on_connect(connect_rooms initial);
  // One inbound message (binary ones are refused).
  void on_message(std::string_view text, bool binary, clock::time_point now);
  // A ping or pong from the peer: false when it is over the rate limit (no pong then).
  bool on_keepalive(clock::time_point now);
  void on_join_answer(const std::string& room, const join_answer& answer);
  // A non-empty `error`: the message was not taken (the cluster engine is down).
  void on_publish_answer(const std::string& room, std::uint64_t seq, const std::string& epoch,
                         std::string_view error = {});
  void on_presence_answer(const std::string& room, const std::vector<room_member>& members,
                          bool truncated);
  // The send with `id` (empty: one without): taken, a watcher has the client's message queued
  // (false: nobody watches); a non-empty `error`, it could not be recorded (the cluster engine
  // is down). Sends without an id are not waited for, so their answers may come between.
  void on_send_answer(const std::string& id, bool taken, std::string_view error);

  // True while a request waits for its room's owner: the connection reads nothing meanwhile,
  // so requests are answered in the order they were sent.
  bool waiting() const { return pending_ != nullptr; }
  // Leaves every room (the connection is ending).
  void leave_all();
  std::vector<std::string> rooms() const;

 private:
  enum class pending_kind { join, count, publish, presence, send };
  struct pending_request {
    pending_kind kind;
    std::string room;
    std::string id;
    bool recovering = false;
    bool join_leave = false;
    std::string since_epoch;  // a count request with `since` (the client is already a member)
  };
  // Named by the room its membership is in (set once the sink attached it).
  struct subscription {
    local_rooms::slot membership;
    const std::string& room() const { return local_rooms::name_of(membership); }
  };

  bool admit(clock::time_point now);
  flood_limits limits() const {
    const edge_config& config = sink_.config();
    return {{config.message_rate, config.message_burst}, config.rate_limit_close_after};
  }
  void handle(const client_request& request);
  void subscribe(const std::string& room, const std::string& id, const stream_position* since,
                 bool join_leave);
  void presence(const std::string& room, const std::string& id);
  void unsubscribe(const std::string& room, const std::string& id);
  void publish(const client_request& request);
  void send(const client_request& request);
  void reply_error(error_code code, std::string_view message, std::string_view id);
  void join_next_initial();
  subscription* find(std::string_view room);

  protocol_sink& sink_;
  flood_guard guard_;
  // Stable addresses (the shard's member lists point at each membership slot), one allocation
  // per room and one pointer when there is none; newest first.
  std::forward_list<subscription> subscriptions_;
  // Only while a request waits (on the heap: most of a connection's life it is empty).
  std::unique_ptr<pending_request> pending_;
  // Rooms from the connect URL still to join, last first, and the position the first of them
  // recovers from: on the heap only until they are joined (every idle connection would carry
  // the empty vector otherwise).
  struct initial_join {
    std::vector<std::string> rooms;
    std::optional<stream_position> since;
  };
  std::unique_ptr<initial_join> initial_;
};

}  // namespace wsedge::edge
