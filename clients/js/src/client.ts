// WsEdgeClient: one WebSocket to wsedge, kept alive, reconnected, and resubscribed with recovery.
import { backoffDelay, DEFAULT_BACKOFF, shouldReconnect } from "./backoff.js";
import { WsEdgeError } from "./errors.js";
import { safeCall } from "./safe_call.js";
import { Subscription } from "./subscription.js";
import type {
  ClientEvents,
  Clock,
  Message,
  PresenceMembers,
  PublishResult,
  SubscribeOptions,
  SubscribedInfo,
  WebSocketConstructor,
  WebSocketLike,
  WsEdgeClientOptions,
} from "./types.js";

export type ConnectionState = "idle" | "connecting" | "connected" | "closed";
type Listener<T> = (event: T) => void;
type Frame = Record<string, any>;

/** A request waiting for its reply, or for a connection to be sent on. */
interface Pending {
  /** Requests time out and may fail; a subscribe is redone from its subscription on reconnect. */
  kind: "request" | "subscribe" | "unsubscribe";
  frame: Frame;
  /** Safe to send again on the next connection when the current one is lost (no side effect). */
  retryable: boolean;
  onReply(reply: Frame): void;
  onError(error: WsEdgeError): void;
  timer?: unknown;
}

const NOOP = () => {};
const defaultClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** `ws://`, `wss://`, or `http(s)://` and page-relative URLs mapped onto them. */
function absoluteUrl(url: string): URL {
  const base = (globalThis as any).location?.href as string | undefined;
  const parsed = new URL(url, base);
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  if (parsed.protocol === "https:") parsed.protocol = "wss:";
  return parsed;
}

export class WsEdgeClient {
  private readonly url: URL;
  private readonly options: WsEdgeClientOptions;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly clock: Clock;

  private state: ConnectionState = "idle";
  private socket: WebSocketLike | null = null;
  /** Bumped for every socket: events of an abandoned socket carry an old number and are ignored. */
  private generation = 0;
  /** Failed attempts since the last `connected`; sizes the next backoff. */
  private attempt = 0;
  private timers: { connect?: unknown; reconnect?: unknown; ping?: unknown; pong?: unknown } = {};

  private nextId = 1;
  private readonly inflight = new Map<number, Pending>();
  private queue: Pending[] = [];
  /** @internal */
  readonly subscriptions = new Map<string, Subscription>();
  private readonly listeners: { [K in keyof ClientEvents]: Set<Listener<ClientEvents[K]>> } = {
    connected: new Set(),
    disconnected: new Set(),
    reconnecting: new Set(),
    error: new Set(),
  };
  private readonly messageListeners = new Set<Listener<Message>>();
  private clientInfo: { client_id: string; user_id: string } | null = null;

  constructor(url: string, options: WsEdgeClientOptions = {}) {
    this.url = absoluteUrl(url);
    this.options = options;
    const impl = options.WebSocket ?? (globalThis as any).WebSocket;
    if (typeof impl !== "function")
      throw new WsEdgeError(
        "no_websocket",
        "no global WebSocket here: pass options.WebSocket (e.g. the ws package's) on Node < 22",
      );
    this.WebSocketImpl = impl;
    this.clock = options.clock ?? defaultClock;
    if (options.autoConnect ?? true) this.connect();
  }

