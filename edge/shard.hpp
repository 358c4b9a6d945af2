// One core's share of the edge: an io_context on its own thread, its sessions, its members of
// every room, and the rooms it owns.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "edge/cluster_engine.hpp"
#include "edge/engine_rooms.hpp"
#include "edge/hub.hpp"
#include "edge/local_rooms.hpp"
#include "edge/net.hpp"
#include "edge/owned_rooms.hpp"
#include "edge/session.hpp"
#include "edge/shard_counters.hpp"
#include "edge/shard_mailbox.hpp"
#include "edge/string_map.hpp"

namespace wsedge::edge {

class delivery;
class node_context;

class shard {
 public:
  shard(std::size_t index, node_context& node);
  ~shard();
  shard(const shard&) = delete;
  shard& operator=(const shard&) = delete;

  std::size_t index() const { return index_; }
  node_context& node() const { return node_; }
  net::io_context& context() { return context_; }
  void start();
  // Joins the thread; then discard() drops what the mailbox still holds (once every shard has
  // stopped: its tasks may refer to any shard).
  void stop();
  void discard();

  // --- Any thread. ---
  // Runs `work` on this shard. Work queued by one thread (or one shard) runs in queue order.
  void post(shard_mailbox::task work);
  // Runs `work` on this shard with its session `serial`, if that session is still there.
  void post_to_session(std::uint64_t serial, std::function<void(session&)> work);
  // The shard whose thread is calling, or nullptr off the shards.
  static shard* current();
  const shard_counters& counters() const { return counters_; }
  // Work other threads queued for this shard that it has not taken yet.
  std::size_t mailbox_waiting() const { return mailbox_.waiting(); }

  // --- Shard thread only. ---
  // A session is known to its shard (by serial, user and role) while its registration lives.
  class registration {
   public:
    registration() = default;
    registration(registration&& other) noexcept;
    registration& operator=(registration&& other) noexcept;
    ~registration();

   private:
    friend class shard;
    explicit registration(session* s) : session_(s) {}
    session* session_ = nullptr;  // enrolled on s->home()
  };
  // Assigns the session its serial (and so its client id).
  registration enroll(session& s, std::uint64_t& serial);
  // "<node id>-<index>-": the client ids of this shard's sessions begin with it.
  const std::string& client_id_prefix() const { return client_id_prefix_; }
  // Keeps `s` alive while it waits for a room's owner with nothing else in flight (no read, no
  // write): the owner answers by serial, not by reference. Given back by release_hold, or
  // dropped when the shard stops (the answer will never come then).
  void hold(std::shared_ptr<session> s);
  std::shared_ptr<session> release_hold(const session& s);

  // Rooms, for the sessions of this shard. join_room asks the room's owner; the answer comes
  // back as session::on_join_answer (and is undone when the session is gone by then). With
  // count_only the owner only reports the room's members and position; with `since` it also
  // answers the messages after that position; join_leave: the session gets join/leave events.
  void join_room(session& s, const std::string& room, bool count_only, const stream_position* since,
                 bool join_leave);
  // After a joined answer: the session's membership becomes visible to deliveries.
  void attach(const std::string& room, session& s, local_rooms::slot& membership);
  // Leaves locally at once and tells the owner.
  void leave_room(const std::string& room, session& s, local_rooms::slot& membership);
  // Asks the room's owner for its members; the answer comes back as
  // session::on_presence_answer.
  void presence_for(session& s, const std::string& room);
  // Publishes into `room` through its owner; with `answer_to`, that session of this shard gets
  // on_publish_answer with the seq.
  void publish_from_client(const std::string& room, std::string data, const session& from,
                           bool answer_to);

  // The owner's side (called on the owner's thread via post).
  void owner_publish(std::string room, std::string data, std::string from,
                     std::function<void(publish_result)> done,
                     std::optional<std::pair<std::size_t, std::uint64_t>> answer_to);
  // Gathers up to presence_limit members of `room` from its member shards; `done` runs on one
  // of them.
  void owner_presence(const std::string& room,
                      std::function<void(std::vector<room_member>, bool truncated)> done);
  owned_rooms& owned() { return owned_; }
  // Stats' rooms of this shard: every owned room with members (`room` empty), or that one.
  void summarize_rooms(const std::string& room, std::vector<room_summary>& out) const;

  // Cluster mode, the owner's side: a message of one of this shard's rooms, from the engine's
  // subscription, fanned out to the member shards (once, in the room's order).
  void engine_deliver(engine_message message);
  // Cluster mode, the owner's side: the room's subscription was restored; what was published
  // while it was down is read back and delivered.
  void engine_resubscribed(const std::string& room);

  // Queues the delivery to this shard's matching sessions, then reports to the delivery.
  void deliver(delivery& d);
  std::uint64_t kick(kick_selector selector, std::string_view value, std::string_view reason);
  // Closes every session with `code`, flushing, in waves spread over `spread`.
  void close_all(std::uint16_t code, std::string reason, std::chrono::milliseconds spread);
  void add_roles_to(std::map<std::string, std::uint64_t>& by_role) const;
  shard_counters& counters() { return counters_; }

