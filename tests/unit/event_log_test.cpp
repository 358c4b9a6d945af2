// The event log alone: ids, filters, resumption with and without a gap, cutting a watcher that
// falls behind, and no wake after unwatch. In a cluster: forwarding instead of numbering, the
// cluster's events fed back (duplicates skipped, a jump made a gap), resumption served from the
// tail once it is read, and the watchers' filters told to the cluster.
#include "edge/event_log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace wsedge::edge {
namespace {

client_event joined(std::string room) {
  client_event e;
  e.kind = client_event_kind::joined;
  e.client_id = "c";
  e.room = std::move(room);
  return e;
}

std::vector<event_log::event_ptr> drain(event_log::watcher& w) {
  std::vector<event_log::event_ptr> out;
  while (auto e = w.next()) out.push_back(std::move(e));
  return out;
}

TEST(EventLog, IdsIncreaseFromTheFirstIdAndEveryWatcherGetsEveryEvent) {
  event_log log(10, 10, 1000);
  int wakes_a = 0, wakes_b = 0;
  auto a = log.watch({}, 0, [&] { ++wakes_a; });
  auto b = log.watch({}, 0, [&] { ++wakes_b; });
  EXPECT_EQ(log.append(joined("r")), 2u);
  EXPECT_EQ(log.append(joined("s")), 2u);
  auto got = drain(*a);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]->id, 1000u);
  EXPECT_EQ(got[1]->id, 1001u);
  EXPECT_EQ(got[1]->room, "s");
  EXPECT_EQ(drain(*b).size(), 2u);
  // Woken when the queue stopped being empty, not once per event.
  EXPECT_EQ(wakes_a, 1);
  EXPECT_EQ(wakes_b, 1);
}

TEST(EventLog, FiltersByKindAndRoomPrefix) {
  event_log log(10, 10, 1);
  event_filter rooms_only;
  rooms_only.kinds = 1u << static_cast<unsigned>(client_event_kind::client_message);
  rooms_only.room_prefix = "chat:";
  auto w = log.watch(rooms_only, 0, [] {});
  client_event message;
  message.kind = client_event_kind::client_message;
  message.room = "chat:1";
  EXPECT_EQ(log.append(joined("chat:1")), 0u);  // wrong kind
  EXPECT_EQ(log.append(message), 1u);
  message.room = "news";
  EXPECT_EQ(log.append(message), 0u);  // wrong room
  message.room = "";
  EXPECT_EQ(log.append(message), 0u);  // no room at all
  auto got = drain(*w);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->room, "chat:1");
}

TEST(EventLog, ResumingWithinRetentionReplaysWithoutAGap) {
  event_log log(5, 5, 1);
  for (int i = 0; i < 4; ++i) log.append(joined("r" + std::to_string(i)));  // ids 1..4
  int wakes = 0;
  auto w = log.watch({}, 2, [&] { ++wakes; });
  EXPECT_EQ(wakes, 1);
  log.append(joined("live"));
  auto got = drain(*w);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]->id, 3u);
  EXPECT_EQ(got[1]->id, 4u);
  EXPECT_EQ(got[2]->room, "live");
}

TEST(EventLog, ResumingPastRetentionGetsAGapFirst) {
  event_log log(3, 3, 1);
  for (int i = 0; i < 10; ++i) log.append(joined("r"));  // ids 1..10, 8..10 retained
  auto w = log.watch({}, 4, [] {});
  auto got = drain(*w);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]->kind, client_event_kind::gap);
  EXPECT_EQ(got[0]->gap_after, 4u);
  EXPECT_EQ(got[0]->gap_resume, 8u);
  EXPECT_EQ(got[0]->id, 7u);
  EXPECT_EQ(got[1]->id, 8u);
  EXPECT_EQ(got[3]->id, 10u);
  // Resuming after the gap's id: no second gap.
  auto again = log.watch({}, got[0]->id, [] {});
  auto replay = drain(*again);
  ASSERT_EQ(replay.size(), 3u);
  EXPECT_EQ(replay[0]->id, 8u);
}

TEST(EventLog, AnIdFromAnEarlierRunIsAGapWhenNothingIsRetained) {
  event_log log(0, 4, 5000);
  log.append(joined("r"));
  auto w = log.watch({}, 10, [] {});
  auto got = drain(*w);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->kind, client_event_kind::gap);
  EXPECT_EQ(got[0]->gap_resume, 5001u);
}

