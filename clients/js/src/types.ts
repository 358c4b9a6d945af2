// Public types of @wsedge/client: options, events, messages and the WebSocket it needs.
import type { BackoffOptions } from "./backoff.js";
import type { WsEdgeError } from "./errors.js";

/** The part of a WebSocket the client uses: the browser's, Node 22's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  // Events are `any` so that the DOM's and ws's own event types are both accepted; the client
  // reads `data` of a message, `code` and `reason` of a close, `message` of an error (ws only).
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the TCP connection at once, without a closing handshake. */
  terminate?: () => void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Timers, injectable so tests can drive time. */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WsEdgeClientOptions {
  /** Called before every connect and reconnect; its token travels as `?token=`. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** WebSocket constructor; default `globalThis.WebSocket` (Node < 22: pass `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Connect on construction. Default true; otherwise call `connect()`. */
  autoConnect?: boolean;
  /** From opening the socket to the server's `connected` frame. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** An application `{"type":"ping"}` after this much time without one. Default 25000 ms. */
  pingIntervalMs?: number;
  /** After a ping, any frame within this proves the connection alive. Default 10000 ms. */
  pongTimeoutMs?: number;
  /** A publish or presence request fails with `timeout` after this, queued time included. Default 10000 ms. */
  requestTimeoutMs?: number;
  /** Requests held while disconnected; one more fails with `queue_full`. Default 1000. */
  maxQueuedRequests?: number;
  /** Reconnect delay bounds (full jitter). Defaults: first within 1000 ms, at most 20000 ms. */
  backoff?: BackoffOptions;
  /** Source of randomness for the jitter; tests inject their own. Default Math.random. */
  random?: () => number;
  /** Timers; tests inject their own. Default the global setTimeout/clearTimeout. */
  clock?: Clock;
}

/** `connected` event: the server's greeting. */
export interface ConnectedEvent {
  client_id: string;
  user_id: string;
}

/** `disconnected` event: why the connection ended and whether the client will reconnect. */
export interface DisconnectedEvent {
  code: number;
  reason: string;
  reconnect: boolean;
}

/** `reconnecting` event: the next attempt is scheduled in `delayMs`. */
export interface ReconnectingEvent {
  attempt: number;
  delayMs: number;
}

/** `error` event: a server error frame no request waits for, or a client-side failure. */
export interface ErrorEvent {
  code: string;
  message: string;
}

export interface ClientEvents {
  connected: ConnectedEvent;
  disconnected: DisconnectedEvent;
  reconnecting: ReconnectingEvent;
  error: ErrorEvent;
}

/** A delivered message. `room` is "" (and `seq` absent) for user, role, client and all targets. */
export interface Message {
  room: string;
  seq?: number;
  data: unknown;
  from: string;
  ts: number;
}

/** A room's stream position: resubscribing with it recovers what was missed. */
export interface StreamPosition {
  seq: number;
  epoch: string;
}

/** The `subscribed` reply. `seq`, `epoch`, `recovered`, `missed` need a server with history. */
export interface SubscribedInfo {
  room: string;
  members: number;
  seq?: number;
  epoch?: string;
  recovered?: boolean;
  missed?: number;
}

export interface MemberEvent {
  room: string;
  client_id: string;
  user_id: string;
}

export interface SubscribeOptions {
  onMessage?: (message: Message) => void;
  /** Ask for join/leave events of other members. Default false. */
  joinLeave?: boolean;
  onJoin?: (event: MemberEvent) => void;
  onLeave?: (event: MemberEvent) => void;
  /**
   * After every resubscribe (and a first subscribe with `since`): true when the server sent
   * everything missed, false when it could not (resync from your backend).
   */
  onRecover?: (recovered: boolean) => void;
  /** The subscription was refused (also rejects `ready`); the subscription is dropped. */
  onError?: (error: WsEdgeError) => void;
  /** Resume from a position saved earlier (e.g. across page loads). */
  since?: StreamPosition;
}

export interface Member {
  client_id: string;
  user_id: string;
}

/** The members of a room; `truncated` when the server's `presence_limit` cut the list. */
export type PresenceMembers = Member[] & { truncated: boolean };

export interface PublishResult {
  seq: number;
  /** The room's epoch; undefined from a server without history. */
  epoch?: string;
}
