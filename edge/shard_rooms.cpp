// Shard: the room operations, on both sides of a room's owner (joins with recovery, leaves,
// client publishes, presence, join/leave events, and the owner's seq assignment, history and
// fan-out to member shards).
#include <algorithm>
#include <mutex>

#include "edge/delivery.hpp"
#include "edge/node_context.hpp"
#include "edge/protocol.hpp"
#include "edge/session_events.hpp"
#include "edge/shard.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

// --- Rooms: the member shard's side ---

void shard::on_owner(shard& owner, shard_mailbox::task work) {
  // The owner's part runs at once when this shard is the owner; its answers and deliveries
  // still travel the lanes, so they keep their order with the owner's earlier messages.
  if (&owner == this) return std::move(work)();
  owner.post(std::move(work));
}

void shard::join_room(session& s, const std::string& room, bool count_only,
                      const stream_position* since, bool join_leave) {
  shard& owner = node_.owner_of(room);
  const std::size_t max_members = node_.config().max_room_members;
  std::optional<stream_position> from;
  if (since != nullptr) from = *since;
  if (node_.engine() != nullptr && !count_only) {
    join_request request{
        room, index_, s.serial(), s.client_id(), s.who().user_id, std::move(from), join_leave};
    return on_owner(owner, [&owner, request = std::move(request)]() mutable {
      owner.engine_join(std::move(request));
    });
  }
  on_owner(owner, [this, &owner, room, serial = s.serial(), client_id = s.client_id(),
                   user_id = s.who().user_id, count_only, max_members, from = std::move(from),
                   join_leave]() mutable {
    join_answer answer;
    if (count_only) {
      if (owner.node_.engine() != nullptr) {
        // The room is subscribed here (the member is in it): its position is the owner's.
        const engine_rooms::room* r = owner.engine_rooms_.find(room);
        answer = {true,
                  owner.owned_.members(room),
                  r ? r->delivered : 0,
                  r ? r->epoch : std::string(),
                  std::nullopt,
                  {},
                  {}};
      } else if (auto info = owner.owned_.info(room)) {
        answer = {true, info->members, info->seq, info->epoch, std::nullopt, {}, {}};
      } else {
        answer.joined = true;
      }
    } else {
      auto joined =
          owner.owned_.join(room, index_, max_members, {from ? &*from : nullptr, join_leave});
      answer = {joined.joined,    joined.members,           joined.seq, std::move(joined.epoch),
                joined.recovered, std::move(joined.missed), {}};
      if (joined.opened) {
        owner.counters_.rooms_owned.add(1);
        node_.observer().on_room_opened();
      }
      if (answer.recovered) node_.observer().on_recovery(*answer.recovered);
    }
    const bool announce = answer.joined && !count_only && owner.owned_.watchers(room) > 0;
    owner.answer_join(index_, room, serial, std::move(answer), count_only, join_leave, client_id,
                      user_id);
    if (announce) owner.announce(room, true, client_id, user_id, index_, serial);
  });
}

void shard::answer_join(std::size_t member_shard, std::string room, std::uint64_t serial,
                        join_answer answer, bool count_only, bool join_leave, std::string client_id,
                        std::string user_id) {
  // The answer travels the owner's lane to the member shard, ahead of any delivery of the room
  // made after the join: the member is attached before its first message arrives.
  shard& member = node_.shard_at(member_shard);
  member.post([&member, room = std::move(room), serial, answer = std::move(answer), count_only,
               join_leave, client_id = std::move(client_id),
               user_id = std::move(user_id)]() mutable {
    session* s = member.find(serial);
    if (s != nullptr && s->is_open()) return s->on_join_answer(room, std::move(answer));
    // The session ended while the owner answered: undo the join.
    if (answer.joined && !count_only)
      member.release_owned(room, join_leave, client_id, user_id, serial);
  });
}

