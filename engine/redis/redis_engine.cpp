// The Redis engine: connections, room publishes and reads, subscriptions, heartbeat and the
// ingestion lease. Cluster-wide requests are in redis_engine_gather.cpp.
#include "engine/redis/redis_engine.hpp"

#include <absl/strings/str_format.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <charconv>
#include <cstdio>
#include <limits>

#include "engine/redis/engine_state.hpp"
#include "engine/redis/redis_scripts.hpp"

namespace wsedge::engine::redis {

namespace {

// The scripts as Redis runs them: the member count shared by publish and read goes first.
const std::string script_texts[] = {std::string(scripts::live_members) + scripts::publish,
                                    std::string(scripts::live_members) + scripts::read,
                                    scripts::heartbeat, scripts::lease, scripts::append_event};

std::string text(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
                          r->type == REDIS_REPLY_ERROR)
             ? std::string(r->str, r->len)
             : std::string();
}

std::uint64_t integer(const redisReply* r) {
  if (r == nullptr) return 0;
  if (r->type == REDIS_REPLY_INTEGER)
    return r->integer < 0 ? 0 : static_cast<std::uint64_t>(r->integer);
  std::uint64_t n = 0;
  if (r->type == REDIS_REPLY_STRING) std::from_chars(r->str, r->str + r->len, n);
  return n;
}

// Why a reply is not the answer it should be ("" when it is).
std::string failure(const redisReply* r, std::string_view error) {
  if (!error.empty())
    return error == "connection lost" || error == "stopped" ? std::string("unavailable")
                                                            : std::string(error);
  if (r == nullptr) return "unavailable";
  if (r->type == REDIS_REPLY_ERROR) return "redis: " + text(r);
  return {};
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

// --- The engine's thread-safe face: everything is posted to its thread. ---

redis_engine::redis_engine(redis_engine_options options)
    : options_(std::move(options)), state_(std::make_unique<state>(*this, options_)) {}

redis_engine::~redis_engine() {
  stop();
}

void redis_engine::start(edge::node_requests& node) {
  state_->node = &node;
  state_->work.emplace(state_->io.get_executor());
  running_ = true;
  net::post(state_->io, [s = state_.get()] { s->start(); });
  thread_ = std::thread([s = state_.get()] { s->io.run(); });
}

void redis_engine::stop() {
  if (!thread_.joinable()) return;
  running_ = false;
  net::post(state_->io, [s = state_.get()] { s->leave_then_stop(std::chrono::milliseconds(500)); });
  state_->work.reset();
  thread_.join();
  up_ = false;
}

edge::engine_metrics redis_engine::metrics() const {
  edge::engine_metrics m;
  m.enabled = true;
  m.up = up();
  const redis_connection* connections[] = {state_->commands.get(), state_->subscriber.get(),
                                           &state_->events->connection()};
  for (const redis_connection* c : connections) {
    if (c == nullptr) continue;
    const auto n = c->counted();
    m.commands += n.commands;
    m.command_errors += n.errors;
    m.reconnects += n.reconnects;
    m.latency_count += n.answered;
    m.latency_sum_seconds += n.answered_seconds;
  }
  m.subscriptions = state_->room_subscriptions.load(std::memory_order_relaxed);
  m.live_nodes = state_->live_node_count.load(std::memory_order_relaxed);
  return m;
}

void redis_engine::publish_room(std::string room, std::string data, std::string from,
                                std::int64_t ts,
                                std::function<void(edge::engine_publish_result)> done) {
  if (!running_) return done({"unavailable", {}});
  net::post(state_->io, [s = state_.get(), room = std::move(room), data = std::move(data),
                         from = std::move(from), ts, done = std::move(done)]() mutable {
    const auto& o = s->options;
    s->script(
        publish_script,
        {s->room_key(room), s->history_key(room), s->members_key(room), s->incarnations_key()},
        {s->fresh_epoch(), std::move(data), std::move(from), std::to_string(ts),
         std::to_string(o.history_size), std::to_string(o.history_ttl.count()),
         s->room_channel(room), std::to_string(o.node_timeout.count())},
        [done = std::move(done)](const redisReply* r, std::string_view error) {
          edge::engine_publish_result out;
          out.error = failure(r, error);
          if (out.error.empty() && (r->type != REDIS_REPLY_ARRAY || r->elements != 3))
            out.error = "redis: unexpected reply to the publish script";
          if (out.error.empty()) {
            out.result.seq = integer(r->element[0]);
            out.result.epoch = text(r->element[1]);
            out.result.recipients = integer(r->element[2]);
          }
          if (done) done(std::move(out));
        });
  });
}

void redis_engine::set_local_members(std::string room, std::uint64_t members,
                                     std::function<void()> done) {
  if (!running_) {
    if (done) done();
    return;
  }
  net::post(state_->io,
            [s = state_.get(), room = std::move(room), members, done = std::move(done)]() mutable {
              s->count_members(room, members);
              if (members > 0) {
                s->rooms[room] = members;
                s->subscriptions.want(s->room_channel(room), std::move(done));
              } else {
                s->rooms.erase(room);
                s->subscriptions.drop(s->room_channel(room));
                if (done) done();
              }
              s->room_subscriptions = s->rooms.size();
            });
}

void redis_engine::read(std::string room, std::uint64_t since, std::size_t limit, bool open,
                        std::function<void(edge::engine_read)> done) {
  if (!running_) {
    edge::engine_read out;
    out.error = "unavailable";
    return done(std::move(out));
  }
  net::post(state_->io, [s = state_.get(), room = std::move(room), since, limit, open,
                         done = std::move(done)]() mutable {
    const std::string after = since == std::numeric_limits<std::uint64_t>::max()
                                  ? std::string("-")
                                  : std::to_string(since);
    s->script(
        read_script,
        {s->room_key(room), s->history_key(room), s->members_key(room), s->incarnations_key()},
        {after, std::to_string(limit), open ? s->fresh_epoch() : std::string(),
         std::to_string(s->options.history_ttl.count()),
         std::to_string(s->options.node_timeout.count())},
        [room, done = std::move(done)](const redisReply* r, std::string_view error) {
          edge::engine_read out;
          out.error = failure(r, error);
          if (out.error.empty() && (r->type != REDIS_REPLY_ARRAY || r->elements != 6))
            out.error = "redis: unexpected reply to the read script";
          if (!out.error.empty()) return done(std::move(out));
          out.seq = integer(r->element[0]);
          out.epoch = text(r->element[1]);
          out.first_kept = integer(r->element[2]);
          out.kept = integer(r->element[3]);
          out.members = integer(r->element[5]);
          const redisReply* entries = r->element[4];
          for (std::size_t i = entries->elements; i-- > 0;) {
            const redisReply* e = entries->element[i];
            if (e->type != REDIS_REPLY_ARRAY || e->elements != 2) continue;
            edge::engine_message m;
            m.room = room;
            const std::string id = text(e->element[0]);
            const auto dash = id.find('-');
            if (dash == std::string::npos ||
                !parse_number(std::string_view(id).substr(dash + 1), m.seq))
              continue;
            m.epoch = out.epoch;
            const redisReply* fields = e->element[1];
            for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
              const std::string name = text(fields->element[f]);
              std::string value = text(fields->element[f + 1]);
              if (name == "d")
                m.data = std::move(value);
              else if (name == "f")
                m.from = std::move(value);
              else if (name == "t")
                parse_number(value, m.ts);
            }
            out.messages.push_back(std::move(m));
          }
          done(std::move(out));
        });
  });
}

// --- On the engine's thread ---

redis_engine::state::state(redis_engine& engine, const redis_engine_options& opts)
    : owner(engine),
      options(opts),
      subscriptions([this](std::string_view c, std::string_view p) { on_message(c, p); },
                    [this](const std::string& c) { on_restored(c); }),
      script_shas(std::size(script_texts)),
      incarnation(options.node_name + "#" + fresh_epoch()) {
  // Made here, before the engine's thread runs: metrics() reads their counters from any thread.
  redis_connection::options o{.host = options.host,
                              .port = options.port,
                              .password = options.password,
                              .db = options.db,
                              .on_state = [this](bool) { on_state_change(); }};
  commands = redis_connection::create(io, o);
  subscriber = redis_connection::create(io, o);
  subscriptions.use(*subscriber);
  events = std::make_unique<event_feed>(
      io, o, events_key(), options.events_retention,
      [this](std::vector<edge::client_event> read, bool history) {
        if (node != nullptr) node->on_events(std::move(read), history);
      },
      [this] {
        announce_watchers();
        on_state_change();
      });
}

void redis_engine::state::start() {
  set_live_nodes({options.node_name});
  // Always subscribed: a subscriber connection must never be left without a channel.
  subscriptions.want(cluster_channel());
  subscriptions.want(node_channel(options.node_name));
  commands->start();
  subscriber->start();
  events->start();
  tick();
}

void redis_engine::state::leave_then_stop(std::chrono::milliseconds grace) {
  leaving = true;
  ticker.cancel();
  if (!commands->up()) return stop();
  // Out of the live set at once (asking nodes stop waiting for this one), this process' member
  // counts gone, the ingestion lease free for another node; then stop, or at the deadline.
  auto timer = std::make_shared<net::steady_timer>(io, grace);
  timer->async_wait([this, timer](boost::system::error_code) { stop(); });
  auto ignore = [](const redisReply*, std::string_view) {};
  commands->command({"ZREM", nodes_key(), options.node_name}, ignore);
  // After the ZREM: a heartbeat that runs from now on does not bring this node back.
  node_request left;
  left.op = node_op::left;
  left.from = options.node_name;
  commands->command({"PUBLISH", cluster_channel(), encode(left)}, ignore);
  commands->command({"ZREM", incarnations_key(), incarnation}, ignore);
  for (const auto& [room, members] : rooms)
    commands->command({"HDEL", members_key(room), incarnation}, ignore);
  if (holds_lease)
    commands->command({"EVAL", scripts::release_lease, "1", lease_key(), options.node_name},
                      ignore);
  if (!watcher_filters.empty())
    commands->command({"HDEL", event_watchers_key(), options.node_name}, ignore);
  commands->command({"PING"}, [timer](const redisReply*, std::string_view) { timer->cancel(); });
}

void redis_engine::state::stop() {
  if (stopped) return;
  stopped = true;
  ticker.cancel();
  // Whoever waits on a gather gets what came so far.
  while (!gathers.empty()) complete(gathers.begin()->first);
  if (commands) commands->stop();
  if (subscriber) subscriber->stop();
  if (events) events->stop();
  // Whatever still waits for Redis is lost now.
  for (auto& waiting : event_backlog)
    if (waiting.done) waiting.done(false, "unavailable");
  event_backlog.clear();
  subscriptions.on_connection(false);
  owner.up_ = false;
}

void redis_engine::state::on_state_change() {
  if (stopped) return;  // going away: nothing to report or restore
  const bool commands_up = commands && commands->up();
  const bool subscriber_up = subscriber && subscriber->up();
  const bool commands_came_up = commands_up && !commands_were_up;
  commands_were_up = commands_up;
  if (commands_came_up) {
    load_scripts();
    beat();  // announce this node at once, not a heartbeat later
    // Redis may have lost them (a restart): this node's members are told again.
    for (const auto& [room, members] : rooms) count_members(room, members);
    announce_watchers();
    flush_event_backlog();
  }
  subscriptions.on_connection(subscriber_up);
  // Up once the event stream's tail is read too: a watcher from then on misses nothing.
  const bool up = commands_up && subscriber_up && events->tail_read();
  if (up != owner.up_.load()) {
    std::fprintf(stderr, "wsedge: redis %s:%u %s\n", options.host.c_str(), options.port,
                 up ? "connected" : "unreachable; retrying");
  }
  owner.up_ = up;
}

void redis_engine::state::count_members(const std::string& room, std::uint64_t members) {
  // Publishes count the members of live nodes (recipients cluster-wide).
  const std::string key = members_key(room);
  auto ignore = [](const redisReply*, std::string_view) {};
  if (members == 0) return commands->command({"HDEL", key, incarnation}, ignore);
  commands->command({"HSET", key, incarnation, std::to_string(members)}, ignore);
  commands->command({"EXPIRE", key, "86400"}, ignore);
}

void redis_engine::state::load_scripts() {
  for (std::size_t i = 0; i < std::size(script_texts); ++i) {
    commands->command({"SCRIPT", "LOAD", script_texts[i]},
                      [this, i](const redisReply* r, std::string_view error) {
                        if (failure(r, error).empty()) script_shas[i] = text(r);
                      });
  }
}

void redis_engine::state::script(std::size_t index, std::vector<std::string> keys,
                                 std::vector<std::string> args,
                                 redis_connection::reply_handler done) {
  std::vector<std::string> command;
  command.reserve(3 + keys.size() + args.size());
  const bool by_sha = !script_shas[index].empty();
  command.push_back(by_sha ? "EVALSHA" : "EVAL");
  command.push_back(by_sha ? script_shas[index] : script_texts[index]);
  command.push_back(std::to_string(keys.size()));
  for (auto& k : keys) command.push_back(std::move(k));
  for (auto& a : args) command.push_back(std::move(a));
  if (!by_sha) return commands->command(command, std::move(done));
  auto retry = std::make_shared<std::vector<std::string>>(command);
  commands->command(command, [this, index, retry, done = std::move(done)](const redisReply* r,
                                                                          std::string_view error) {
    if (error.empty() && r != nullptr && r->type == REDIS_REPLY_ERROR &&
        text(r).starts_with("NOSCRIPT")) {
      // Redis lost its script cache (a restart): send the script itself this once.
      script_shas[index].clear();
      (*retry)[0] = "EVAL";
      (*retry)[1] = script_texts[index];
      return commands->command(*retry, done);
    }
    done(r, error);
  });
}

void redis_engine::state::on_message(std::string_view channel, std::string_view payload) {
  // Anyone who can PUBLISH to Redis reaches here: nothing they send may end the thread.
  try {
    dispatch(channel, payload);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wsedge: dropped a message on %.*s: %s\n",
                 static_cast<int>(channel.size()), channel.data(), e.what());
  }
}

