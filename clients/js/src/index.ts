// @wsedge/client: the browser and Node client of the wsedge WebSocket edge.
export { WsEdgeClient } from "./client.js";
export type { ConnectionState } from "./client.js";
export { Subscription } from "./subscription.js";
export { WsEdgeError } from "./errors.js";
export { backoffDelay, shouldReconnect, DEFAULT_BACKOFF } from "./backoff.js";
export type { BackoffOptions } from "./backoff.js";
export type {
  ClientEvents,
  Clock,
  ConnectedEvent,
  DisconnectedEvent,
  ErrorEvent,
  Member,
  MemberEvent,
  Message,
  PresenceMembers,
  PublishResult,
  ReconnectingEvent,
  StreamPosition,
  SubscribeOptions,
  SubscribedInfo,
  WebSocketConstructor,
  WebSocketLike,
  WsEdgeClientOptions,
} from "./types.js";
