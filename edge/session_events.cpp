// Events about one connection, for the event log.
#include "edge/session_events.hpp"

#include "edge/protocol.hpp"

namespace wsedge::edge {

client_event session_event(client_event_kind kind, const session& s) {
  client_event event;
  event.kind = kind;
  event.ts = now_unix_ms();
  event.client_id = s.client_id();
  event.user_id = s.who().user_id;
  return event;
}

}  // namespace wsedge::edge
