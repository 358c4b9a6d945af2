// Shard, cluster mode: the owner's side of rooms whose messages a cluster engine numbers and
// keeps. The owner counts this node's members, has the engine subscribe while there are any,
// and fans each message the subscription brings out to the member shards, as a single node's
// owner does with its own messages. A join asks the engine for the room's position (and what
// a recovering client missed) after the subscription is in place; messages delivered while
// that read is on its way are kept for the joiner, and the read's messages that the
// subscription has not brought yet are delivered at once, so every member sees one order with
// neither gaps nor repeats.
#include <algorithm>
#include <limits>

#include "edge/delivery.hpp"
#include "edge/node_context.hpp"
#include "edge/protocol.hpp"
#include "edge/shard.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

constexpr std::uint16_t close_internal_error = 1011;

// A read that needs only the room's position, not its messages.
constexpr std::uint64_t position_only = std::numeric_limits<std::uint64_t>::max();

}  // namespace

void shard::engine_count(const std::string& room, std::function<void()> done) {
  node_.engine()->set_local_members(room, owned_.members(room), std::move(done));
  if (owned_.members(room) != 0) return;
  if (engine_rooms::room* r = engine_rooms_.find(room); r != nullptr && r->waiting.empty())
    engine_rooms_.close(room);
}

void shard::engine_join(join_request request) {
  const std::string room = request.room;
  auto joined = owned_.join(room, request.member_shard, node_.config().max_room_members,
                            {nullptr, request.join_leave});
  if (!joined.joined) {
    return answer_join(request.member_shard, room, request.serial, join_answer{}, false,
                       request.join_leave, std::move(request.client_id),
                       std::move(request.user_id));
  }
  if (joined.opened) {
    counters_.rooms_owned.add(1);
    node_.observer().on_room_opened();
  }
  const std::uint64_t ticket = engine_rooms_.wait(engine_rooms_.open(room));
  // Once the subscription is in place, every message published later reaches this owner; the
  // read then covers everything before.
  engine_count(room, [this, request = std::move(request), ticket]() mutable {
    post([this, request = std::move(request), ticket]() mutable {
      engine_rooms::room& r = engine_rooms_.open(request.room);
      std::uint64_t after = position_only;
      const bool known = !r.epoch.empty();
      if (request.since) after = request.since->seq;
      // From what this node has delivered, to fill what the subscription has yet to bring.
      if (known) after = std::min(after, r.delivered);
      const std::string room = request.room;
      node_.engine()->read(
          room, after, node_.config().history_size, true,
          [this, request = std::move(request), ticket](engine_read read) mutable {
            post([this, request = std::move(request), ticket, read = std::move(read)]() mutable {
              engine_answer_join(std::move(request), ticket, std::move(read));
            });
          });
    });
  });
}

