// Node context: this node's own answers to Stats, Kick and Presence, gathered from its shards
// (each asked on its own thread). In cluster mode the engine gathers these from every node.
#include <atomic>
#include <mutex>

#include "edge/node_context.hpp"
#include "edge/shard.hpp"

namespace wsedge::edge {

void node_context::local_stats(std::string room, std::function<void(stats_snapshot)> done) const {
  // Each shard adds its own part on its own thread; the last one reports.
  struct gather {
    std::mutex mutex;
    stats_snapshot total;
    std::size_t shards_left;
    std::string room;
    std::function<void(stats_snapshot)> done;
  };
  auto job = std::make_shared<gather>();
  job->shards_left = shard_count();
  job->room = std::move(room);
  job->done = std::move(done);
  std::chrono::duration<double> up = std::chrono::steady_clock::now() - started();
  job->total.uptime_seconds = up.count();
  job->total.shards = shard_count();
  job->total.draining = draining();
  for (const auto& s : shards_) {
    s->post([s = s.get(), job] {
      std::vector<room_summary> rooms;
      s->summarize_rooms(job->room, rooms);
      std::unique_lock lock(job->mutex);
      stats_snapshot& t = job->total;
      const shard_counters& c = s->counters();
      t.connections += c.connections.get();
      t.subscriptions += c.subscriptions.get();
      t.rooms += c.rooms_owned.get();
      t.messages_in += c.messages_in.get();
      t.messages_out += c.messages_out.get();
      s->add_roles_to(t.connections_by_role);
      for (auto& r : rooms) t.room_stats.push_back(std::move(r));
      if (--job->shards_left != 0) return;
      stats_snapshot result = std::move(t);
      lock.unlock();
      job->done(std::move(result));
    });
  }
}

void node_context::local_kick(kick_selector selector, std::string value, std::string reason,
                              std::function<void(std::uint64_t)> done) {
  struct kick_job {
    std::string value, reason;
    std::atomic<std::uint64_t> kicked{0};
    std::atomic<std::size_t> shards_left;
    std::function<void(std::uint64_t)> done;
  };
  std::vector<shard*> targets;
  if (selector == kick_selector::client_id) {
    if (shard* home = shard_of_client(value)) targets.push_back(home);
  } else {
    for (auto& s : shards_) targets.push_back(s.get());
  }
  if (targets.empty() || value.empty()) {
    if (done) done(0);
    return;
  }
  auto job = std::make_shared<kick_job>();
  job->value = std::move(value);
  job->reason = std::move(reason);
  job->shards_left = targets.size();
  job->done = std::move(done);
  for (shard* s : targets) {
    s->post([s, selector, job] {
      job->kicked += s->kick(selector, job->value, job->reason);
      if (job->shards_left.fetch_sub(1) == 1 && job->done) job->done(job->kicked.load());
    });
  }
}

void node_context::local_presence(std::string room,
                                  std::function<void(std::vector<room_member>, bool)> done) const {
  shard& owner = owner_of(room);
  owner.post([&owner, room = std::move(room), done = std::move(done)]() mutable {
    owner.owner_presence(room, std::move(done));
  });
}

}  // namespace wsedge::edge
