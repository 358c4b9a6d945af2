// The client against the real wsedge binary (WSEDGE_BIN): round trips, errors, non-room
// messages, kick, tokens, timeouts, presence and join/leave.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";

import { WsEdgeClient } from "./support/package.mjs";
import {
  hasCtl,
  nextEvent,
  probeCapabilities,
  startProxy,
  startWsedge,
  within,
} from "./support/wsedge.mjs";

const DEADLINE_MS = 10000;
const NO_CTL = "wsedgectl not found (set WSEDGE_CTL): the control plane is needed for this test";

/** A client of the test server, closed at the end of the test. */
function connect(t, url, options = {}) {
  const client = new WsEdgeClient(url, { WebSocket, ...options });
  t.after(() => client.close());
  return client;
}

async function connected(client) {
  return within(DEADLINE_MS, nextEvent(client, "connected"), "connected");
}

/** Collects a subscription's messages; `until(n)` waits for the n-th. */
function collector() {
  const messages = [];
  const waiters = [];
  return {
    messages,
    onMessage(message) {
      messages.push(message);
      for (const w of [...waiters]) if (messages.length >= w.n) w.resolve();
    },
    until(n) {
      if (messages.length >= n) return Promise.resolve();
      return within(DEADLINE_MS, new Promise((resolve) => waiters.push({ n, resolve })), `${n} messages`);
    },
  };
}