TEST(EventLog, AWatcherThatFallsBehindIsCutAndHoldsNothing) {
  event_log log(0, 3, 1);
  int wakes = 0;
  auto slow = log.watch({}, 0, [&] { ++wakes; });
  auto fast = log.watch({}, 0, [] {});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(log.append(joined("r")), 2u);
  drain(*fast);
  EXPECT_EQ(log.append(joined("r")), 1u);  // the slow one overflows: cut, not counted
  EXPECT_TRUE(slow->cut());
  EXPECT_EQ(wakes, 2);  // once for its first event, once to see the cut
  EXPECT_EQ(slow->next(), nullptr);
  EXPECT_EQ(log.append(joined("r")), 1u);
  EXPECT_FALSE(fast->cut());
  EXPECT_EQ(drain(*fast).size(), 2u);
  const auto counts = log.snapshot();
  EXPECT_EQ(counts.watchers_cut, 1u);
  EXPECT_EQ(counts.events[static_cast<std::size_t>(client_event_kind::joined)], 5u);
}

TEST(EventLog, AClientMessageNobodyTakesIsNeitherNumberedNorRetained) {
  event_log log(10, 10, 1);
  client_event message;
  message.kind = client_event_kind::client_message;
  message.data = "1";
  EXPECT_EQ(log.append(message), 0u);
  event_filter joins_only;
  joins_only.kinds = 1u << static_cast<unsigned>(client_event_kind::joined);
  auto other = log.watch(joins_only, 0, [] {});
  EXPECT_EQ(log.append(message), 0u);  // a watcher, but not of client messages
  log.append(joined("r"));             // id 1: no id went to the refused messages
  auto w = log.watch({}, 0, [] {});
  EXPECT_EQ(log.append(message), 1u);  // id 2
  auto resumed = log.watch({}, 1, [] {});
  auto got = drain(*resumed);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->id, 2u);
  EXPECT_EQ(got[0]->kind, client_event_kind::client_message);
  EXPECT_EQ(log.snapshot().retained, 2u);
  EXPECT_EQ(log.snapshot().events[static_cast<std::size_t>(client_event_kind::client_message)], 1u);
}

TEST(EventLog, AClientMessageThatOverflowsItsOnlyWatcherIsRefusedAndNotRetained) {
  event_log log(1, 1, 1);  // each watcher holds at most 2 (retention + 1)
  auto w = log.watch({}, 0, [] {});
  client_event message;
  message.kind = client_event_kind::client_message;
  EXPECT_EQ(log.append(message), 1u);  // id 1
  EXPECT_EQ(log.append(message), 1u);  // id 2
  EXPECT_EQ(log.append(message), 0u);  // overflows: cut, refused
  EXPECT_TRUE(w->cut());
  auto resumed = log.watch({}, 1, [] {});
  auto got = drain(*resumed);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->id, 2u);  // the refused one is not there
  EXPECT_EQ(log.append(joined("r")), 1u);
  EXPECT_EQ(drain(*resumed).back()->id, 3u);  // and its id was given back
}

TEST(EventLog, ActiveOnlyWhileRetainingOrWatched) {
  event_log log(0, 1, 1);
  EXPECT_FALSE(log.active());
  auto w = log.watch({}, 0, [] {});
  EXPECT_TRUE(log.active());
  EXPECT_EQ(log.snapshot().watchers, 1u);
  log.unwatch(w);
  EXPECT_FALSE(log.active());
  EXPECT_EQ(log.append(joined("r")), 0u);
  EXPECT_TRUE(event_log(1, 1, 1).active());
}

TEST(EventLog, NoWakeRunsAfterUnwatchReturns) {
  event_log log(0, 1'000'000, 1);
  std::atomic<bool> unwatched{false};
  std::atomic<int> late_wakes{0};
  std::shared_ptr<event_log::watcher> w;
  w = log.watch({}, 0, [&] {
    if (unwatched.load()) ++late_wakes;
    // Keep the queue empty so that every append wakes.
    while (w && w->next()) {
    }
  });
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread appender([&] {
    while (!stop.load()) {
      log.append(joined("r"));
      ++appended;
    }
  });
  // Unwatch while the appender runs, then let it append as many again: no wake may follow.
  auto appended_past = [&](int count) {
    while (appended.load() < count) std::this_thread::yield();
  };
  appended_past(1000);
  log.unwatch(w);
  unwatched = true;
  appended_past(appended.load() + 1000);
  stop = true;
  appender.join();
  EXPECT_EQ(late_wakes.load(), 0);
}

