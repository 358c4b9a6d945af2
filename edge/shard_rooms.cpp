// Shard: the room operations, on both sides of a room's owner (joins, leaves, client publishes
// and the owner's seq assignment and fan-out to member shards).
#include <algorithm>

#include "edge/delivery.hpp"
#include "edge/node_context.hpp"
#include "edge/protocol.hpp"
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

void shard::join_room(session& s, const std::string& room, bool count_only) {
  shard& owner = node_.owner_of(room);
  const std::size_t max_members = node_.config().max_room_members;
  on_owner(owner, [this, &owner, room, serial = s.serial(), count_only, max_members]() mutable {
    join_answer answer;
    if (count_only) {
      answer = {true, owner.owned_.members(room), 0};
    } else {
      auto joined = owner.owned_.join(room, index_, max_members);
      answer = {joined.joined, joined.members, joined.seq};
      if (joined.opened) {
        owner.counters_.rooms_owned.add(1);
        node_.observer().on_room_opened();
      }
    }
    // The answer travels the owner's lane to this shard, ahead of any delivery of the room
    // published after the join: the member is attached before its first message arrives.
    post([this, room = std::move(room), serial, answer, count_only] {
      session* s = find(serial);
      if (s != nullptr && s->is_open()) return s->on_join_answer(room, answer);
      // The session ended while the owner answered: undo the join.
      if (answer.joined && !count_only) release_owned(room);
    });
  });
}

void shard::release_owned(const std::string& room) {
  shard& owner = node_.owner_of(room);
  on_owner(owner, [this, &owner, room] {
    if (!owner.owned_.leave(room, index_)) return;
    owner.counters_.rooms_owned.add(-1);
    node_.observer().on_room_closed();
  });
}

void shard::attach(const std::string& room, session& s, local_rooms::slot& membership) {
  members_.join(room, s, membership);
  counters_.subscriptions.add(1);
  node_.observer().on_subscribed();
}

void shard::leave_room(const std::string& room, local_rooms::slot& membership) {
  members_.leave(membership);
  counters_.subscriptions.add(-1);
  node_.observer().on_unsubscribed();
  release_owned(room);
}

void shard::publish_from_client(const std::string& room, std::string data, const session& from,
                                bool answer) {
  std::optional<std::pair<std::size_t, std::uint64_t>> answer_to;
  if (answer) answer_to.emplace(index_, from.serial());
  shard& owner = node_.owner_of(room);
  on_owner(owner, [&owner, room, data = std::move(data), from_id = from.client_id(),
                   answer_to]() mutable {
    owner.owner_publish(std::move(room), std::move(data), std::move(from_id), nullptr, answer_to);
  });
}

// --- Rooms: the owner's side ---

void shard::owner_publish(std::string room, std::string data, std::string from,
                          std::function<void(publish_result)> done,
                          std::optional<std::pair<std::size_t, std::uint64_t>> answer_to) {
  auto slot = owned_.next_seq(room);
  if (slot.seq != 0) {
    // Encoded once; every member shard wraps this one frame.
    auto frame = std::make_shared<const std::string>(
        frame_message(encode_message(room, slot.seq, data, from, now_unix_ms())));
    auto holding = static_cast<std::uint32_t>(
        std::count_if(slot.members.begin(), slot.members.end(), [](auto n) { return n > 0; }));
    auto d = std::make_shared<delivery>(target_kind::room, room, std::move(frame), holding,
                                        std::move(done));
    d->set_seq(slot.seq);
    // Each member shard's lane from this owner carries the room's frames in seq order.
    for (std::size_t i = 0; i < slot.members.size(); ++i) {
      if (slot.members[i] == 0) continue;
      shard& member = node_.shard_at(i);
      member.post([&member, d] { member.deliver(*d); });
    }
  } else if (done) {
    done({0, 0});
  }
  if (answer_to) {
    shard& member = node_.shard_at(answer_to->first);
    member.post([&member, serial = answer_to->second, room = std::move(room), seq = slot.seq] {
      if (session* s = member.find(serial)) s->on_publish_answer(room, seq);
    });
  }
}

}  // namespace wsedge::edge
