// Client behaviour against a scripted WebSocket and a manual clock: backoff, close codes,
// timeouts, keep-alive, resubscribe with `since`, request queueing.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { FakeClock, FakeSocket, flush } from "./support/fakes.mjs";
import { backoffDelay, shouldReconnect, WsEdgeClient } from "./support/package.mjs";

const ALMOST_ONE = 1 - Number.EPSILON;

function makeClient(options = {}) {
  const clock = new FakeClock();
  const events = [];
  const client = new WsEdgeClient("ws://edge.test/ws", {
    WebSocket: FakeSocket,
    clock,
    random: () => ALMOST_ONE,
    ...options,
  });
  for (const name of ["connected", "disconnected", "reconnecting", "error"])
    client.on(name, (e) => events.push({ name, ...e }));
  return { client, clock, events };
}

beforeEach(() => FakeSocket.reset());

describe("backoff", () => {
  test("first retry within 1 s, doubling bound, never more than 20 s apart", () => {
    assert.equal(backoffDelay(0, () => 0), 0);
    assert.ok(backoffDelay(0, () => ALMOST_ONE) < 1000);
    assert.ok(backoffDelay(0, () => 1) <= 1000, "an injected 1 still keeps the bound");
    assert.ok(backoffDelay(1, () => ALMOST_ONE) < 2000);
    assert.ok(backoffDelay(1, () => ALMOST_ONE) >= 1999);
    for (const attempt of [5, 10, 100, 5000])
      for (const r of [0, 0.5, ALMOST_ONE, 1]) {
        const delay = backoffDelay(attempt, () => r);
        assert.ok(Number.isFinite(delay) && delay >= 0 && delay <= 20000, `${attempt} ${r}: ${delay}`);
      }
    assert.ok(backoffDelay(10, () => ALMOST_ONE) > 19000, "the bound reaches the cap");
  });

  test("full jitter spreads delays over the whole range", () => {
    let i = 0;
    const draws = [0.1, 0.5, 0.9];
    const delays = draws.map(() => backoffDelay(3, () => draws[i++]));
    assert.deepEqual(delays, [800, 4000, 7200]);
  });

  test("close codes that reconnect", () => {
    for (const code of [1001, 1006, 1011, 1013, 4001]) assert.equal(shouldReconnect(code, ""), true, `${code}`);
    for (const code of [1000, 1002, 1007, 1009, 4000]) assert.equal(shouldReconnect(code, ""), false, `${code}`);
    assert.equal(shouldReconnect(1008, "token expired"), true);
    assert.equal(shouldReconnect(1008, "message rate limit exceeded"), false);
  });

  test("the client schedules its retries within the bounds, and resets after connecting", async () => {
    const { client, clock, events } = makeClient();
    const delays = [];
    for (let i = 0; i < 12; i++) {
      const socket = FakeSocket.last();
      socket.serverClose(1006);
      const scheduled = events.at(-1);
      assert.equal(scheduled.name, "reconnecting");
      delays.push(scheduled.delayMs);
      // Nothing happens a millisecond before the delay, a new socket exactly at it.
      await clock.advance(Math.max(0, scheduled.delayMs - 1));
      assert.equal(FakeSocket.instances.length, i + 1);
      await clock.advance(1);
      assert.equal(FakeSocket.instances.length, i + 2);
    }
    assert.ok(delays[0] <= 1000, `first ${delays[0]}`);
    for (const d of delays) assert.ok(d <= 20000, `${d}`);
    assert.ok(delays[11] >= 19000, `later delays reach the cap: ${delays}`);
    FakeSocket.last().serverOpen();
    FakeSocket.last().serverClose(1006);
    assert.ok(events.at(-1).delayMs <= 1000, "backoff starts over after a connection");
    client.close();
  });
});

