// The built package under test: WSEDGE_JS_OUT (CMake's binary dir) or dist/ (npm run build).
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const distDir = resolve(packageDir, process.env.WSEDGE_JS_OUT || "dist");

export const { WsEdgeClient, WsEdgeError, backoffDelay, shouldReconnect } = await import(
  pathToFileURL(resolve(distDir, "index.js")).href
);