void shard::release_owned(const std::string& room, bool join_leave, const std::string& client_id,
                          const std::string& user_id, std::uint64_t serial) {
  shard& owner = node_.owner_of(room);
  on_owner(owner, [this, &owner, room, join_leave, client_id, user_id, serial] {
    const bool emptied = owner.owned_.leave(room, index_, join_leave);
    if (owner.owned_.watchers(room) > 0)
      owner.announce(room, false, client_id, user_id, index_, serial);
    if (node_.engine() != nullptr) owner.engine_count(room, nullptr);
    if (!emptied) return;
    owner.counters_.rooms_owned.add(-1);
    node_.observer().on_room_closed();
  });
}

void shard::attach(const std::string& room, session& s, local_rooms::slot& membership) {
  members_.join(room, &s, membership);
  counters_.subscriptions.add(1);
  node_.observer().on_subscribed();
  record_membership(node_.events(), s, room, true);
}

void shard::leave_room(const std::string& room, session& s, local_rooms::slot& membership) {
  const bool join_leave = membership.join_leave;
  members_.leave(membership);
  counters_.subscriptions.add(-1);
  node_.observer().on_unsubscribed();
  record_membership(node_.events(), s, room, false);
  release_owned(room, join_leave, s.client_id(), s.who().user_id, s.serial());
}

void shard::publish_from_client(const std::string& room, std::string data, const session& from,
                                bool answer) {
  if (cluster_engine* engine = node_.engine()) {
    return engine->publish_room(
        room, std::move(data), from.client_id(), now_unix_ms(),
        [this, room, serial = from.serial(), answer](engine_publish_result r) {
          // A refused message is said even to a publish without an id.
          if (!answer && r.error.empty()) return;
          post([this, room, serial, r = std::move(r)] {
            if (session* s = find(serial))
              s->on_publish_answer(room, r.result.seq, r.result.epoch, r.error);
          });
        });
  }
  std::optional<std::pair<std::size_t, std::uint64_t>> answer_to;
  if (answer) answer_to.emplace(index_, from.serial());
  shard& owner = node_.owner_of(room);
  on_owner(owner, [&owner, room, data = std::move(data), from_id = from.client_id(),
                   answer_to]() mutable {
    owner.owner_publish(std::move(room), std::move(data), std::move(from_id), nullptr, answer_to);
  });
}

void shard::presence_for(session& s, const std::string& room) {
  if (cluster_engine* engine = node_.engine()) {
    return engine->presence_everywhere(
        room, [this, room, serial = s.serial()](std::vector<room_member> members, bool truncated) {
          post([this, room, serial, members = std::move(members), truncated]() mutable {
            if (session* s = find(serial))
              s->on_presence_answer(room, std::move(members), truncated);
          });
        });
  }
  shard& owner = node_.owner_of(room);
  on_owner(owner, [this, &owner, room, serial = s.serial()] {
    owner.owner_presence(
        room, [this, room, serial](std::vector<room_member> members, bool truncated) {
          post([this, room, serial, members = std::move(members), truncated]() mutable {
            if (session* s = find(serial))
              s->on_presence_answer(room, std::move(members), truncated);
          });
        });
  });
}

void shard::deliver_event(const std::string& room, const std::shared_ptr<const std::string>& bytes,
                          std::size_t subject_shard, std::uint64_t subject_serial) {
  const frame_ref frame = frame_ref::shared(bytes);
  for (const auto& m : members_.members(room)) {
    if (!m.membership->join_leave) continue;
    if (subject_shard == index_ && m.who->serial() == subject_serial) continue;
    m.who->send(frame, {});
  }
}

// --- Rooms: the owner's side ---

void shard::track_history_bytes(std::size_t before) {
  const std::size_t after = owned_.history_bytes();
  if (after != before)
    counters_.history_bytes.add(static_cast<std::int64_t>(after) -
                                static_cast<std::int64_t>(before));
}

