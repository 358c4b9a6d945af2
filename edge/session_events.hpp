// The events a connection's life adds to the node's event log. Callers check
// event_log::active() first, so nothing is built while nothing retains or watches events.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "edge/client_event.hpp"
#include "edge/event_log.hpp"
#include "edge/session.hpp"

namespace wsedge::edge {

// An event about `s` (its client id and user id, stamped now).
client_event session_event(client_event_kind kind, const session& s);

inline void record_connected(event_log& log, const session& s) {
  if (log.active()) log.record(session_event(client_event_kind::connected, s));
}

// `done`: whether a watcher has the message queued, or why it could not be recorded (see
// event_log::record_message for the thread it runs on).
inline void record_client_message(event_log& log, const session& s, std::string room,
                                  std::string data, event_log::message_answer done) {
  client_event event = session_event(client_event_kind::client_message, s);
  event.room = std::move(room);
  event.data = std::move(data);
  log.record_message(std::move(event), std::move(done));
}

inline void record_membership(event_log& log, const session& s, const std::string& room,
                              bool joined) {
  if (!log.active()) return;
  client_event event =
      session_event(joined ? client_event_kind::joined : client_event_kind::left, s);
  event.room = room;
  log.record(std::move(event));
}

inline void record_disconnected(event_log& log, const session& s, std::uint16_t code,
                                std::string_view reason) {
  if (!log.active()) return;
  client_event event = session_event(client_event_kind::disconnected, s);
  event.code = code;
  event.reason = reason;
  log.record(std::move(event));
}

}  // namespace wsedge::edge