describe("close codes", () => {
  for (const code of [1001, 1011, 1013, 4001, 1006]) {
    test(`${code} reconnects`, async () => {
      const { client, clock, events } = makeClient();
      FakeSocket.last().serverOpen();
      FakeSocket.last().serverClose(code, "bye");
      assert.deepEqual(events.find((e) => e.name === "disconnected"), {
        name: "disconnected",
        code,
        reason: "bye",
        reconnect: true,
      });
      await clock.advance(1000);
      assert.equal(FakeSocket.instances.length, 2);
      client.close();
    });
  }

  test("4000 (kicked) never reconnects", async () => {
    const { client, clock, events } = makeClient();
    FakeSocket.last().serverOpen();
    FakeSocket.last().serverClose(4000, "bye now");
    assert.deepEqual(events.at(-1), { name: "disconnected", code: 4000, reason: "bye now", reconnect: false });
    await clock.advance(120000);
    assert.equal(FakeSocket.instances.length, 1);
    assert.equal(client.connectionState, "closed");
    await assert.rejects(client.publish("r", 1), { code: "closed" });
  });

  test("close() never reconnects and fails waiting requests with closed", async () => {
    const { client, clock, events } = makeClient();
    FakeSocket.last().serverOpen();
    const waiting = client.presence("r");
    client.close();
    await assert.rejects(waiting, { code: "closed" });
    assert.deepEqual(events.at(-1), { name: "disconnected", code: 1000, reason: "client closed", reconnect: false });
    assert.equal(FakeSocket.last().closedWith.code, 1000);
    await clock.advance(120000);
    assert.equal(FakeSocket.instances.length, 1);
  });

  test("close() before connect() fails what waited for the connection", async () => {
    const { client, events } = makeClient({ autoConnect: false });
    const sub = client.subscribe("r");
    const published = client.publish("r", 1);
    client.close();
    await assert.rejects(published, { code: "closed" });
    await assert.rejects(sub.ready, { code: "closed" });
    assert.equal(FakeSocket.instances.length, 0);
    assert.deepEqual(events, []);
  });

  test("1008 token expired fetches a fresh token and reconnects at once", async () => {
    let n = 0;
    const { client, clock } = makeClient({ getToken: async () => `t${++n}` });
    await flush();
    assert.match(FakeSocket.last().url, /[?&]token=t1$/);
    FakeSocket.last().serverOpen();
    FakeSocket.last().serverClose(1008, "token expired");
    await clock.advance(0);
    assert.equal(FakeSocket.instances.length, 2);
    assert.match(FakeSocket.last().url, /[?&]token=t2$/);
    client.close();
  });

  test("1008 for another reason stays closed", async () => {
    const { clock } = makeClient({ getToken: () => "t" });
    await flush();
    FakeSocket.last().serverOpen();
    FakeSocket.last().serverClose(1008, "message rate limit exceeded");
    await clock.advance(60000);
    assert.equal(FakeSocket.instances.length, 1);
  });

  test("a failing getToken is reported and retried with backoff", async () => {
    let calls = 0;
    const { client, clock, events } = makeClient({
      getToken: async () => {
        if (++calls === 1) throw new Error("auth server down");
        return "ok";
      },
    });
    await flush();
    assert.equal(FakeSocket.instances.length, 0);
    assert.ok(events.some((e) => e.name === "error" && e.code === "token_failed"));
    await clock.advance(1000);
    assert.equal(FakeSocket.instances.length, 1);
    assert.match(FakeSocket.last().url, /token=ok/);
    client.close();
  });
});

describe("timeouts and keep-alive", () => {
  test("connect timeout abandons a socket that never answers", async () => {
    const { client, clock, events } = makeClient({ connectTimeoutMs: 3000 });
    await clock.advance(2999);
    assert.equal(events.length, 0);
    await clock.advance(1);
    assert.equal(FakeSocket.instances[0].terminated, true);
    assert.equal(events.at(-1).name, "reconnecting");
    client.close();
  });

  test("open but no `connected` frame also times out", async () => {
    const { client, clock, events } = makeClient({ connectTimeoutMs: 3000 });
    FakeSocket.last().serverOpen(null);
    await clock.advance(3000);
    assert.equal(events.at(-1).name, "reconnecting");
    client.close();
  });

  test("a ping without any answer within the pong timeout reconnects", async () => {
    const { client, clock, events } = makeClient({ pingIntervalMs: 5000, pongTimeoutMs: 2000 });
    const socket = FakeSocket.last();
    socket.serverOpen();
    await clock.advance(5000);
    assert.equal(socket.frames("ping").length, 1);
    socket.serverSend({ type: "pong", ts: 2 });
    await clock.advance(5000);
    assert.equal(socket.frames("ping").length, 2);
    assert.equal(client.connectionState, "connected");
    await clock.advance(2000);
    assert.equal(socket.terminated, true);
    assert.deepEqual(events.find((e) => e.name === "disconnected"), {
      name: "disconnected",
      code: 1006,
      reason: "pong timeout",
      reconnect: true,
    });
    client.close();
  });
});

