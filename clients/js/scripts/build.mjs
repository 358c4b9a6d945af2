// Builds the package: dist/index.js (ES module), dist/wsedge-client.js (minified, for pages and
// the demo), dist/*.d.ts (tsc). The output folder is WSEDGE_JS_OUT when set (CMake's binary dir).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(root, process.env.WSEDGE_JS_OUT || "dist");
mkdirSync(out, { recursive: true });

const common = {
  entryPoints: [resolve(root, "src/index.ts")],
  bundle: true,
  format: "esm",
  target: "es2020",
  platform: "neutral",
  logLevel: "warning",
};
await build({ ...common, outfile: resolve(out, "index.js"), sourcemap: true });
await build({ ...common, outfile: resolve(out, "wsedge-client.js"), minify: true });

// Type declarations (and the type check) from tsc.
const tsc = resolve(root, "node_modules/typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", resolve(root, "tsconfig.json"), "--outDir", out], {
  stdio: "inherit",
});

const bundle = readFileSync(resolve(out, "wsedge-client.js"));
if (!process.argv.includes("--quiet"))
  console.log(
    `wsedge-client.js: ${bundle.length} bytes minified, ${gzipSync(bundle, { level: 9 }).length} gzip`,
  );