// A cluster engine that keeps what it was given, for the test to answer.
struct fake_cluster {
  std::vector<client_event> forwarded;
  std::vector<event_log::message_answer> answers;
  std::vector<std::vector<event_filter>> told;

  event_log::cluster_link link() {
    return {.forward =
                [this](client_event e, event_log::message_answer done) {
                  forwarded.push_back(std::move(e));
                  answers.push_back(std::move(done));
                },
            .watchers_changed = [this](std::vector<event_filter> f) { told.push_back(f); }};
  }
};

client_event numbered(std::uint64_t id, std::string room = "r", std::string node = "n") {
  client_event e = joined(std::move(room));
  e.id = id;
  e.node = std::move(node);
  return e;
}

std::vector<std::uint64_t> ids(const std::vector<event_log::event_ptr>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e->id);
  return out;
}

TEST(EventLogInACluster, RecordsAreForwardedAndNothingIsNumberedHere) {
  fake_cluster cluster;
  event_log log(10, 10, 1000);
  log.join_cluster(cluster.link());
  EXPECT_TRUE(log.clustered());
  auto w = log.watch({}, 0, [] {});
  log.record(joined("r"));
  ASSERT_EQ(cluster.forwarded.size(), 1u);
  EXPECT_EQ(w->next(), nullptr);  // it comes back through receive(), numbered by the cluster

  client_event message = joined("r");
  message.kind = client_event_kind::client_message;
  std::vector<std::pair<bool, std::string>> answered;
  log.record_message(message, [&](bool taken, std::string error) {
    answered.emplace_back(taken, std::move(error));
  });
  ASSERT_EQ(cluster.answers.size(), 2u);
  EXPECT_TRUE(answered.empty());  // later, when the cluster says
  cluster.answers[1](true, {});
  cluster.answers[0](false, "event backlog full");  // the join could not be added: lost
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_TRUE(answered[0].first);
  const auto counts = log.snapshot();
  EXPECT_EQ(counts.events[static_cast<std::size_t>(client_event_kind::joined)], 1u);
  EXPECT_EQ(counts.events[static_cast<std::size_t>(client_event_kind::client_message)], 1u);
  EXPECT_EQ(counts.lost, 1u);
}

TEST(EventLogInACluster, FedEventsReachWatchersOnceAndAJumpIsAGap) {
  fake_cluster cluster;
  event_log log(10, 10, 1);
  log.join_cluster(cluster.link());
  auto w = log.watch({}, 0, [] {});
  log.receive({numbered(50), numbered(51)}, true);  // the tail: retained, not news
  EXPECT_EQ(w->next(), nullptr);
  log.receive({numbered(51), numbered(52), numbered(53)}, false);  // 51 read again
  auto got = drain(*w);
  EXPECT_EQ(ids(got), (std::vector<std::uint64_t>{52, 53}));
  EXPECT_EQ(got[0]->node, "n");

  log.receive({numbered(60)}, false);
  got = drain(*w);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]->kind, client_event_kind::gap);
  EXPECT_EQ(got[0]->gap_after, 53u);
  EXPECT_EQ(got[0]->gap_resume, 60u);
  EXPECT_EQ(got[1]->id, 60u);

  // A late watcher resumes from the tail and what came after it, told of the same gap.
  auto late = log.watch({}, 50, [] {});
  got = drain(*late);
  EXPECT_EQ(ids(got), (std::vector<std::uint64_t>{51, 52, 53, 59, 60}));
  EXPECT_EQ(got[3]->kind, client_event_kind::gap);
}