void shard::engine_answer_join(join_request request, std::uint64_t ticket, engine_read read) {
  engine_rooms::room& r = engine_rooms_.open(request.room);
  engine_rooms::waiting_join waited = engine_rooms::take(r, ticket);
  const std::string& room = request.room;
  if (!read.error.empty()) {
    // Not counted in after all.
    const bool emptied = owned_.leave(room, request.member_shard, request.join_leave);
    engine_count(room, nullptr);
    if (emptied) {
      counters_.rooms_owned.add(-1);
      node_.observer().on_room_closed();
    }
    join_answer failed;
    failed.error = read.error;
    return answer_join(request.member_shard, room, request.serial, std::move(failed), false,
                       request.join_leave, std::move(request.client_id),
                       std::move(request.user_id));
  }
  // Members already attached here, besides the joins still waiting (this one included).
  const std::uint64_t attached = owned_.members(room) - r.waiting.size() - 1;
  auto frames = engine_catch_up(r, read);
  // Nobody here has been sent the room yet: what the subscription brings up to the joiner's
  // position came before its join (joins still waiting read their own from history).
  if (attached == 0 && r.delivered <= read.seq) {
    r.delivered = read.seq;
    r.positioned = true;
  }

  // The cluster's members (this node's count reached Redis before the read was made).
  const std::uint64_t members = std::max<std::uint64_t>(read.members, owned_.members(room));
  join_answer answer{true, members, read.seq, read.epoch, std::nullopt, {}, {}};
  if (request.since) {
    const std::uint64_t since = request.since->seq;
    const std::size_t keep = node_.config().history_size;
    bool recovered = request.since->epoch == read.epoch && since <= read.seq;
    if (recovered && since < read.seq) {
      const bool in_reach = keep != 0 && read.seq - since <= keep;
      const bool kept = read.first_kept != 0 && read.first_kept <= since + 1;
      recovered = in_reach && kept;
    }
    answer.recovered = recovered;
    node_.observer().on_recovery(recovered);
    if (recovered)
      for (auto& [seq, frame] : frames)
        if (seq > since) answer.missed.push_back(std::move(frame));
  }
  // Delivered to the others while the read was on its way: live messages for the joiner.
  for (auto& [seq, frame] : waited.delivered)
    if (seq > read.seq) answer.missed.push_back(std::move(frame));
  const bool announce = owned_.watchers(room) > 0;
  answer_join(request.member_shard, room, request.serial, std::move(answer), false,
              request.join_leave, request.client_id, request.user_id);
  if (announce)
    this->announce(room, true, request.client_id, request.user_id, request.member_shard,
                   request.serial);
}

std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> shard::engine_catch_up(
    engine_rooms::room& r, const engine_read& read) {
  if (read.epoch != r.epoch) {
    r.epoch = read.epoch;
    r.delivered = 0;
  }
  // What the read brought that this node has not delivered yet: delivered now, in order, and
  // dropped when the subscription brings it later.
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> frames;
  frames.reserve(read.messages.size());
  for (const engine_message& m : read.messages) {
    if (m.seq > r.delivered) {
      frames.emplace_back(m.seq, engine_fan_out(r, m));
    } else {
      frames.emplace_back(m.seq, std::make_shared<const std::string>(frame_message(
                                     encode_message(m.room, m.seq, m.data, m.from, m.ts))));
    }
  }
  if (r.delivered > 0) r.positioned = true;
  return frames;
}

void shard::engine_resubscribed(const std::string& room) {
  engine_rooms::room* r = engine_rooms_.find(room);
  if (r == nullptr || r->epoch.empty() || r->resyncing) return;
  engine_resync(room);
}

void shard::engine_resync(const std::string& room) {
  engine_rooms::room* r = engine_rooms_.find(room);
  if (r == nullptr) return;
  r->resyncing = true;
  node_.engine()->read(room, r->delivered, node_.config().history_size, false,
                       [this, room](engine_read read) {
                         post([this, room, read = std::move(read)]() mutable {
                           engine_resync_done(room, std::move(read));
                         });
                       });
}

void shard::engine_resync_done(const std::string& room, engine_read read) {
  engine_rooms::room* r = engine_rooms_.find(room);
  if (r == nullptr) return;
  if (!read.error.empty()) {
    // The engine is down (or half up): try again in a second, still holding live messages.
    auto retry = std::make_shared<net::steady_timer>(context_, std::chrono::seconds(1));
    retry->async_wait([this, retry, room](boost::system::error_code ec) {
      if (!ec) engine_resync(room);
    });
    return;
  }
  if (!read.epoch.empty() && read.epoch != r->epoch && r->delivered != 0) {
    // Another epoch: its messages are read from its start.
    r->epoch = read.epoch;
    r->delivered = 0;
    r->positioned = true;
    return engine_resync(room);
  }
  const std::uint64_t before = r->delivered;
  const bool same_epoch = read.epoch == r->epoch;
  if (!read.epoch.empty()) engine_catch_up(*r, read);
  // History no longer holds all that the subscription missed: the members here are closed with
  // 1011 after what they were sent before the gap, so they come back with `since` and learn
  // what they lost (recovered:false), instead of a silent hole in their order.
  const bool filled = read.seq <= before || (read.first_kept != 0 && read.first_kept <= before + 1);
  if (same_epoch && before != 0 && !filled)
    close_members(room, "messages were lost; resubscribe with since");
  r->resyncing = false;
  // What came live meanwhile follows, without another gap check: what history no longer holds
  // cannot be filled.
  auto held = std::move(r->held);
  r->held.clear();
  for (auto& m : held) {
    if (m.epoch != r->epoch) {
      r->epoch = m.epoch;
      r->delivered = 0;
    }
    if (m.seq > r->delivered) engine_fan_out(*r, m);
  }
}