void shard::owner_publish(std::string room, std::string data, std::string from,
                          std::function<void(publish_result)> done,
                          std::optional<std::pair<std::size_t, std::uint64_t>> answer_to) {
  const std::size_t history_before = owned_.history_bytes();
  auto slot = owned_.next_seq(room);
  std::string epoch(slot.epoch);
  auto holding = static_cast<std::uint32_t>(
      std::count_if(slot.members.begin(), slot.members.end(), [](auto n) { return n > 0; }));
  const bool keeps_history = node_.config().history_size > 0;
  if (holding > 0 || keeps_history) {
    // Encoded once; every member shard wraps this one frame, and history keeps it as it is.
    auto frame = std::make_shared<const std::string>(
        frame_message(encode_message(room, slot.seq, data, from, now_unix_ms())));
    if (holding > 0) {
      auto d = std::make_shared<delivery>(target_kind::room, room, frame,
                                          node_.deflater().deflate_shared(*frame), holding,
                                          std::move(done));
      d->set_position(slot.seq, epoch);
      // Each member shard's lane from this owner carries the room's frames in seq order.
      for (std::size_t i = 0; i < slot.members.size(); ++i) {
        if (slot.members[i] == 0) continue;
        shard& member = node_.shard_at(i);
        member.post([&member, d] { member.deliver(*d); });
      }
    }
    if (keeps_history) {
      owned_.keep(room, slot.seq, std::move(frame));
      track_history_bytes(history_before);
    }
  }
  if (holding == 0 && done) done({slot.seq, 0, epoch, {}, {}});
  if (answer_to) {
    shard& member = node_.shard_at(answer_to->first);
    member.post([&member, serial = answer_to->second, room = std::move(room), seq = slot.seq,
                 epoch = std::move(epoch)] {
      if (session* s = member.find(serial)) s->on_publish_answer(room, seq, epoch, {});
    });
  }
}

void shard::owner_presence(const std::string& room,
                           std::function<void(std::vector<room_member>, bool)> done) {
  struct gather {
    std::mutex mutex;
    std::vector<room_member> members;
    bool truncated = false;
    std::size_t shards_left = 0;
    std::function<void(std::vector<room_member>, bool)> done;
  };
  const std::size_t limit = node_.config().presence_limit;
  auto job = std::make_shared<gather>();
  job->done = std::move(done);
  std::vector<std::size_t> holding;
  const auto per_shard = owned_.members_per_shard(room);
  for (std::size_t i = 0; i < per_shard.size(); ++i)
    if (per_shard[i] > 0) holding.push_back(i);
  if (holding.empty()) return job->done({}, false);
  job->shards_left = holding.size();
  // Each member shard lists its own members on its own thread; the last one answers.
  for (std::size_t i : holding) {
    shard& member = node_.shard_at(i);
    member.post([&member, room, job, limit] {
      std::vector<room_member> found;
      bool truncated = false;
      for (const auto& m : member.members_.members(room)) {
        if (found.size() == limit) {
          truncated = true;
          break;
        }
        found.push_back({m.who->client_id(), m.who->who().user_id, {}});
      }
      std::unique_lock lock(job->mutex);
      for (auto& f : found) {
        if (job->members.size() == limit) {
          truncated = true;
          break;
        }
        job->members.push_back(std::move(f));
      }
      job->truncated = job->truncated || truncated;
      if (--job->shards_left != 0) return;
      auto members = std::move(job->members);
      const bool all_truncated = job->truncated;
      lock.unlock();
      job->done(std::move(members), all_truncated);
    });
  }
}

void shard::announce(const std::string& room, bool joined, const std::string& client_id,
                     const std::string& user_id, std::size_t subject_shard,
                     std::uint64_t subject_serial) {
  auto frame = std::make_shared<const std::string>(
      frame_message(encode_join_leave(joined, room, client_id, user_id)));
  const auto per_shard = owned_.members_per_shard(room);
  for (std::size_t i = 0; i < per_shard.size(); ++i) {
    if (per_shard[i] == 0) continue;
    shard& member = node_.shard_at(i);
    member.post([&member, room, frame, subject_shard, subject_serial] {
      member.deliver_event(room, frame, subject_shard, subject_serial);
    });
  }
}

}  // namespace wsedge::edge