void redis_engine::state::dispatch(std::string_view channel, std::string_view payload) {
  const std::string rooms = options.prefix + ":room:";
  if (channel.starts_with(rooms)) {
    if (auto m = decode_room_message(std::string(channel.substr(rooms.size())), payload))
      node->on_room_message(std::move(*m));
    return;
  }
  if (channel == cluster_channel()) {
    if (auto request = decode_request(payload))
      request->op == node_op::left ? forget_node(request->from) : answer(*request);
    return;
  }
  if (channel == node_channel(options.node_name)) {
    if (auto reply = decode_reply(payload)) on_reply(std::move(*reply));
    return;
  }
  if (channel == ingest_channel()) {
    auto publish = decode_ingest(payload);
    if (!publish) return node->count_error("ingest_invalid");
    return node->ingest(std::move(publish->target), std::move(publish->data));
  }
  for (const auto& [source, room] : options.ingest) {
    if (channel != source) continue;
    node->ingest({edge::target_kind::room, room}, std::string(payload));
    return;
  }
}

void redis_engine::state::on_restored(const std::string& channel) {
  const std::string rooms = options.prefix + ":room:";
  if (channel.starts_with(rooms)) node->on_room_resubscribed(channel.substr(rooms.size()));
}

void redis_engine::state::tick() {
  if (stopped || leaving) return;
  beat();
  ticker.expires_after(options.heartbeat);
  ticker.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void redis_engine::state::beat() {
  if (commands->up()) {
    // Events Redis refused for a moment (or left from a reconnection) go again.
    flush_event_backlog();
    script(heartbeat_script, {nodes_key(), incarnations_key()},
           {options.node_name, std::to_string(options.node_timeout.count()), incarnation},
           [this](const redisReply* r, std::string_view error) {
             if (!failure(r, error).empty() || r->type != REDIS_REPLY_ARRAY) return;
             std::set<std::string> live{options.node_name};
             for (std::size_t i = 0; i < r->elements; ++i) live.insert(text(r->element[i]));
             set_live_nodes(std::move(live));
           });
    script(lease_script, {lease_key()}, {options.node_name, std::to_string(options.lease.count())},
           [this](const redisReply* r, std::string_view error) {
             const bool holds = failure(r, error).empty() && integer(r) == 1;
             if (holds == holds_lease) return;
             holds_lease = holds;
             owner.ingesting_ = holds;
             std::vector<std::string> channels{ingest_channel()};
             for (const auto& [source, room] : options.ingest) channels.push_back(source);
             for (const auto& c : channels) {
               if (holds) {
                 subscriptions.want(c);
               } else {
                 subscriptions.drop(c);
               }
             }
           });
    // Rooms with members here outlive their last message: their ttl is renewed a few times
    // per ttl (the messages themselves renew it too).
    const auto every = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(options.history_ttl).count() / 3 /
               std::max<std::int64_t>(1, options.heartbeat.count()));
    if (++ticks % every == 0) {
      // At least a few heartbeats long, so a short history_ttl cannot expire a room between
      // two renewals while it has members.
      const std::string ttl = std::to_string(std::max<std::int64_t>(
          options.history_ttl.count(),
          3 * std::chrono::duration_cast<std::chrono::seconds>(options.heartbeat).count() + 1));
      for (const auto& [room, members] : rooms) {
        commands->command({"EXPIRE", room_key(room), ttl}, [](auto, auto) {});
        commands->command({"EXPIRE", history_key(room), ttl}, [](auto, auto) {});
      }
    }
  } else if (holds_lease) {
    // Without Redis the lease cannot be renewed: another node may take it.
    holds_lease = false;
    owner.ingesting_ = false;
    subscriptions.drop(ingest_channel());
    for (const auto& [source, room] : options.ingest) subscriptions.drop(source);
  }
}

std::string redis_engine::state::fresh_epoch() {
  return absl::StrFormat("%012x", random() & 0xffffffffffffULL);
}

}  // namespace wsedge::engine::redis