describe("subscriptions", () => {
  test("resubscribe with since, onRecover, and duplicates dropped by seq", async () => {
    const { client, clock } = makeClient();
    const got = [];
    const recovered = [];
    const sub = client.subscribe("r", { onMessage: (m) => got.push(m.seq), onRecover: (ok) => recovered.push(ok) });
    let socket = FakeSocket.last();
    socket.serverOpen();
    assert.deepEqual(socket.frames("subscribe")[0], { type: "subscribe", room: "r", id: 1 });
    socket.reply("subscribe", { type: "subscribed", room: "r", members: 1, seq: 5, epoch: "E" });
    assert.deepEqual(await sub.ready, { room: "r", members: 1, seq: 5, epoch: "E" });
    for (const seq of [6, 7, 7, 5]) socket.serverSend({ type: "message", room: "r", seq, data: seq, from: "", ts: 1 });
    assert.deepEqual(got, [6, 7]);
    assert.deepEqual(sub.position, { seq: 7, epoch: "E" });

    socket.serverClose(1006);
    await clock.advance(1000);
    socket = FakeSocket.last();
    socket.serverOpen();
    const again = socket.frames("subscribe")[0];
    assert.deepEqual(again.since, { seq: 7, epoch: "E" });
    socket.reply("subscribe", { type: "subscribed", room: "r", members: 1, seq: 9, epoch: "E", recovered: true, missed: 2 });
    for (const seq of [7, 8, 9, 10]) socket.serverSend({ type: "message", room: "r", seq, data: seq, from: "", ts: 1 });
    assert.deepEqual(got, [6, 7, 8, 9, 10]);
    assert.deepEqual(recovered, [true]);

    // History lost: recovered:false, and the stream continues from the reply's seq.
    socket.serverClose(1001);
    await clock.advance(1000);
    socket = FakeSocket.last();
    socket.serverOpen();
    socket.reply("subscribe", { type: "subscribed", room: "r", members: 1, seq: 2, epoch: "F", recovered: false });
    socket.serverSend({ type: "message", room: "r", seq: 3, data: 3, from: "", ts: 1 });
    assert.deepEqual(recovered, [true, false]);
    assert.deepEqual(got, [6, 7, 8, 9, 10, 3]);
    client.close();
  });

  test("a server without history: no since, onRecover(false), seq restarts are not dropped", async () => {
    const { client, clock } = makeClient();
    const got = [];
    const recovered = [];
    client.subscribe("r", { onMessage: (m) => got.push(m.seq), onRecover: (ok) => recovered.push(ok) });
    let socket = FakeSocket.last();
    socket.serverOpen();
    socket.reply("subscribe", { type: "subscribed", room: "r", members: 1 });
    socket.serverSend({ type: "message", room: "r", seq: 4, data: 0, from: "", ts: 1 });
    socket.serverClose(1006);
    await clock.advance(1000);
    socket = FakeSocket.last();
    socket.serverOpen();
    assert.equal(socket.frames("subscribe")[0].since, undefined);
    socket.reply("subscribe", { type: "subscribed", room: "r", members: 1 });
    socket.serverSend({ type: "message", room: "r", seq: 1, data: 0, from: "", ts: 1 });
    assert.deepEqual(got, [4, 1]);
    assert.deepEqual(recovered, [false]);
    client.close();
  });

  test("a refused subscribe rejects ready with the code and calls onError", async () => {
    const { client } = makeClient();
    const errors = [];
    const sub = client.subscribe("bad room", { onError: (e) => errors.push(e.code) });
    FakeSocket.last().serverOpen();
    FakeSocket.last().reply("subscribe", { type: "error", code: "invalid_room", error: "bad name" });
    await assert.rejects(sub.ready, { code: "invalid_room" });
    assert.deepEqual(errors, ["invalid_room"]);
    assert.equal(sub.active, false);
    client.subscribe("bad room"); // the room can be tried again
    client.close();
  });

  test("joinLeave asks for events and hands them over", async () => {
    const { client } = makeClient();
    const seen = [];
    client.subscribe("r", { joinLeave: true, onJoin: (e) => seen.push(["join", e.client_id]), onLeave: (e) => seen.push(["leave", e.client_id]) });
    const socket = FakeSocket.last();
    socket.serverOpen();
    assert.equal(socket.frames("subscribe")[0].join_leave, true);
    socket.serverSend({ type: "join", room: "r", client_id: "a", user_id: "" });
    socket.serverSend({ type: "leave", room: "r", client_id: "a", user_id: "" });
    assert.deepEqual(seen, [["join", "a"], ["leave", "a"]]);
    client.close();
  });

  test("non-room messages go to onMessage listeners", async () => {
    const { client } = makeClient();
    const got = [];
    client.onMessage((m) => got.push(m));
    FakeSocket.last().serverOpen();
    FakeSocket.last().serverSend({ type: "message", room: "", data: { a: 1 }, from: "", ts: 5 });
    assert.deepEqual(got, [{ room: "", data: { a: 1 }, from: "", ts: 5 }]);
    client.close();
  });
});

