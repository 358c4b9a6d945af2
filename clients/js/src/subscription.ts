// Subscription: one room joined by a client, its stream position, and what it hands the app.
import type { WsEdgeClient } from "./client.js";
import { WsEdgeError } from "./errors.js";
import { safeCall } from "./safe_call.js";
import type { MemberEvent, Message, StreamPosition, SubscribeOptions, SubscribedInfo } from "./types.js";

export class Subscription {
  readonly room: string;
  /** Resolves at the first `subscribed` reply; rejects when the server refuses the room. */
  readonly ready: Promise<SubscribedInfo>;
  /** @internal */
  readonly options: SubscribeOptions;

  private readonly client: WsEdgeClient;
  /** The seq of the last message handed to the app (or the room's seq when joining). */
  private lastSeq: number | null = null;
  private epoch: string | null = null;
  private everSubscribed = false;
  private settled = false;
  private isActive = true;
  private resolveReady!: (info: SubscribedInfo) => void;
  private rejectReady!: (error: WsEdgeError) => void;

  /** @internal Made by WsEdgeClient.subscribe(). */
  constructor(client: WsEdgeClient, room: string, options: SubscribeOptions) {
    this.client = client;
    this.room = room;
    this.options = options;
    if (options.since) {
      this.lastSeq = options.since.seq;
      this.epoch = options.since.epoch;
    }
    this.ready = new Promise<SubscribedInfo>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A refusal is also reported through onError; an app that never awaits `ready` must not
    // get an unhandled rejection for it.
    this.ready.catch(() => {});
  }

  /** Where this subscription is in the room's stream: save it to resume later with `since`. */
  get position(): StreamPosition | null {
    return this.lastSeq !== null && this.epoch !== null ? { seq: this.lastSeq, epoch: this.epoch } : null;
  }

  /** False once unsubscribed or refused. */
  get active(): boolean {
    return this.isActive;
  }

  /** Leaves the room; resolves when the server confirmed (at once while disconnected). */
  unsubscribe(): Promise<void> {
    if (!this.isActive) return Promise.resolve();
    this.deactivate();
    this.settle(undefined, new WsEdgeError("unsubscribed", `unsubscribed from ${this.room}`));
    return this.client.sendUnsubscribe(this.room);
  }

  /** @internal The `since` for the next subscribe: only with a known epoch (a server with history). */
  resumeFrom(): StreamPosition | undefined {
    return this.position ?? undefined;
  }

  /** @internal Whether the next `subscribed` reply is worth an onRecover call. */
  expectsRecovery(): boolean {
    return this.everSubscribed || this.options.since !== undefined;
  }

  /** @internal The server's `subscribed` reply. */
  subscribed(reply: SubscribedInfo, resumed: boolean): void {
    if (!this.isActive) return;
    const info: SubscribedInfo = { room: reply.room, members: reply.members };
    for (const key of ["seq", "epoch", "recovered", "missed"] as const)
      if (reply[key] !== undefined) (info as any)[key] = reply[key];
    // Recovered: the missed messages follow (lastSeq+1…), so keep the position. Otherwise
    // start from the room's current seq: the next live message is the one after it.
    if (reply.recovered !== true) this.lastSeq = typeof reply.seq === "number" ? reply.seq : null;
    this.epoch = typeof reply.epoch === "string" ? reply.epoch : null;
    this.everSubscribed = true;
    this.settle(info);
    if (resumed) safeCall(this.options.onRecover, reply.recovered === true);
  }

  /** @internal The server refused the subscribe (first time or on a resubscribe). */
  refused(error: WsEdgeError): void {
    if (!this.isActive) return;
    const resubscribing = this.everSubscribed;
    this.deactivate();
    this.settle(undefined, error);
    safeCall(this.options.onError, error);
    if (resubscribing)
      this.client.reportError(error.code, `resubscribing to ${this.room} was refused: ${error.message}`);
  }

  /** @internal The client stopped for good: a `ready` still waiting fails. */
  stopped(error: WsEdgeError): void {
    this.settle(undefined, error);
  }

  /** @internal A room message: handed to the app once, in order. */
  deliver(message: Message): void {
    if (!this.isActive) return;
    if (typeof message.seq === "number") {
      // A safety net: recovery already avoids duplicates.
      if (this.lastSeq !== null && message.seq <= this.lastSeq) return;
      this.lastSeq = message.seq;
    }
    safeCall(this.options.onMessage, message);
  }

  /** @internal A join or leave event (subscribed with joinLeave). */
  memberEvent(type: "join" | "leave", frame: MemberEvent): void {
    if (!this.isActive) return;
    const event: MemberEvent = { room: frame.room, client_id: frame.client_id, user_id: frame.user_id };
    safeCall(type === "join" ? this.options.onJoin : this.options.onLeave, event);
  }

  private deactivate(): void {
    this.isActive = false;
    if (this.client.subscriptions.get(this.room) === this) this.client.subscriptions.delete(this.room);
  }

  private settle(info: SubscribedInfo | undefined, error?: WsEdgeError): void {
    if (this.settled) return;
    this.settled = true;
    if (info) this.resolveReady(info);
    else this.rejectReady(error!);
  }
}