void shard::close_members(const std::string& room, std::string reason) {
  const auto per_shard = owned_.members_per_shard(room);
  for (std::size_t i = 0; i < per_shard.size(); ++i) {
    if (per_shard[i] == 0) continue;
    shard& member = node_.shard_at(i);
    // On the owner's lane: ahead of any delivery made after the gap.
    member.post([&member, room, reason] {
      for (const auto& m : member.members_.members(room))
        m.who->close(close_internal_error, reason, close_mode::flush);
    });
  }
}

void shard::engine_deliver(engine_message message) {
  engine_rooms::room* r = engine_rooms_.find(message.room);
  if (r == nullptr) return;  // no member left here
  if (r->resyncing) return r->held.push_back(std::move(message));
  if (message.epoch != r->epoch) {
    // The room's history was lost and numbering started again (at 1).
    r->positioned = !r->epoch.empty();
    r->epoch = message.epoch;
    r->delivered = 0;
  }
  if (message.seq <= r->delivered) return;  // a join's read delivered it already
  if (r->positioned && message.seq > r->delivered + 1) {
    // Messages the subscription did not bring (it was down, or Redis dropped it): from history
    // first, then this one.
    const std::string room = message.room;
    r->held.push_back(std::move(message));
    return engine_resync(room);
  }
  engine_fan_out(*r, message);
}

std::shared_ptr<const std::string> shard::engine_fan_out(engine_rooms::room& r,
                                                         const engine_message& m) {
  auto frame = std::make_shared<const std::string>(
      frame_message(encode_message(m.room, m.seq, m.data, m.from, m.ts)));
  r.delivered = m.seq;
  r.positioned = true;
  for (auto& w : r.waiting) w.delivered.emplace_back(m.seq, frame);
  const auto per_shard = owned_.members_per_shard(m.room);
  auto holding = static_cast<std::uint32_t>(
      std::count_if(per_shard.begin(), per_shard.end(), [](auto n) { return n > 0; }));
  if (holding == 0) return frame;
  auto d = std::make_shared<delivery>(target_kind::room, m.room, frame,
                                      node_.deflater().deflate_shared(*frame), holding, nullptr);
  d->set_position(m.seq, m.epoch);
  for (std::size_t i = 0; i < per_shard.size(); ++i) {
    if (per_shard[i] == 0) continue;
    shard& member = node_.shard_at(i);
    member.post([&member, d] { member.deliver(*d); });
  }
  return frame;
}

void shard::summarize_rooms(const std::string& room, std::vector<room_summary>& out) const {
  const std::size_t first = out.size();
  if (room.empty()) {
    owned_.append_to(out);
  } else if (auto info = owned_.info(room)) {
    out.push_back({room, info->members, info->seq, info->history_messages});
  }
  if (node_.engine() == nullptr) return;
  // The engine keeps the history; this node knows how far it has delivered.
  for (std::size_t i = first; i < out.size(); ++i) {
    const engine_rooms::room* r = engine_rooms_.find(out[i].room);
    out[i].seq = r != nullptr ? r->delivered : 0;
    out[i].history_messages = 0;
  }
}

}  // namespace wsedge::edge