  /** `idle`, `connecting` (also while waiting to reconnect), `connected` or `closed`. */
  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The server's greeting on the current connection, null while not connected. */
  get client(): { client_id: string; user_id: string } | null {
    return this.state === "connected" ? this.clientInfo : null;
  }

  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    this.listeners[event].add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): void {
    this.listeners[event].delete(listener);
  }

  /** Messages sent to this user, role, client or everyone (not a room): `room` is "". */
  onMessage(listener: Listener<Message>): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Starts connecting (done by the constructor unless `autoConnect: false`, and after close()). */
  connect(): void {
    if (this.state === "connecting" || this.state === "connected") return;
    this.state = "connecting";
    this.attempt = 0;
    void this.open();
  }

  /** Closes for good (until connect()): nothing reconnects, waiting requests fail with `closed`. */
  close(): void {
    if (this.state === "closed") return;
    if (this.state === "idle") {
      // Never connected: only requests and subscriptions made before connect() wait.
      this.state = "closed";
      this.failWaiting("closed", "the client was closed");
      return;
    }
    const socket = this.detach();
    this.state = "closed";
    this.failWaiting("closed", "the client was closed");
    try {
      socket?.close(1000, "client closed");
    } catch {
      // Closing a socket that never opened may throw; it is abandoned either way.
    }
    this.emit("disconnected", { code: 1000, reason: "client closed", reconnect: false });
  }

  /**
   * Joins `room`. The returned subscription's `ready` resolves at the server's `subscribed` reply;
   * it lives across reconnects (resubscribed with `since`) until `unsubscribe()`.
   */
  subscribe(room: string, options: SubscribeOptions = {}): Subscription {
    if (this.subscriptions.has(room))
      throw new WsEdgeError("already_subscribed", `already subscribed to ${room}`);
    const subscription = new Subscription(this, room, options);
    this.subscriptions.set(room, subscription);
    if (this.state === "connected") this.sendSubscribe(subscription);
    return subscription;
  }

  /** Publishes `data` (any JSON value) into `room`, which this client must have joined. */
  async publish(room: string, data: unknown): Promise<PublishResult> {
    const reply = await this.request({ type: "publish", room, data }, false);
    const result: PublishResult = { seq: reply.seq };
    if (reply.epoch !== undefined) result.epoch = reply.epoch;
    return result;
  }

  /** The members of `room` (a room this client is in), with `truncated` set on the array. */
  async presence(room: string): Promise<PresenceMembers> {
    const reply = await this.request({ type: "presence", room }, true);
    const members = (Array.isArray(reply.members) ? reply.members : []) as PresenceMembers;
    members.truncated = reply.truncated === true;
    return members;
  }

  /** Sends `data` to the backends watching events (gRPC WatchEvents); resolves once queued. */
  async send(data: unknown): Promise<void> {
    await this.request({ type: "send", data }, false);
  }

  /** @internal Sends `frame`, waiting for a connection if needed, and resolves with the reply. */
  request(frame: Frame, retryable: boolean): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      if (this.state === "closed") {
        reject(new WsEdgeError("closed", "the client is closed"));
        return;
      }
      const pending: Pending = { kind: "request", frame, retryable, onReply: resolve, onError: reject };
      pending.timer = this.clock.setTimeout(() => {
        this.forget(pending);
        reject(new WsEdgeError("timeout", `no reply to ${frame.type} within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      if (this.state === "connected") {
        this.dispatch(pending);
      } else if (this.queue.length >= (this.options.maxQueuedRequests ?? 1000)) {
        this.clock.clearTimeout(pending.timer);
        reject(new WsEdgeError("queue_full", "too many requests waiting for a connection"));
      } else {
        this.queue.push(pending);
      }
    });
  }

  /** @internal Sends (or, while disconnected, leaves to the next connect) a subscription's subscribe. */
  sendSubscribe(subscription: Subscription): void {
    const frame: Frame = { type: "subscribe", room: subscription.room };
    if (subscription.options.joinLeave) frame.join_leave = true;
    const since = subscription.resumeFrom();
    if (since) frame.since = since;
    const resumed = subscription.expectsRecovery();
    this.dispatch({
      kind: "subscribe",
      frame,
      retryable: false,
      onReply: (reply) => subscription.subscribed(reply as SubscribedInfo, resumed),
      onError: (error) => subscription.refused(error),
    });
  }

  /** @internal Unsubscribes on the server; never rejects. */
  sendUnsubscribe(room: string): Promise<void> {
    if (this.state !== "connected") return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.dispatch({
        kind: "unsubscribe",
        frame: { type: "unsubscribe", room },
        retryable: false,
        onReply: () => resolve(),
        onError: () => resolve(),
      });
    });
  }

  /** @internal */
  reportError(code: string, message: string): void {
    this.emit("error", { code, message });
  }

  private get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10000;
  }

  private emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    for (const listener of [...this.listeners[event]]) safeCall(listener, payload);
  }

  /** One connection attempt: token, socket, and a deadline for the server's `connected`. */
  private async open(): Promise<void> {
    const generation = ++this.generation;
    let token: string | null | undefined;
    if (this.options.getToken) {
      try {
        token = await this.options.getToken();
      } catch (error) {
        if (generation !== this.generation || this.state !== "connecting") return;
        this.reportError("token_failed", String((error as Error)?.message ?? error));
        this.lost(generation, 1006, "getToken failed");
        return;
      }
      // close() (or another connect) while the token was being fetched.
      if (generation !== this.generation || this.state !== "connecting") return;
    }
    const url = new URL(this.url);
    if (token) url.searchParams.set("token", token);
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(url.toString());
    } catch (error) {
      // A URL the WebSocket refuses will not get better by retrying.
      this.reportError("connect_failed", String((error as Error)?.message ?? error));
      this.state = "closed";
      this.failWaiting("closed", "the WebSocket could not be created");
      this.emit("disconnected", { code: 1006, reason: "WebSocket could not be created", reconnect: false });
      return;
    }
    this.socket = socket;
    socket.onopen = NOOP;
    socket.onmessage = (event) => {
      if (generation === this.generation) this.onFrame(generation, event.data);
    };
    socket.onclose = (event) => {
      if (generation === this.generation) this.lost(generation, event.code, event.reason ?? "");
    };
    socket.onerror = (event) => {
      // The close event follows with the code; an error before `connected` is worth reporting
      // (ws names the HTTP status of a refused upgrade: 401, 403, 503).
      if (generation === this.generation && this.state === "connecting" && event?.message)
        this.reportError("connect_failed", String(event.message));
    };
    // A half-open TCP connection or a silent server must not hang the client.
    this.timers.connect = this.clock.setTimeout(
      () => this.abandon(generation, "connect timeout"),
      this.options.connectTimeoutMs ?? 10000,
    );
  }

  /** Gives up on a socket that shows no sign of life, without waiting for a close handshake. */
  private abandon(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    this.lost(generation, 1006, reason);
  }

  /** Drops the current socket: its late events are ignored from now on. */
  private detach(): WebSocketLike | null {
    for (const key of ["connect", "reconnect", "ping", "pong"] as const) {
      if (this.timers[key] !== undefined) this.clock.clearTimeout(this.timers[key]);
      delete this.timers[key];
    }
    const socket = this.socket;
    this.socket = null;
    this.generation++;
    if (socket) {
      // `ws` throws on an 'error' nobody listens to, so keep no-op handlers rather than null.
      socket.onopen = NOOP;
      socket.onmessage = NOOP;
      socket.onclose = NOOP;
      socket.onerror = NOOP;
    }
    return socket;
  }

  /** The connection is gone (closed, failed or abandoned): reconnect, or stop for good. */
  private lost(generation: number, code: number, reason: string): void {
    if (generation !== this.generation || this.state === "closed" || this.state === "idle") return;
    const wasConnected = this.state === "connected";
    const socket = this.detach();
    if (socket && socket.readyState < 2) {
      try {
        if (socket.terminate) socket.terminate();
        else socket.close(4002, reason.slice(0, 100));
      } catch {
        // Already closing.
      }
    }
    // What was sent and not answered may or may not have been applied: only side-effect-free
    // requests go again; a publish fails with `disconnected` rather than risk a duplicate.
    const resend: Pending[] = [];
    for (const pending of this.inflight.values()) {
      if (pending.kind === "subscribe") continue; // redone from the subscription on reconnect
      if (pending.kind === "unsubscribe") pending.onReply({}); // the server forgot it with the connection
      else if (pending.retryable) resend.push(pending);
      else {
        this.clock.clearTimeout(pending.timer);
        pending.onError(new WsEdgeError("disconnected", `the connection was lost (${code} ${reason})`));
      }
    }
    this.inflight.clear();
    this.queue = [...resend, ...this.queue];

    const reconnect =
      shouldReconnect(code, reason) && (code !== 1008 || this.options.getToken !== undefined);
    if (!reconnect) {
      this.state = "closed";
      this.failWaiting("closed", `the connection was closed (${code} ${reason}) and will not reconnect`);
      this.emit("disconnected", { code, reason, reconnect: false });
      return;
    }
    this.state = "connecting";
    if (wasConnected) this.emit("disconnected", { code, reason, reconnect: true });
    // An expired token is replaced at once; everything else backs off.
    const delayMs =
      code === 1008 && this.attempt === 0
        ? 0
        : backoffDelay(this.attempt, this.options.random ?? Math.random, {
            ...DEFAULT_BACKOFF,
            ...this.options.backoff,
          });
    this.attempt++;
    this.emit("reconnecting", { attempt: this.attempt, delayMs });
    if (this.state !== "connecting") return; // a listener closed the client
    this.timers.reconnect = this.clock.setTimeout(() => {
      delete this.timers.reconnect;
      void this.open();
    }, delayMs);
  }

  /** Fails every queued and in-flight request, and every subscription still waiting. */
  private failWaiting(code: string, message: string): void {
    const waiting = [...this.queue, ...this.inflight.values()];
    this.queue = [];
    this.inflight.clear();
    for (const pending of waiting) {
      if (pending.kind === "subscribe") continue; // the subscription is told below
      if (pending.kind === "unsubscribe") pending.onReply({});
      else {
        this.clock.clearTimeout(pending.timer);
        pending.onError(new WsEdgeError(code, message));
      }
    }
    for (const subscription of this.subscriptions.values()) subscription.stopped(new WsEdgeError(code, message));
  }

  /** Removes a request from wherever it waits (its timeout fired). */
  private forget(pending: Pending): void {
    this.queue = this.queue.filter((p) => p !== pending);
    for (const [id, p] of this.inflight) if (p === pending) this.inflight.delete(id);
  }

  /** Sends a request with a fresh id on the current connection. */
  private dispatch(pending: Pending): void {
    const id = this.nextId++;
    this.inflight.set(id, pending);
    this.sendFrame({ ...pending.frame, id });
  }

  private sendFrame(frame: Frame): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch (error) {
      // The socket is going away; its close event drives what happens next.
    }
  }

  /** Keep-alive: a ping every interval; no frame within the pong timeout means a dead link. */
  private schedulePing(generation: number): void {
    this.timers.ping = this.clock.setTimeout(() => {
      if (generation !== this.generation) return;
      this.sendFrame({ type: "ping" });
      if (this.timers.pong === undefined)
        this.timers.pong = this.clock.setTimeout(
          () => this.abandon(generation, "pong timeout"),
          this.options.pongTimeoutMs ?? 10000,
        );
      this.schedulePing(generation);
    }, this.options.pingIntervalMs ?? 25000);
  }

  private onFrame(generation: number, data: unknown): void {
    // Any frame proves the connection alive.
    if (this.timers.pong !== undefined) {
      this.clock.clearTimeout(this.timers.pong);
      delete this.timers.pong;
    }
    let frame: Frame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      this.reportError("invalid_json", "the server sent a frame that is not JSON");
      return;
    }
    if (frame === null || typeof frame !== "object") return;
    switch (frame.type) {
      case "connected":
        this.onConnected(generation, frame);
        return;
      case "message":
        this.onDelivered(frame);
        return;
      case "join":
      case "leave":
        this.subscriptions.get(frame.room)?.memberEvent(frame.type, frame as any);
        return;
      case "error":
        this.onErrorFrame(frame);
        return;
      default:
        // Replies: subscribed, unsubscribed, published, presence, sent, pong, rooms.
        if (frame.id !== undefined) this.settle(frame.id, (pending) => pending.onReply(frame));
    }
  }

  private onConnected(generation: number, frame: Frame): void {
    if (this.state !== "connecting") return;
    if (this.timers.connect !== undefined) this.clock.clearTimeout(this.timers.connect);
    delete this.timers.connect;
    this.state = "connected";
    this.attempt = 0;
    this.clientInfo = { client_id: String(frame.client_id ?? ""), user_id: String(frame.user_id ?? "") };
    // Subscriptions first, so that queued publishes into them are accepted.
    for (const subscription of this.subscriptions.values()) this.sendSubscribe(subscription);
    const queued = this.queue;
    this.queue = [];
    for (const pending of queued) this.dispatch(pending);
    this.schedulePing(generation);
    this.emit("connected", { ...this.clientInfo });
  }

  private onDelivered(frame: Frame): void {
    const message: Message = { room: frame.room ?? "", data: frame.data, from: frame.from ?? "", ts: frame.ts };
    if (typeof frame.seq === "number") message.seq = frame.seq;
    if (message.room === "") {
      for (const listener of [...this.messageListeners]) safeCall(listener, message);
      return;
    }
    this.subscriptions.get(message.room)?.deliver(message);
  }

  private onErrorFrame(frame: Frame): void {
    const error = new WsEdgeError(String(frame.code ?? "unknown"), String(frame.error ?? ""));
    if (frame.id !== undefined && this.settle(frame.id, (pending) => pending.onError(error))) return;
    this.emit("error", { code: error.code, message: String(frame.error ?? "") });
  }

  /** Hands a reply to the request with this id; false when none waits for it. */
  private settle(id: unknown, action: (pending: Pending) => void): boolean {
    if (typeof id !== "number") return false;
    const pending = this.inflight.get(id);
    if (!pending) return false;
    this.inflight.delete(id);
    if (pending.timer !== undefined) this.clock.clearTimeout(pending.timer);
    action(pending);
    return true;
  }
}
