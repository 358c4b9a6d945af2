// A scripted WebSocket and a manual clock, so client behaviour is tested without a network or time.

/** A WebSocket whose server side the test plays: open(), send(), close(). */
export class FakeSocket {
  static instances = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    this.terminated = false;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    FakeSocket.instances.push(this);
  }
  static reset() {
    FakeSocket.instances = [];
  }
  static last() {
    return FakeSocket.instances.at(-1);
  }
  // What the client sent, parsed.
  frames(type) {
    return this.sent.map((s) => JSON.parse(s)).filter((f) => !type || f.type === type);
  }
  send(data) {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(data);
  }
  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
  // The server's side.
  serverOpen(greeting = { type: "connected", client_id: "c1", user_id: "", ts: 1 }) {
    this.readyState = 1;
    this.onopen?.({});
    if (greeting) this.serverSend(greeting);
  }
  serverSend(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverClose(code, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  // Replies to the last request of `type` with `reply` plus its id.
  reply(type, reply) {
    const request = this.frames(type).at(-1);
    this.serverSend({ ...reply, id: request.id });
    return request;
  }
}

/** setTimeout/clearTimeout driven by advance(ms). */
export class FakeClock {
  constructor() {
    this.now = 0;
    this.nextHandle = 1;
    this.timers = new Map();
  }
  setTimeout(fn, ms) {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.now + ms, fn, ms });
    return handle;
  }
  clearTimeout(handle) {
    this.timers.delete(handle);
  }
  // Runs every timer due within `ms`, in time order, including ones they set.
  async advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let next = null;
      for (const [handle, t] of this.timers)
        if (t.at <= end && (!next || t.at < next[1].at)) next = [handle, t];
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      await flush();
    }
    this.now = end;
    await flush();
  }
}

/** Lets promise callbacks (getToken, request replies) run. */
export async function flush() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
