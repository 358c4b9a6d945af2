// The demo page in headless Debian Chromium (playwright-core): it connects, joins ?room=, and
// shows a message published over gRPC (wsedgectl) and one published from the page itself.
// Once served by a small static server in front of wsedge, once by wsedge itself at /demo
// (skipped only when Chromium or wsedgectl is missing; a server without /demo fails it).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

import { distDir, packageDir } from "./support/package.mjs";
import { hasCtl, hasFlag, startWsedge } from "./support/wsedge.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const DEADLINE_MS = 15000;

let server;
let skipBrowser = null;
let skipServed = null;
before(async () => {
  if (!existsSync(CHROMIUM)) skipBrowser = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  else if (!hasCtl()) skipBrowser = "wsedgectl not found (set WSEDGE_CTL): the test publishes over gRPC";
  if (skipBrowser) return;
  const demoFlag = await hasFlag("demo_page");
  server = await startWsedge(demoFlag ? ["--demo_page=true"] : []);
  if (!demoFlag) skipServed = "this wsedge build has no demo_page setting yet";
  else if ((await fetch(`${server.httpBase}/demo`)).status === 404)
    skipServed = "this wsedge build answers GET /demo with 404 (the demo page is not wired in yet)";
});
after(() => server?.stop());

/** Opens the demo at `base`/demo?room=browser and checks what a person would see. */
async function exerciseDemo(t, base, screenshot) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.setDefaultTimeout(DEADLINE_MS);

  await page.goto(`${base}/demo?room=browser`);
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "connected");
  // Joined once the subscribe was answered.
  await page.waitForFunction(() => document.querySelector("#events")?.textContent.includes("joined browser"));

  const reply = await server.ctl("publish", "--room=browser", '{"from":"grpc","n":1}');
  assert.equal(reply.recipients, "1");
  await page.waitForFunction(() => document.querySelector("#log")?.textContent.includes('{"from":"grpc","n":1}'));

  await page.fill("#publish-data", '{"from":"page"}');
  await page.click("#publish-button");
  await page.waitForFunction(() => document.querySelector("#log")?.textContent.includes('{"from":"page"}'));
  assert.match(await page.textContent("#publish-result"), /published, seq \d+/);
  assert.equal(await page.locator("#log li").count(), 2);

  if (screenshot) await page.screenshot({ path: screenshot });
  assert.deepEqual(problems, []);
}

test("the demo page, served beside wsedge by a static server, works end to end", async (t) => {
  if (skipBrowser) return t.skip(skipBrowser);
  const front = await serveDemo(server.wsPort);
  t.after(() => front.close());
  await exerciseDemo(t, front.base, process.env.WSEDGE_DEMO_SCREENSHOT);
});

test("wsedge serves the demo page at /demo, and it works end to end", async (t) => {
  if (skipBrowser) return t.skip(skipBrowser);
  assert.equal(skipServed, null, skipServed);
  const page = await fetch(`${server.httpBase}/demo`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  const script = await fetch(`${server.httpBase}/demo/wsedge-client.js`);
  assert.equal(script.status, 200);
  // Browsers run module scripts only with a JavaScript MIME type.
  assert.match(script.headers.get("content-type") ?? "", /javascript/);
  await exerciseDemo(t, server.httpBase);
});

/**
 * The page and the bundle from this package (demo/, the build output), and /ws passed through
 * to wsedge as raw TCP: the same origin the page gets when wsedge serves it.
 */
async function serveDemo(wsPort) {
  const files = {
    "/demo": [resolve(packageDir, "demo/index.html"), "text/html; charset=utf-8"],
    "/demo/wsedge-client.js": [resolve(distDir, "wsedge-client.js"), "text/javascript; charset=utf-8"],
  };
  const front = http.createServer((request, response) => {
    const file = files[new URL(request.url, "http://x").pathname];
    if (!file) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": file[1] }).end(readFileSync(file[0]));
  });
  const tunnels = new Set();
  front.on("upgrade", (request, socket, head) => {
    const upstream = net.connect(wsPort, "127.0.0.1", () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2)
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    tunnels.add(socket).add(upstream);
    for (const s of [upstream, socket]) {
      s.on("error", () => (upstream.destroy(), socket.destroy()));
      s.on("close", () => tunnels.delete(s));
    }
  });
  await new Promise((done) => front.listen(0, "127.0.0.1", done));
  return {
    base: `http://127.0.0.1:${front.address().port}`,
    close() {
      // Upgraded connections are no longer the HTTP server's: end them here.
      for (const s of tunnels) s.destroy();
      front.closeAllConnections();
      return new Promise((done) => front.close(done));
    },
  };
}
