// Events as the cluster's Redis stream holds them: every field back as it went in, and entries
// this version does not understand (anyone with Redis access can XADD) skipped, never trusted.
#include "engine/redis/event_entries.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <deque>
#include <string>
#include <vector>

namespace wsedge::engine::redis {
namespace {

// Builds hiredis replies by hand; everything lives as long as the builder.
class replies {
 public:
  redisReply* text(const std::string& value) {
    strings_.push_back(value);
    redisReply& r = nodes_.emplace_back();
    r.type = REDIS_REPLY_STRING;
    r.str = strings_.back().data();
    r.len = strings_.back().size();
    return &r;
  }
  redisReply* array(std::vector<redisReply*> items) {
    arrays_.push_back(std::move(items));
    redisReply& r = nodes_.emplace_back();
    r.type = REDIS_REPLY_ARRAY;
    r.elements = arrays_.back().size();
    r.element = arrays_.back().data();
    return &r;
  }
  // [id, [field, value, ...]]
  redisReply* entry(const std::string& id, const std::vector<std::string>& fields) {
    std::vector<redisReply*> values;
    for (const auto& f : fields) values.push_back(text(f));
    return array({text(id), array(std::move(values))});
  }

 private:
  std::deque<std::string> strings_;
  std::deque<redisReply> nodes_;
  std::deque<std::vector<redisReply*>> arrays_;
};

TEST(EventEntries, EveryFieldComesBackAsItWentIn) {
  edge::client_event e;
  e.kind = edge::client_event_kind::disconnected;
  e.ts = 1796305452203;
  e.node = "edge-1";
  e.client_id = "abb5444a-0-1";
  e.user_id = "alice";
  e.code = 4000;
  e.reason = "kicked: spam";
  replies r;
  auto decoded = decode_event_entry(r.entry("0-1796305452200424", event_fields(e)));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->id, 1796305452200424u);
  EXPECT_EQ(decoded->kind, e.kind);
  EXPECT_EQ(decoded->ts, e.ts);
  EXPECT_EQ(decoded->node, e.node);
  EXPECT_EQ(decoded->client_id, e.client_id);
  EXPECT_EQ(decoded->user_id, e.user_id);
  EXPECT_EQ(decoded->code, 4000);
  EXPECT_EQ(decoded->reason, e.reason);

  edge::client_event m;
  m.kind = edge::client_event_kind::client_message;
  m.room = "chat:lobby";
  m.data = std::string("{\"a\":\"\0\xff\"}", 10);  // bytes as they are
  decoded = decode_event_entry(r.entry("0-7", event_fields(m)));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->room, m.room);
  EXPECT_EQ(decoded->data, m.data);
  EXPECT_EQ(decoded->code, 0);
}

TEST(EventEntries, EntriesThisVersionDoesNotUnderstandAreSkipped) {
  replies r;
  EXPECT_FALSE(decode_event_entry(r.entry("0-1", {"t", "5"})));            // no kind
  EXPECT_FALSE(decode_event_entry(r.entry("0-1", {"k", "5"})));            // a gap is never stored
  EXPECT_FALSE(decode_event_entry(r.entry("0-1", {"k", "99"})));           // unknown kind
  EXPECT_FALSE(decode_event_entry(r.entry("0-1", {"k", "x"})));            // not a number
  EXPECT_FALSE(decode_event_entry(r.entry("1700000000000", {"k", "0"})));  // not our ids
  EXPECT_FALSE(decode_event_entry(r.entry("0-", {"k", "0"})));
  EXPECT_FALSE(decode_event_entry(r.array({r.text("0-1")})));  // no fields
  EXPECT_FALSE(decode_event_entry(nullptr));
  // A list keeps the good ones, oldest first whichever way Redis listed them.
  redisReply* newest_first = r.array(
      {r.entry("0-3", {"k", "0"}), r.entry("0-2", {"k", "99"}), r.entry("0-1", {"k", "1"})});
  auto events = decode_event_entries(newest_first, true);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, 1u);
  EXPECT_EQ(events[1].id, 3u);
}

TEST(EventEntries, FiltersAreWrittenWithTheirPrefixLengths) {
  edge::event_filter all;
  edge::event_filter games;
  games.kinds = 1u << static_cast<unsigned>(edge::client_event_kind::client_message);
  games.room_prefix = "game: 1";  // a space in a prefix cannot end it early
  EXPECT_EQ(encode_filters({}), "");
  EXPECT_EQ(encode_filters({all, games}), "31 0 16 7 game: 1");
}

}  // namespace
}  // namespace wsedge::engine::redis
