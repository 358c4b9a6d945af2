// Recovery against the real wsedge: a subscriber behind a TCP proxy that is cut again and again
// while a publisher keeps publishing sees every message once, in order; lost history is
// reported with onRecover(false). Skipped while the server's `subscribed` carries no epoch.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";

import { WsEdgeClient } from "./support/package.mjs";
import { hasFlag, nextEvent, probeCapabilities, startProxy, startWsedge, within } from "./support/wsedge.mjs";

const DEADLINE_MS = 20000;
const NO_HISTORY = "the server's `subscribed` reply carries no epoch: recovery is broken";
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(t, url, options = {}) {
  const client = new WsEdgeClient(url, { WebSocket, ...options });
  t.after(() => client.close());
  return client;
}

/** Resolves when `check()` holds, polling every 10 ms, or fails after the deadline. */
function eventually(check, what) {
  return within(DEADLINE_MS, (async () => {
    while (!check()) await pause(10);
  })(), what);
}

async function serverWithHistory(size) {
  // The publisher sends faster than the default 100 messages/s a connection may.
  const args = ["--message_rate=10000", "--message_burst=10000"];
  // A recovering client gets its whole history at once: the server wants twice that room in
  // each connection's queue.
  if (await hasFlag("history_size"))
    args.push(`--history_size=${size}`, `--max_queue_messages=${Math.max(1024, 2 * size)}`);
  const server = await startWsedge(args);
  const caps = await probeCapabilities(server.url);
  return { server, caps };
}

describe("recovery", () => {
  let server;
  let caps;
  before(async () => ({ server, caps } = await serverWithHistory(1000)));
  after(() => server?.stop());

  test("repeated network cuts while publishing: 0 lost, 0 duplicated, in order", async (t) => {
    assert.ok(caps.history, NO_HISTORY);
    const room = "cuts";
    const TOTAL = 400;
    const CUTS = 6;
    const proxy = await startProxy(server.wsPort);
    t.after(() => proxy.close());
    const publisher = connect(t, server.url);
    await within(DEADLINE_MS, publisher.subscribe(room).ready, "publisher subscribed");

    const got = [];
    const recovered = [];
    const subscriber = connect(t, proxy.url, { backoff: { initialMs: 100, maxMs: 300 } });
    const sub = subscriber.subscribe(room, { onMessage: (m) => got.push(m), onRecover: (ok) => recovered.push(ok) });
    await within(DEADLINE_MS, sub.ready, "subscribed");

    let publishedWhileAway = 0;
    const publishing = (async () => {
      for (let i = 1; i <= TOTAL; i++) {
        await publisher.publish(room, { i });
        if (subscriber.connectionState !== "connected") publishedWhileAway++;
        await pause(3);
      }
    })();
    for (let cut = 0; cut < CUTS; cut++) {
      await eventually(() => subscriber.connectionState === "connected", "connected before a cut");
      await pause(80 + 40 * cut);
      const back = nextEvent(subscriber, "connected");
      proxy.cut();
      await within(DEADLINE_MS, back, `reconnected after cut ${cut + 1}`);
    }
    await within(DEADLINE_MS * 2, publishing, "publishing");
    await eventually(() => got.length >= TOTAL, `all ${TOTAL} messages (have ${got.length})`);
    // "connected" comes before the resubscribe's reply: the last cut's onRecover may still be on
    // its way when the last message has already arrived.
    await eventually(() => recovered.length >= CUTS, `onRecover after each of the ${CUTS} cuts`);

    assert.deepEqual(got.map((m) => m.data.i), Array.from({ length: TOTAL }, (_, k) => k + 1));
    for (let k = 1; k < got.length; k++) assert.equal(got[k].seq, got[k - 1].seq + 1, "consecutive seq");
    assert.ok(publishedWhileAway > 0, "some messages were published during the outages");
    assert.equal(recovered.length, CUTS);
    assert.ok(recovered.every((ok) => ok), `every resubscribe recovered: ${recovered}`);
  });

  test("history shorter than the outage: onRecover(false), then live messages", async (t) => {
    const { server: small, caps: smallCaps } = await serverWithHistory(5);
    t.after(() => small.stop());
    assert.ok(smallCaps.history, NO_HISTORY);
    assert.ok(await hasFlag("history_size"), "wsedge has no history_size setting");
    const room = "short";
    const proxy = await startProxy(small.wsPort);
    t.after(() => proxy.close());
    const publisher = connect(t, small.url);
    await publisher.subscribe(room).ready;
    const got = [];
    const recovered = [];
    const subscriber = connect(t, proxy.url, { backoff: { initialMs: 50, maxMs: 100 } });
    await subscriber.subscribe(room, { onMessage: (m) => got.push(m.data), onRecover: (ok) => recovered.push(ok) }).ready;
    await publisher.publish(room, "seen");
    await eventually(() => got.length === 1, "the first message");

    proxy.refuse(true);
    proxy.cut();
    for (let i = 0; i < 20; i++) await publisher.publish(room, `missed ${i}`);
    const back = nextEvent(subscriber, "connected");
    proxy.refuse(false);
    await within(DEADLINE_MS, back, "reconnected");
    await eventually(() => recovered.length === 1, "onRecover");
    assert.deepEqual(recovered, [false]);
    await publisher.publish(room, "live");
    await eventually(() => got.includes("live"), "the live message");
    assert.deepEqual(got, ["seen", "live"]);
  });

  test("a server restart (new epoch) is reported with onRecover(false)", async (t) => {
    assert.ok(caps.history, NO_HISTORY);
    const first = await startWsedge();
    const proxy = await startProxy(first.wsPort);
    t.after(() => proxy.close());
    const recovered = [];
    const got = [];
    const subscriber = connect(t, proxy.url, { backoff: { initialMs: 50, maxMs: 100 } });
    const sub = subscriber.subscribe("restart", { onMessage: (m) => got.push(m.data), onRecover: (ok) => recovered.push(ok) });
    await sub.ready;
    const epoch = sub.position?.epoch;
    const lost = nextEvent(subscriber, "disconnected");
    await first.stop();
    assert.equal((await within(DEADLINE_MS, lost, "drained")).reconnect, true);
    const second = await startWsedge();
    t.after(() => second.stop());
    proxy.retarget(second.wsPort);
    await eventually(() => recovered.length === 1, "resubscribed on the new server");
    assert.deepEqual(recovered, [false]);
    assert.notEqual(sub.position?.epoch, epoch);
    const publisher = connect(t, second.url);
    await publisher.subscribe("restart").ready;
    await publisher.publish("restart", "after restart");
    await eventually(() => got.length === 1, "a message from the new server");
    assert.deepEqual(got, ["after restart"]);
  });
});