describe("requests", () => {
  test("publish resolves {seq, epoch}; an error reply rejects with its code", async () => {
    const { client } = makeClient();
    const socket = FakeSocket.last();
    socket.serverOpen();
    const ok = client.publish("r", { x: 1 });
    const sent = socket.reply("publish", { type: "published", room: "r", seq: 3, epoch: "E" });
    assert.deepEqual(sent.data, { x: 1 });
    assert.deepEqual(await ok, { seq: 3, epoch: "E" });
    const bad = client.publish("r", 1);
    socket.reply("publish", { type: "error", code: "not_subscribed", error: "join first" });
    await assert.rejects(bad, (e) => e.code === "not_subscribed" && /join first/.test(e.message));
    client.close();
  });

  test("requests made while disconnected wait, subscribes going first", async () => {
    const { client, clock } = makeClient();
    client.subscribe("r");
    const published = client.publish("r", 1);
    await clock.advance(500);
    const socket = FakeSocket.last();
    socket.serverOpen();
    assert.deepEqual(socket.frames().map((f) => f.type), ["subscribe", "publish"]);
    socket.reply("publish", { type: "published", room: "r", seq: 1 });
    assert.deepEqual(await published, { seq: 1 });
    client.close();
  });

  test("a waiting request times out; the queue is bounded", async () => {
    const { client, clock } = makeClient({ requestTimeoutMs: 4000, maxQueuedRequests: 2, connectTimeoutMs: 60000 });
    const a = client.publish("r", 1);
    const b = client.presence("r");
    await assert.rejects(client.publish("r", 3), { code: "queue_full" });
    const timedOut = Promise.all([assert.rejects(a, { code: "timeout" }), assert.rejects(b, { code: "timeout" })]);
    await clock.advance(4000);
    await timedOut;
    FakeSocket.last().serverOpen();
    assert.deepEqual(FakeSocket.last().frames(), [], "timed-out requests are not sent later");
    client.close();
  });

  test("at a loss a publish in flight fails with disconnected; presence is asked again", async () => {
    const { client, clock } = makeClient();
    let socket = FakeSocket.last();
    socket.serverOpen();
    const published = client.publish("r", 1);
    const members = client.presence("r");
    socket.serverClose(1006);
    await assert.rejects(published, { code: "disconnected" });
    await clock.advance(1000);
    socket = FakeSocket.last();
    socket.serverOpen();
    socket.reply("presence", { type: "presence", room: "r", members: [{ client_id: "c", user_id: "u" }], truncated: false });
    const list = await members;
    assert.deepEqual([...list], [{ client_id: "c", user_id: "u" }]);
    assert.equal(list.truncated, false);
    client.close();
  });
});