function hs256(secret, claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

describe("against wsedge", () => {
  let server;
  let caps;
  before(async () => {
    server = await startWsedge();
    caps = await probeCapabilities(server.url);
  });
  after(() => server?.stop());

  test("connect, subscribe, publish, receive", async (t) => {
    const client = connect(t, server.url);
    const hello = await connected(client);
    assert.match(hello.client_id, /.+/);
    assert.equal(hello.user_id, "");
    const got = collector();
    const sub = client.subscribe("round-trip", { onMessage: got.onMessage });
    const info = await within(DEADLINE_MS, sub.ready, "subscribed");
    assert.equal(info.room, "round-trip");
    assert.equal(info.members, 1);
    const first = await client.publish("round-trip", { text: "hi", n: [1, 2] });
    const second = await client.publish("round-trip", "two");
    assert.equal(second.seq, first.seq + 1);
    await got.until(2);
    assert.deepEqual(got.messages.map((m) => [m.room, m.seq, m.data, m.from]), [
      ["round-trip", first.seq, { text: "hi", n: [1, 2] }, hello.client_id],
      ["round-trip", second.seq, "two", hello.client_id],
    ]);
    if (caps.history) assert.equal(typeof first.epoch, "string");
  });

  test("a refused publish rejects with the server's code", async (t) => {
    const client = connect(t, server.url);
    await connected(client);
    await assert.rejects(client.publish("no spaces allowed", 1), { name: "WsEdgeError", code: "invalid_room" });
    await assert.rejects(client.publish("not-joined", 1), { code: "not_subscribed" });
    const sub = client.subscribe("bad room!");
    await assert.rejects(within(DEADLINE_MS, sub.ready, "refusal"), { code: "invalid_room" });
  });

  test("requests made before the connection wait for it", async (t) => {
    const client = connect(t, server.url);
    const got = collector();
    client.subscribe("early", { onMessage: got.onMessage });
    const published = await within(DEADLINE_MS, client.publish("early", 42), "queued publish");
    await got.until(1);
    assert.equal(got.messages[0].seq, published.seq);
  });

  test("non-room messages reach onMessage (gRPC publish to the client and to all)", async (t) => {
    if (!hasCtl()) return t.skip(NO_CTL);
    const client = connect(t, server.url);
    const { client_id } = await connected(client);
    const got = [];
    const two = new Promise((resolve) => client.onMessage((m) => got.push(m) === 2 && resolve()));
    await server.ctl("publish", `--client_id=${client_id}`, '{"to":"me"}');
    await server.ctl("publish", "--all", '"everyone"');
    await within(DEADLINE_MS, two, "two non-room messages");
    assert.deepEqual(got.map((m) => [m.room, m.seq, m.data, m.from]), [
      ["", undefined, { to: "me" }, ""],
      ["", undefined, "everyone", ""],
    ]);
  });

  test("kicked (4000): disconnected without reconnect, never comes back", async (t) => {
    if (!hasCtl()) return t.skip(NO_CTL);
    // A zero jitter draw: a reconnect, if one were made, would be immediate.
    const client = connect(t, server.url, { random: () => 0 });
    const { client_id } = await connected(client);
    let connects = 0;
    client.on("connected", () => connects++);
    const gone = nextEvent(client, "disconnected");
    assert.deepEqual(await server.ctl("kick", `--client_id=${client_id}`, "--reason=go away"), { kicked: "1" });
    assert.deepEqual(await within(DEADLINE_MS, gone, "disconnected"), { code: 4000, reason: "go away", reconnect: false });
    assert.equal(client.connectionState, "closed");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(connects, 0);
    await assert.rejects(client.publish("r", 1), { code: "closed" });
  });

  test("a dead path (frozen proxy) is noticed by the ping deadline and reconnected", async (t) => {
    const proxy = await startProxy(server.wsPort);
    t.after(() => proxy.close());
    const client = connect(t, proxy.url, { pingIntervalMs: 200, pongTimeoutMs: 300, backoff: { initialMs: 100 } });
    await connected(client);
    const lost = nextEvent(client, "disconnected");
    const back = nextEvent(client, "connected");
    proxy.freeze();
    assert.deepEqual(await within(DEADLINE_MS, lost, "pong timeout"), { code: 1006, reason: "pong timeout", reconnect: true });
    await within(DEADLINE_MS, back, "reconnected");
  });

  test("after a network loss the client reconnects and resubscribes", async (t) => {
    const proxy = await startProxy(server.wsPort);
    t.after(() => proxy.close());
    const publisher = connect(t, server.url);
    await within(DEADLINE_MS, publisher.subscribe("after-loss").ready, "publisher subscribed");
    const got = collector();
    const recovered = [];
    const client = connect(t, proxy.url, { backoff: { initialMs: 100 } });
    const sub = client.subscribe("after-loss", { onMessage: got.onMessage, onRecover: (ok) => recovered.push(ok) });
    await within(DEADLINE_MS, sub.ready, "subscribed");
    await publisher.publish("after-loss", "before");
    await got.until(1);
    const lost = nextEvent(client, "disconnected");
    const back = nextEvent(client, "connected");
    proxy.cut();
    assert.equal((await within(DEADLINE_MS, lost, "disconnected")).reconnect, true);
    await within(DEADLINE_MS, back, "reconnected");
    // Resubscribed: a new publish arrives once the subscribe went through.
    await within(DEADLINE_MS, (async () => {
      while (recovered.length === 0) await new Promise((r) => setTimeout(r, 10));
    })(), "resubscribed");
    await publisher.publish("after-loss", "after");
    await got.until(2);
    assert.deepEqual(got.messages.map((m) => m.data), ["before", "after"]);
    // With history nothing was missed (nothing was published while away); without, the client
    // cannot know, and says so.
    assert.deepEqual(recovered, [caps.history]);
  });

  test("connect timeout: a TCP server that never answers does not hang the client", async (t) => {
    const accepted = [];
    const silent = net.createServer((socket) => accepted.push(socket.resume()));
    await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
    t.after(() => {
      for (const s of accepted) s.destroy();
      silent.close();
    });
    const closedByClient = new Promise((resolve) => silent.on("connection", (s) => s.on("close", resolve)));
    const client = connect(t, `ws://127.0.0.1:${silent.address().port}/ws`, {
      WebSocket,
      connectTimeoutMs: 300,
      backoff: { initialMs: 50 },
    });
    const retry = await within(DEADLINE_MS, nextEvent(client, "reconnecting"), "reconnecting");
    assert.ok(retry.delayMs <= 50);
    await within(DEADLINE_MS, closedByClient, "the client dropping the silent connection");
    assert.equal(client.connectionState, "connecting");
  });

  test("presence lists the room's members", async (t) => {
    assert.ok(caps.presence, "the server does not answer presence requests");
    const a = connect(t, server.url);
    const b = connect(t, server.url);
    const [ida, idb] = (await Promise.all([connected(a), connected(b)])).map((e) => e.client_id);
    await a.subscribe("who").ready;
    await b.subscribe("who").ready;
    const members = await a.presence("who");
    assert.deepEqual(members.map((m) => m.client_id).sort(), [ida, idb].sort());
    assert.equal(members.truncated, false);
  });

  test("join and leave events with joinLeave", async (t) => {
    assert.ok(caps.presence, "the server does not answer presence requests (join/leave come with it)");
    const watcher = connect(t, server.url);
    const events = [];
    let watching;
    const two = new Promise((resolve) => {
      const push = (kind) => (e) => events.push([kind, e.client_id]) === 2 && resolve();
      watching = watcher.subscribe("comings", {
        joinLeave: true,
        onJoin: push("join"),
        onLeave: push("leave"),
      });
    });
    await connected(watcher);
    // Only a member by the time the other client joins hears of it.
    await watching.ready;
    const other = connect(t, server.url);
    const { client_id } = await connected(other);
    const sub = other.subscribe("comings");
    await sub.ready;
    await sub.unsubscribe();
    await within(DEADLINE_MS, two, "join and leave");
    assert.deepEqual(events, [["join", client_id], ["leave", client_id]]);
  });
});

describe("with authentication required", () => {
  const secret = "client-test-secret";
  let server;
  before(async () => {
    server = await startWsedge(["--auth_required", `--jwt_secret=${secret}`]);
  });
  after(() => server?.stop());

  test("getToken is called before each connect; its token travels as ?token=", async (t) => {
    const proxy = await startProxy(server.wsPort);
    t.after(() => proxy.close());
    let calls = 0;
    const getToken = async () => {
      calls++;
      return hs256(secret, { sub: "alice", exp: Math.floor(Date.now() / 1000) + 300 });
    };
    const client = connect(t, proxy.url, { getToken, backoff: { initialMs: 100 } });
    assert.equal((await connected(client)).user_id, "alice");
    assert.equal(calls, 1);
    const back = nextEvent(client, "connected");
    proxy.cut();
    assert.equal((await within(DEADLINE_MS, back, "reconnected")).user_id, "alice");
    assert.equal(calls, 2);
  });

  test("a refused token is reported and retried, not given up", async (t) => {
    let calls = 0;
    const client = connect(t, server.url, {
      getToken: () => (++calls < 3 ? "not-a-jwt" : hs256(secret, { sub: "bob", exp: Math.floor(Date.now() / 1000) + 300 })),
      backoff: { initialMs: 50, maxMs: 100 },
    });
    const refused = nextEvent(client, "error", (e) => e.code === "connect_failed");
    assert.match((await within(DEADLINE_MS, refused, "refusal")).message, /401/);
    assert.equal((await connected(client)).user_id, "bob");
    assert.equal(calls, 3);
  });
});
