// Compiles (tsc --noEmit, run by npm test) if the public types accept what users pass: the
// DOM's WebSocket, the ws package's, and the documented calls and results.
import WebSocket from "ws";
import { WsEdgeClient, WsEdgeError, type Message, type PresenceMembers, type SubscribedInfo } from "../../src/index.js";

const node = new WsEdgeClient("ws://127.0.0.1:8080/ws", { WebSocket, getToken: async () => "t" });
const browser = new WsEdgeClient("/ws", { WebSocket: globalThis.WebSocket, getToken: () => null });

node.on("connected", ({ client_id, user_id }) => console.log(client_id.length + user_id.length));
node.on("disconnected", ({ code, reason, reconnect }) => console.log(code, reason, reconnect));
const sub = node.subscribe("r", {
  onMessage: (m: Message) => console.log(m.room, m.seq ?? 0, m.data, m.from, m.ts),
  joinLeave: true,
  onJoin: ({ client_id }) => console.log(client_id),
  onLeave: ({ user_id }) => console.log(user_id),
  onRecover: (recovered: boolean) => console.log(recovered),
  since: { seq: 1, epoch: "E" },
});
sub.ready.then((info: SubscribedInfo) => console.log(info.members, info.epoch));
node.publish("r", { any: "json" }).then(({ seq, epoch }) => console.log(seq.toFixed(), epoch), (e: WsEdgeError) => e.code);
node.presence("r").then((members: PresenceMembers) => console.log(members.truncated, members[0]?.client_id));
const off = node.onMessage((m) => console.log(m.room === ""));
off();
void sub.unsubscribe();
node.close();
browser.close();
