// The Redis engine's cluster-wide requests: asked on the shared channel, answered by every live
// node on the asker's own channel, gathered until all have answered or the deadline passes.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <iterator>
#include <limits>
#include <map>

#include "engine/redis/engine_state.hpp"

namespace wsedge::engine::redis {

namespace {

std::uint64_t sum_counts(const std::vector<node_reply>& replies) {
  std::uint64_t n = 0;
  for (const auto& r : replies) n += r.count;
  return n;
}

node_reply count_reply(std::uint64_t n) {
  node_reply r;
  r.count = n;
  return r;
}

node_reply stats_reply(edge::stats_snapshot stats) {
  node_reply r;
  r.stats = std::move(stats);
  return r;
}

node_reply presence_reply(std::vector<edge::room_member> members, bool truncated) {
  node_reply r;
  r.members = std::move(members);
  r.truncated = truncated;
  return r;
}

node_request request_of(node_op op, std::string room = {}) {
  node_request r;
  r.op = op;
  r.room = std::move(room);
  return r;
}

edge::node_stats node_figures(const node_reply& r) {
  const auto& s = r.stats;
  return {r.node,        s.connections,  s.rooms,         s.subscriptions,
          s.messages_in, s.messages_out, s.uptime_seconds};
}

}  // namespace

std::vector<std::string> redis_engine::state::other_live_nodes() const {
  std::vector<std::string> others;
  for (const auto& n : live_nodes)
    if (n != options.node_name) others.push_back(n);
  return others;
}

void redis_engine::state::ask_everyone(
    node_request request,
    std::function<void(std::vector<node_reply>, std::vector<std::string>)> finish,
    std::function<void(std::function<void(node_reply)>)> local) {
  request.id = ++next_id;
  request.from = options.node_name;
  auto fall_back = [this, &finish, &local] {
    if (!local) return finish({}, {});
    // Only this node can be asked; every other live node is missing.
    local([this, finish = std::move(finish)](node_reply mine) mutable {
      mine.node = options.node_name;
      net::post(io, [this, finish = std::move(finish), mine = std::move(mine)]() mutable {
        std::vector<node_reply> replies;
        replies.push_back(std::move(mine));
        finish(std::move(replies), other_live_nodes());
      });
    });
  };
  if (!owner.up()) return fall_back();
  gather& g = gathers[request.id];
  g.op = request.op;
  g.expected = live_nodes;
  g.finish = std::move(finish);
  g.deadline = std::make_unique<net::steady_timer>(io, options.gather_timeout);
  g.deadline->async_wait([this, id = request.id](boost::system::error_code ec) {
    if (!ec) complete(id);
  });
  commands->command({"PUBLISH", cluster_channel(), encode(request)},
                    [this, id = request.id](const redisReply* r, std::string_view error) {
                      // Not sent: nobody will answer, so do not wait for the deadline.
                      if (!error.empty() || r == nullptr || r->type != REDIS_REPLY_INTEGER)
                        return complete(id);
                      if (auto it = gathers.find(id); it != gathers.end())
                        it->second.receivers = static_cast<std::size_t>(r->integer);
                      complete_if_answered(id);
                    });
}

void redis_engine::state::complete(std::uint64_t id) {
  auto it = gathers.find(id);
  if (it == gathers.end()) return;
  gather g = std::move(it->second);
  gathers.erase(it);
  if (g.deadline) g.deadline->cancel();
  std::vector<std::string> missing;
  std::set_difference(g.expected.begin(), g.expected.end(), g.answered.begin(), g.answered.end(),
                      std::back_inserter(missing));
  g.finish(std::move(g.replies), std::move(missing));
}

void redis_engine::state::on_reply(node_reply reply) {
  auto it = gathers.find(reply.id);
  if (it == gathers.end()) return;  // too late: already reported without it
  gather& g = it->second;
  if (!g.answered.insert(reply.node).second) return;
  g.expected.insert(reply.node);  // a node that joined since the last heartbeat counts too
  g.replies.push_back(std::move(reply));
  complete_if_answered(it->first);
}

void redis_engine::state::set_live_nodes(std::set<std::string> live) {
  live_nodes = std::move(live);
  live_node_count.store(live_nodes.size(), std::memory_order_relaxed);
}

void redis_engine::state::forget_node(const std::string& name) {
  if (name == options.node_name) return;
  std::set<std::string> live = live_nodes;
  live.erase(name);
  set_live_nodes(std::move(live));
  std::vector<std::uint64_t> waiting;
  for (auto& [id, g] : gathers)
    if (g.expected.erase(name) != 0) waiting.push_back(id);
  for (std::uint64_t id : waiting) complete_if_answered(id);
}

void redis_engine::state::complete_if_answered(std::uint64_t id) {
  auto it = gathers.find(id);
  if (it == gathers.end()) return;
  const gather& g = it->second;
  // Every live node (by heartbeat) answered, and as many as the request reached.
  if (g.receivers && g.answered.size() >= *g.receivers &&
      std::includes(g.answered.begin(), g.answered.end(), g.expected.begin(), g.expected.end()))
    complete(id);
}

void redis_engine::state::answer(const node_request& request) {
  // Each node's part runs on its shards; the reply is sent from the engine's thread.
  auto reply_with = [this, op = request.op, to = node_channel(request.from),
                     id = request.id](node_reply reply) {
    reply.id = id;
    reply.node = options.node_name;
    net::post(io, [this, op, to, reply = std::move(reply)] {
      if (stopped) return;
      commands->command({"PUBLISH", to, encode(op, reply)}, [](auto, auto) {});
    });
  };
  switch (request.op) {
    case node_op::publish:
      return node->local_publish(request.kind, request.value, request.data,
                                 [reply_with](std::uint64_t n) { reply_with(count_reply(n)); });
    case node_op::kick:
      return node->local_kick(request.selector, request.value, request.reason,
                              [reply_with](std::uint64_t n) { reply_with(count_reply(n)); });
    case node_op::stats:
      return node->local_stats(request.room, [reply_with](edge::stats_snapshot s) {
        reply_with(stats_reply(std::move(s)));
      });
    case node_op::presence:
      return node->local_presence(
          request.room, [reply_with](std::vector<edge::room_member> members, bool truncated) {
            reply_with(presence_reply(std::move(members), truncated));
          });
    case node_op::left:  // handled on arrival (forget_node), never answered
      return;
  }
}

// --- The requests ---

void redis_engine::publish_everywhere(edge::target_kind kind, std::string value, std::string data,
                                      std::function<void(std::string, edge::gathered_count)> done) {
  if (!running_) return done("unavailable", {});
  net::post(state_->io, [s = state_.get(), kind, value = std::move(value), data = std::move(data),
                         done = std::move(done)]() mutable {
    if (!s->owner.up()) return done("unavailable", {});
    node_request request = request_of(node_op::publish);
    request.kind = kind;
    request.value = std::move(value);
    request.data = std::move(data);
    s->ask_everyone(
        std::move(request),
        [done = std::move(done)](std::vector<node_reply> replies,
                                 std::vector<std::string> missing) {
          done({}, {sum_counts(replies), std::move(missing)});
        },
        nullptr);
  });
}

void redis_engine::kick_everywhere(edge::kick_selector selector, std::string value,
                                   std::string reason,
                                   std::function<void(edge::gathered_count)> done) {
  if (!running_) return done({});
  net::post(state_->io, [s = state_.get(), selector, value = std::move(value),
                         reason = std::move(reason), done = std::move(done)]() mutable {
    node_request request = request_of(node_op::kick);
    request.selector = selector;
    request.value = value;
    request.reason = reason;
    s->ask_everyone(
        std::move(request),
        [done = std::move(done)](std::vector<node_reply> replies,
                                 std::vector<std::string> missing) {
          done({sum_counts(replies), std::move(missing)});
        },
        [s, selector, value, reason](std::function<void(node_reply)> mine) {
          s->node->local_kick(selector, value, reason,
                              [mine = std::move(mine)](std::uint64_t n) { mine(count_reply(n)); });
        });
  });
}

void redis_engine::stats_everywhere(std::string room,
                                    std::function<void(edge::stats_snapshot)> done) {
  if (!running_) return done({});
  net::post(state_->io, [s = state_.get(), room = std::move(room),
                         done = std::move(done)]() mutable {
    auto merge = [s, room, done = std::move(done)](std::vector<node_reply> replies,
                                                   std::vector<std::string> missing) mutable {
      edge::stats_snapshot total;
      std::map<std::string, edge::room_summary> rooms;
      std::uint64_t most_rooms = 0;
      for (const auto& r : replies) {
        const auto& n = r.stats;
        total.connections += n.connections;
        total.subscriptions += n.subscriptions;
        total.messages_in += n.messages_in;
        total.messages_out += n.messages_out;
        total.shards += n.shards;
        most_rooms = std::max(most_rooms, n.rooms);
        for (const auto& [role, count] : n.connections_by_role)
          total.connections_by_role[role] += count;
        for (const auto& summary : n.room_stats) {
          auto& merged = rooms[summary.room];
          merged.room = summary.room;
          merged.members += summary.members;
          merged.seq = std::max(merged.seq, summary.seq);
        }
        if (r.node == s->options.node_name) {
          total.uptime_seconds = n.uptime_seconds;
          total.draining = n.draining;
        }
        total.nodes.push_back(node_figures(r));
      }
      std::sort(total.nodes.begin(), total.nodes.end(),
                [](const auto& a, const auto& b) { return a.name < b.name; });
      // Every room with members is listed when no room was asked for: count them once.
      total.rooms = room.empty() ? rooms.size() : most_rooms;
      total.nodes_missing = std::move(missing);
      for (auto& [name, summary] : rooms) total.room_stats.push_back(std::move(summary));
      if (room.empty()) return done(std::move(total));
      // One room: its position and history are Redis'; it is known while Redis keeps it.
      s->owner.read(
          room, std::numeric_limits<std::uint64_t>::max(), 0, false,
          [room, total = std::move(total), done = std::move(done)](edge::engine_read read) mutable {
            if (read.error.empty() && !read.epoch.empty()) {
              if (total.room_stats.empty()) total.room_stats.push_back({room, 0, 0, 0});
              total.room_stats[0].seq = read.seq;
              total.room_stats[0].history_messages = read.kept;
            }
            done(std::move(total));
          });
    };
    s->ask_everyone(request_of(node_op::stats, room), std::move(merge),
                    [s, room](std::function<void(node_reply)> mine) {
                      s->node->local_stats(room, [mine = std::move(mine)](edge::stats_snapshot n) {
                        mine(stats_reply(std::move(n)));
                      });
                    });
  });
}

void redis_engine::presence_everywhere(
    std::string room, std::function<void(std::vector<edge::room_member>, bool)> done) {
  if (!running_) return done({}, false);
  net::post(
      state_->io, [s = state_.get(), room = std::move(room), done = std::move(done)]() mutable {
        const std::size_t limit = s->options.presence_limit;
        auto merge = [limit, done = std::move(done)](std::vector<node_reply> replies,
                                                     std::vector<std::string>) {
          std::vector<edge::room_member> members;
          bool truncated = false;
          for (auto& r : replies) {
            truncated = truncated || r.truncated;
            for (auto& m : r.members) {
              if (members.size() == limit) {
                truncated = true;
                break;
              }
              m.node = r.node;
              members.push_back(std::move(m));
            }
          }
          done(std::move(members), truncated);
        };
        s->ask_everyone(request_of(node_op::presence, room), std::move(merge),
                        [s, room](std::function<void(node_reply)> mine) {
                          s->node->local_presence(
                              room, [mine = std::move(mine)](std::vector<edge::room_member> members,
                                                             bool truncated) {
                                mine(presence_reply(std::move(members), truncated));
                              });
                        });
      });
}

}  // namespace wsedge::engine::redis
