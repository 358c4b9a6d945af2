// The real wsedge binary for tests: started on free loopback ports, its capabilities probed,
// wsedgectl for the control plane, and a TCP proxy a test can cut or freeze.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import WebSocket from "ws";

import { packageDir } from "./package.mjs";

export const wsedgeBin = resolve(packageDir, process.env.WSEDGE_BIN || "../../build/app/wsedge");
export const wsedgeCtl = resolve(packageDir, process.env.WSEDGE_CTL || "../../build/tools/wsedgectl");

const START_DEADLINE_MS = 20000;
const STOP_DEADLINE_MS = 15000;
const CTL_DEADLINE_MS = 15000;

/** Waits for `promise` at most `ms`, failing with `what` (tests never wait unbounded). */
export function within(ms, promise, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Resolves with the first event `name` of `client` for which `accept` holds. */
export function nextEvent(client, name, accept = () => true) {
  return new Promise((resolve) => {
    const off = client.on(name, (event) => {
      if (!accept(event)) return;
      off();
      resolve(event);
    });
  });
}

export function assertBinary() {
  if (!existsSync(wsedgeBin))
    throw new Error(`wsedge binary not found at ${wsedgeBin}: build it, or set WSEDGE_BIN`);
}

let helpText = null;
/** Whether `wsedge --help` lists a flag (settings being added in parallel are probed this way). */
export async function hasFlag(name) {
  assertBinary();
  helpText ??= await new Promise((resolve) => {
    execFile(wsedgeBin, ["--help"], { env: serverEnv() }, (_error, stdout, stderr) =>
      resolve(`${stdout}\n${stderr}`),
    );
  });
  return new RegExp(`-${name}\\b`).test(helpText);
}

/** The caller's environment without WSEDGE_* (each of which would be a server setting). */
function serverEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("WSEDGE_")));
}

/**
 * Starts wsedge on 127.0.0.1 with free ports; resolves once its start-up line names them.
 * Returns { wsPort, grpcPort, url (ws://…/ws), httpBase, stop() }.
 */
export async function startWsedge(extraArgs = []) {
  assertBinary();
  const args = ["--bind_address=127.0.0.1", "--ws_port=0", "--grpc_port=0", "--metrics_port=0", "--threads=2"];
  if (await hasFlag("drain_timeout")) args.push("--drain_timeout=2s");
  const proc = spawn(wsedgeBin, [...args, ...extraArgs], { env: serverEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: proc.stdout });
  const started = new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      const found = /ws=([0-9.]+):(\d+) grpc=([0-9.]+):(\d+)/.exec(line);
      if (found) resolve({ wsPort: Number(found[2]), grpcPort: Number(found[4]) });
    });
    exited.then(({ code }) => reject(new Error(`wsedge exited (${code}) before listening: ${stderr.trim()}`)));
  });
  let ports;
  try {
    ports = await within(START_DEADLINE_MS, started, "wsedge's start-up line");
  } catch (error) {
    proc.kill("SIGKILL");
    throw error;
  }
  const server = {
    ...ports,
    url: `ws://127.0.0.1:${ports.wsPort}/ws`,
    httpBase: `http://127.0.0.1:${ports.wsPort}`,
    grpc: `127.0.0.1:${ports.grpcPort}`,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      try {
        await within(STOP_DEADLINE_MS, exited, "wsedge's exit after SIGTERM");
      } catch {
        proc.kill("SIGKILL");
        await exited;
      }
    },
    /** wsedgectl against this server; resolves with its JSON reply. */
    ctl: (...ctlArgs) => ctl([...ctlArgs, `--server=${server.grpc}`]),
  };
  return server;
}

/** Runs wsedgectl; resolves with its parsed stdout, rejects with its stderr. */
export function ctl(args) {
  return new Promise((resolve, reject) => {
    execFile(wsedgeCtl, args, { timeout: CTL_DEADLINE_MS, env: serverEnv() }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wsedgectl ${args.join(" ")}: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

export const hasCtl = () => existsSync(wsedgeCtl);

/**
 * What this server build supports, seen on the wire: `history` when `subscribed` carries an
 * epoch, `presence` when a presence request is answered.
 */
export async function probeCapabilities(url) {
  const ws = new WebSocket(url);
  const replies = [];
  let wake = () => {};
  ws.on("message", (data) => {
    replies.push(JSON.parse(String(data)));
    wake();
  });
  const reply = (accept) =>
    within(5000, new Promise((resolve) => {
      const check = () => {
        const found = replies.find(accept);
        if (found) resolve(found);
        else wake = check;
      };
      check();
    }), "a reply while probing the server");
  try {
    await reply((f) => f.type === "connected");
    ws.send(JSON.stringify({ type: "subscribe", room: "capability-probe", id: "s" }));
    const subscribed = await reply((f) => f.id === "s");
    ws.send(JSON.stringify({ type: "presence", room: "capability-probe", id: "p" }));
    const presence = await reply((f) => f.id === "p");
    return { history: typeof subscribed.epoch === "string", presence: presence.type === "presence" };
  } finally {
    ws.terminate();
  }
}

/**
 * A TCP proxy to 127.0.0.1:targetPort. cut() drops every connection through it (a network
 * loss); freeze() stops forwarding on them without closing (a dead path: half-open TCP);
 * refuse(true) drops new connections at once (the network stays down); retarget(port) sends
 * new connections to another server.
 */
export async function startProxy(targetPort) {
  const pairs = new Set();
  let refusing = false;
  const server = net.createServer((downstream) => {
    if (refusing) {
      downstream.destroy();
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair = { downstream, upstream, frozen: false };
    pairs.add(pair);
    const forward = (from, to) =>
      from.on("data", (chunk) => {
        if (!pair.frozen) to.write(chunk);
      });
    forward(downstream, upstream);
    forward(upstream, downstream);
    const drop = () => {
      downstream.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const socket of [downstream, upstream]) {
      socket.on("error", drop);
      socket.on("close", drop);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    url: `ws://127.0.0.1:${server.address().port}/ws`,
    get connections() {
      return pairs.size;
    },
    cut() {
      for (const pair of [...pairs]) {
        // A reset, not a FIN: neither side gets a close frame.
        pair.downstream.resetAndDestroy?.() ?? pair.downstream.destroy();
        pair.upstream.destroy();
        pairs.delete(pair);
      }
    },
    freeze() {
      for (const pair of pairs) pair.frozen = true;
    },
    refuse(on) {
      refusing = on;
    },
    retarget(port) {
      targetPort = port;
    },
    close() {
      this.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
