// Fuzzes what a client sends over its WebSocket: each line of the input is one message, handled
// by client_protocol (rate limit, parse, rules, answers, sends to the backends) against a sink
// that answers at once.
// The whole input is also parsed as one request, and what parse_request copies verbatim is
// checked against what Boost.JSON reads.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "edge/client_protocol.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/json_same.hpp"

namespace edge = wsedge::edge;
namespace json = boost::json;

namespace {

// Answers every request the handler makes, so the next message is read (as a shard would).
// Rooms named with "full" are full, with "down" unreachable; recovery finds one missed message.
struct answering_sink final : edge::protocol_sink {
  answering_sink(const edge::edge_config& config, const edge::identity& who)
      : config_(config), who_(who) {}
  const edge::edge_config& config() const override { return config_; }
  const edge::identity& who() const override { return who_; }
  const edge::edge_config& config_;
  const edge::identity& who_;

  edge::client_protocol* handler = nullptr;
  std::set<std::string> attached_rooms;
  std::size_t watchers = 1;  // backend watchers a send reaches (0: the client hears no_receiver)
  bool sent = false;         // a send is being answered: its reply is checked
  bool closed = false;

  void reply(std::string text) override {
    // Every reply is one JSON object with a "type".
    json::error_code ec;
    json::value v = json::parse(text, ec);
    FUZZ_CHECK(!ec && v.is_object() && v.as_object().contains("type"));
    // A send that reached nobody is answered with no_receiver, id or not; one that reached a
    // watcher is never an error.
    if (std::exchange(sent, false)) {
      const json::value* code = v.as_object().if_contains("code");
      FUZZ_CHECK((watchers == 0) == (code != nullptr && *code == "no_receiver"));
    }
  }
  void join(const std::string& room, bool count_only, const edge::stream_position* since,
            bool) override {
    edge::join_answer answer{!count_only, 1, 7, "epoch", std::nullopt, {}, {}};
    if (room.find("full") != std::string::npos) answer.joined = false;
    if (room.find("down") != std::string::npos) answer.error = "unavailable";
    if (since != nullptr) {
      answer.recovered = since->epoch == "epoch";
      answer.missed.push_back(std::make_shared<const std::string>("missed"));
    }
    pending_join = room;
    pending_answer = std::move(answer);
  }
  void send_frames(const std::vector<std::shared_ptr<const std::string>>&) override {}
  void presence(const std::string& room) override { pending_presence = room; }
  // A real member list, as the shard keeps: the handler names its rooms by their slots.
  edge::local_rooms rooms;
  void attach(const std::string& room, edge::local_rooms::slot& membership) override {
    FUZZ_CHECK(attached_rooms.insert(room).second);
    rooms.join(room, nullptr, membership);
  }
  void leave(const std::string& room, edge::local_rooms::slot& membership) override {
    FUZZ_CHECK(edge::local_rooms::name_of(membership) == room);
    // `room` is read after the leave, as the shard does (a name that died with the room would
    // be a use after free).
    rooms.leave(membership);
    FUZZ_CHECK(attached_rooms.erase(room) == 1);
  }
  void publish(const std::string& room, std::string data, bool answer) override {
    FUZZ_CHECK(edge::is_valid_json(data));
    if (answer) pending_publish = room;
  }
  void send_event(std::string room, std::string data, std::string id) override {
    FUZZ_CHECK(edge::is_valid_json(data));
    // Only about a room this connection is in (the handler checks before asking).
    FUZZ_CHECK(room.empty() || attached_rooms.contains(room));
    FUZZ_CHECK(!pending_send);  // a send with an id is waited for before the next is read
    pending_send = std::move(id);
  }
  void close(std::uint16_t, std::string_view, edge::close_mode) override { closed = true; }
  void count_error(std::string_view) override {}

