// Shards without sockets: their threads and mailboxes, room ownership, client ids, and the seq a
// room's owner gives publishes that come from every thread at once.
#include "edge/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "edge/edge_observer.hpp"
#include "edge/hub.hpp"
#include "edge/node_context.hpp"

namespace wsedge::edge {
namespace {

using namespace std::chrono_literals;

edge_config two_shards() {
  edge_config config;
  config.threads = 2;
  return config;
}

class Shards : public ::testing::Test {
 protected:
  Shards() : node(two_shards(), observer, nullptr, nullptr) {
    for (auto& s : node.shards()) s->start();
  }
  ~Shards() override {
    for (auto& s : node.shards()) s->stop();
    for (auto& s : node.shards()) s->discard();
  }

  edge_observer observer;
  node_context node;
};

TEST_F(Shards, WorkPostedFromOneThreadRunsOnTheShardInOrder) {
  shard& target = node.shard_at(1);
  std::vector<int> seen;
  bool on_its_thread = true;
  std::promise<void> done;
  for (int i = 0; i < 1000; ++i)
    target.post([&, i] {
      on_its_thread = on_its_thread && shard::current() == &target;
      seen.push_back(i);
    });
  target.post([&] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(on_its_thread);
  ASSERT_EQ(seen.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(shard::current(), nullptr);
}

TEST_F(Shards, RoomsSpreadOverTheShards) {
  std::set<std::size_t> owners;
  for (int i = 0; i < 100; ++i) {
    const std::string room = "room-" + std::to_string(i);
    owners.insert(node.owner_of(room).index());
  }
  EXPECT_EQ(owners, (std::set<std::size_t>{0, 1}));
}

TEST_F(Shards, AClientIdNamesItsShardAndSerial) {
  const std::string& id = node.node_id();
  std::uint64_t serial = 0;
  EXPECT_EQ(node.shard_of_client(id + "-1-42", &serial), &node.shard_at(1));
  EXPECT_EQ(serial, 42u);
  // The prefix a shard's sessions' client ids are made from reads back to that shard.
  EXPECT_EQ(node.shard_of_client(node.shard_at(0).client_id_prefix() + "7", &serial),
            &node.shard_at(0));
  EXPECT_EQ(serial, 7u);
  for (const std::string& bad : {"x" + id + "-1-42", id + "-2-1", id + "-1-", id + "-1-4x",
                                 id + "-1", id + "1-1", std::string()})
    EXPECT_EQ(node.shard_of_client(bad), nullptr) << bad;
}

TEST_F(Shards, PublishesFromEveryThreadAreNumberedByTheRoomsOwnerWithoutGapsOrRepeats) {
  constexpr int per_thread = 200;
  std::mutex mutex;
  std::vector<std::uint64_t> seqs;
  std::set<std::string> epochs;
  std::promise<void> all_answered;
  auto publish = [&] {
    for (int i = 0; i < per_thread; ++i)
      node.publish_room("lobby", "{}", [&](publish_result r) {
        std::lock_guard lock(mutex);
        EXPECT_EQ(r.recipients, 0u);
        EXPECT_TRUE(r.error.empty());
        seqs.push_back(r.seq);
        epochs.insert(r.epoch);
        if (seqs.size() == 3 * per_thread) all_answered.set_value();
      });
  };
  // From both shards' threads and from this one, at the same time.
  node.shard_at(0).post(publish);
  node.shard_at(1).post(publish);
  publish();
  ASSERT_EQ(all_answered.get_future().wait_for(10s), std::future_status::ready);
  std::lock_guard lock(mutex);
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end());
  EXPECT_EQ(seqs.back() - seqs.front() + 1, seqs.size());
  EXPECT_EQ(epochs.size(), 1u);
}

}  // namespace
}  // namespace wsedge::edge