  // While deliveries are pending, sessions defer their writes to the end of the batch, so
  // frames that arrive together leave together in one gather write per connection; with a
  // write_delay, to the end of the coalescing window that batch opened.
  bool delivering() const { return delivering_; }
  void defer_write(session& s);

 private:
  void unenroll(session& s);
  // Cluster mode: who asked to join, for the owner's answer after the engine's read.
  struct join_request {
    std::string room;
    std::size_t member_shard = 0;
    std::uint64_t serial = 0;
    std::string client_id;
    std::string user_id;
    std::optional<stream_position> since;
    bool join_leave = false;
  };
  // Owner side: counts the member in, has the engine subscribe, reads the room's position (and
  // with `since` what was missed), then answers.
  void engine_join(join_request request);
  void engine_answer_join(join_request request, std::uint64_t ticket, engine_read read);
  // Owner side: the member count changed; the engine subscribes while it is above 0.
  void engine_count(const std::string& room, std::function<void()> done);
  // Owner side: delivers what `read` holds beyond what this node delivered (the room's epoch
  // becomes the read's); returns every message of the read as a frame, in order.
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> engine_catch_up(
      engine_rooms::room& r, const engine_read& read);
  // Owner side: fills a gap in the room's order from history (after a lost subscription, or a
  // seq past delivered + 1), holding live messages meanwhile; retried while the engine is down.
  void engine_resync(const std::string& room);
  void engine_resync_done(const std::string& room, engine_read read);
  // Owner side: closes every member of `room` on every shard with 1011, after what they were
  // sent (their order has a hole that history cannot fill).
  void close_members(const std::string& room, std::string reason);
  // Owner side: encodes `m` once and queues it to every member shard (and to the joins waiting).
  std::shared_ptr<const std::string> engine_fan_out(engine_rooms::room& r, const engine_message& m);
  // Member side: tells a session the owner's answer to its join (or undoes the join).
  void answer_join(std::size_t member_shard, std::string room, std::uint64_t serial,
                   join_answer answer, bool count_only, bool join_leave, std::string client_id,
                   std::string user_id);
  // Owner side: sends a join or leave event of (client_id, user_id) to the room's members that
  // asked for them, except the member it is about (shard `subject_shard`, `subject_serial`).
  void announce(const std::string& room, bool joined, const std::string& client_id,
                const std::string& user_id, std::size_t subject_shard,
                std::uint64_t subject_serial);
  // Member side: queues a join/leave event to this shard's watching members of `room`.
  void deliver_event(const std::string& room, const std::shared_ptr<const std::string>& frame,
                     std::size_t subject_shard, std::uint64_t subject_serial);
  // Owner side: the history_bytes gauge follows the owned rooms' history.
  void track_history_bytes(std::size_t before);
  // Runs `work` on the room's owner: here and now when this shard owns the room.
  void on_owner(shard& owner, shard_mailbox::task work);
  // Tells the room's owner that one member of this shard left.
  void release_owned(const std::string& room, bool join_leave, const std::string& client_id,
                     const std::string& user_id, std::uint64_t serial);
  void schedule_flush();
  void flush_deferred();
  void flush_delayed();
  void schedule_tick();
  void on_tick();
  void close_wave(std::uint16_t code, std::string reason, std::size_t per_wave,
                  std::chrono::milliseconds interval);
  session* find(std::uint64_t serial) const;

  using session_set = absl::flat_hash_set<session*>;
  std::size_t index_;
  node_context& node_;
  shard_counters counters_;
  // Declared before the io_context: sessions still held by its handlers unenroll from these
  // when the io_context is destroyed.
  std::uint64_t next_serial_ = 0;
  const std::string client_id_prefix_;  // "<node id>-<index>-"
  absl::flat_hash_map<std::uint64_t, session*> sessions_;
  absl::flat_hash_map<std::uint64_t, std::shared_ptr<session>> held_;  // see hold()
  string_map<std::string, session_set> by_user_;
  string_map<std::string, session_set> by_role_;
  std::map<std::string, std::uint64_t> role_counts_;  // read by Stats through post
  local_rooms members_;
  owned_rooms owned_;
  engine_rooms engine_rooms_;
  bool delivering_ = false;
  std::vector<std::shared_ptr<session>> deferred_writes_;
  std::vector<std::shared_ptr<session>> delayed_writes_;
  std::vector<std::uint64_t> drain_order_;  // serials still to close in a drain
  std::vector<session*> ticking_;

  net::io_context context_{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  shard_mailbox mailbox_;
  net::steady_timer tick_timer_{context_};
  net::steady_timer write_delay_timer_{context_};
  net::steady_timer drain_timer_{context_};
  std::thread thread_;
};

}  // namespace wsedge::edge