TEST(EventLogInACluster, AWatcherResumingBeforeTheTailIsReadIsServedFromIt) {
  fake_cluster cluster;
  event_log log(3, 10, 1);
  log.join_cluster(cluster.link());
  int wakes = 0;
  auto resuming = log.watch({}, 41, [&] { ++wakes; });
  auto fresh = log.watch({}, 0, [] {});
  auto too_old = log.watch({}, 10, [] {});
  EXPECT_EQ(resuming->next(), nullptr);
  // The cluster keeps 40..44; this node keeps 3 of them.
  log.receive({numbered(42), numbered(43), numbered(44)}, true);
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(ids(drain(*resuming)), (std::vector<std::uint64_t>{42, 43, 44}));
  EXPECT_EQ(fresh->next(), nullptr);
  auto old = drain(*too_old);
  ASSERT_EQ(old.size(), 4u);
  EXPECT_EQ(old[0]->kind, client_event_kind::gap);
  EXPECT_EQ(old[0]->gap_resume, 42u);
  log.receive({numbered(45)}, false);
  EXPECT_EQ(ids(drain(*resuming)), (std::vector<std::uint64_t>{45}));
  EXPECT_EQ(ids(drain(*fresh)), (std::vector<std::uint64_t>{45}));
}

TEST(EventLogInACluster, AResumingWatcherHearsOfAStreamThatBeganAgain) {
  fake_cluster cluster;
  event_log log(10, 10, 1);
  log.join_cluster(cluster.link());
  auto resuming = log.watch({}, 7, [] {});
  auto fresh = log.watch({}, 0, [] {});
  log.receive({}, true);  // Redis came back empty: nothing kept
  EXPECT_EQ(resuming->next(), nullptr);
  log.receive({numbered(1'000'000), numbered(1'000'001)}, false);
  auto got = drain(*resuming);
  EXPECT_EQ(ids(got), (std::vector<std::uint64_t>{999'999, 1'000'000, 1'000'001}));
  EXPECT_EQ(got[0]->kind, client_event_kind::gap);
  EXPECT_EQ(got[0]->gap_after, 7u);
  // A watcher from now on had no position: no gap for it.
  EXPECT_EQ(ids(drain(*fresh)), (std::vector<std::uint64_t>{1'000'000, 1'000'001}));
}

TEST(EventLogInACluster, AWatcherAheadOfThisNodeGetsNothingTwice) {
  fake_cluster cluster;
  event_log log(10, 10, 1);
  log.join_cluster(cluster.link());
  log.receive({numbered(10), numbered(11)}, true);
  // It read up to 13 on another node; this one has read 11 so far.
  auto ahead = log.watch({}, 13, [] {});
  EXPECT_EQ(ahead->next(), nullptr);
  log.receive({numbered(12), numbered(13), numbered(14)}, false);
  EXPECT_EQ(ids(drain(*ahead)), (std::vector<std::uint64_t>{14}));
}

TEST(EventLogInACluster, AResumptionIntoAHoleOfTheRingIsAGap) {
  fake_cluster cluster;
  event_log log(10, 10, 1);
  log.join_cluster(cluster.link());
  log.receive({numbered(50), numbered(51), numbered(60)}, true);
  auto w = log.watch({}, 55, [] {});
  auto got = drain(*w);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]->kind, client_event_kind::gap);
  EXPECT_EQ(got[0]->gap_after, 55u);
  EXPECT_EQ(got[0]->gap_resume, 60u);
  EXPECT_EQ(got[1]->id, 60u);
}

TEST(EventLogInACluster, NothingIsServedUntilTheTailIsRead) {
  fake_cluster cluster;
  event_log log(10, 10, 1);
  EXPECT_TRUE(log.serving());
  log.join_cluster(cluster.link());
  EXPECT_FALSE(log.serving());
  log.receive({}, true);
  EXPECT_TRUE(log.serving());
}

TEST(EventLogInACluster, TheWatchersFiltersAreToldOnEveryChange) {
  fake_cluster cluster;
  event_log log(10, 10, 1);
  log.join_cluster(cluster.link());
  event_filter messages_about_games;
  messages_about_games.kinds = 1u << static_cast<unsigned>(client_event_kind::client_message);
  messages_about_games.room_prefix = "game:";
  auto a = log.watch(messages_about_games, 0, [] {});
  auto b = log.watch({}, 0, [] {});
  log.unwatch(a);
  log.unwatch(b);
  ASSERT_EQ(cluster.told.size(), 4u);
  ASSERT_EQ(cluster.told[0].size(), 1u);
  EXPECT_EQ(cluster.told[0][0].room_prefix, "game:");
  EXPECT_EQ(cluster.told[1].size(), 2u);
  ASSERT_EQ(cluster.told[2].size(), 1u);
  EXPECT_EQ(cluster.told[2][0].kinds, event_filter::all_kinds);
  EXPECT_TRUE(cluster.told[3].empty());
}

}  // namespace
}  // namespace wsedge::edge