  // Answers what the last message asked for (the handler waits until then).
  void answer_pending() {
    if (!pending_join.empty())
      handler->on_join_answer(std::exchange(pending_join, {}), pending_answer);
    if (!pending_presence.empty()) {
      const std::vector<edge::room_member> members{{"c1", "u1", ""}, {"c2", "", "node-b"}};
      handler->on_presence_answer(std::exchange(pending_presence, {}), members, false);
    }
    if (!pending_publish.empty()) {
      const std::string room = std::exchange(pending_publish, {});
      handler->on_publish_answer(room, 8, "epoch",
                                 room.find("down") != std::string::npos ? "unavailable" : "");
    }
    if (pending_send) {
      // As the cluster answers: later, with the send's own id.
      const std::string id = *std::exchange(pending_send, std::nullopt);
      sent = true;
      handler->on_send_answer(id, watchers > 0, {});
      // A send without an id that reached a watcher gets no reply: nothing left to check.
      sent = false;
    }
  }

  std::string pending_join, pending_presence, pending_publish;
  std::optional<std::string> pending_send;
  edge::join_answer pending_answer;
};

const edge::edge_config& fuzz_config() {
  static const edge::edge_config config = [] {
    edge::edge_config c;
    c.max_subscriptions = 8;
    c.message_rate = 50;
    c.message_burst = 20;
    c.room_rules = *edge::parse_room_rules(
        R"({"rules":[{"room":"admin:*","subscribe":["admin"],"publish":["admin"]},)"
        R"({"room":"news","publish":[]},{"room":"quiet*","presence":[]},)"
        R"({"room":"orders:*","send":["admin"]}]})");
    return c;
  }();
  return config;
}

// The member named `key` as parse_request must copy it: the same value Boost.JSON reads.
void check_verbatim(const json::object& object, std::string_view key, std::string_view copied) {
  const json::value* parsed = object.if_contains(key);
  if (parsed == nullptr) return;
  json::error_code ec;
  json::value reread = json::parse(copied, ec);
  FUZZ_CHECK(!ec && wsedge::fuzz::same_json(reread, *parsed));
}

void check_parse(std::string_view text) {
  const edge::parse_result result = edge::parse_request(text);
  const auto* request = std::get_if<edge::client_request>(&result);
  if (request == nullptr) return;
  json::parse_options options;
  options.max_depth = edge::max_json_depth;
  json::error_code ec;
  const json::value doc = json::parse(text, ec, {}, options);
  FUZZ_CHECK(!ec && doc.is_object());
  if (!request->id.empty()) check_verbatim(doc.as_object(), "id", request->id);
  if (request->type == edge::request_type::publish || request->type == edge::request_type::send)
    check_verbatim(doc.as_object(), "data", request->data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_parse(input);

  static const edge::identity who{"u1", "member", nullptr, std::nullopt};
  answering_sink sink(fuzz_config(), who);
  auto now = edge::client_protocol::clock::time_point{};
  edge::client_protocol handler(sink, now);
  sink.handler = &handler;
  handler.join_on_connect({{"lobby", "user:u1"}, edge::stream_position{3, "epoch"}});
  sink.answer_pending();
  sink.answer_pending();

  // One message a line; a line starting with \x01 is a binary frame, \x02 a ping; one starting
  // with \x03 is read while no backend watches the event stream (a send then reaches nobody).
  std::string_view rest = input;
  while (!rest.empty() && !sink.closed) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    now += std::chrono::milliseconds(10);
    if (line.starts_with('\x02')) {
      handler.on_keepalive(now);
      continue;
    }
    sink.watchers = line.starts_with('\x03') ? 0 : 1;
    if (sink.watchers == 0) line.remove_prefix(1);
    const bool binary = line.starts_with('\x01');
    handler.on_message(line, binary, now);
    sink.answer_pending();
    FUZZ_CHECK(!handler.waiting());
  }
  FUZZ_CHECK(sink.attached_rooms.size() == handler.rooms().size());
  handler.leave_all();
  FUZZ_CHECK(sink.attached_rooms.empty());
  return 0;
}
