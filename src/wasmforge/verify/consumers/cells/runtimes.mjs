// JavaScript runtimes besides Node.js, each from its npm package (the binary is an
// ordinary dependency of the tools, nothing is downloaded at run time):
//   deno      the package from node_modules, imported as ESM (`deno run`)
//   bun-esm   Bun, `import`
//   bun-cjs   Bun, `require`
//   workerd   a Worker bundled by `wrangler deploy --dry-run` (wrangler's own esbuild setup:
//             the `workerd` condition, .wasm imported as a compiled module) and served by
//             Cloudflare's workerd on 127.0.0.1; the plan runs inside the request handler.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { write } from '../lib/context.mjs';
import { clip, deadline, judge, parseNodeResult, run } from '../lib/util.mjs';

/** The platform package's binary (npm installs only the one for this machine). */
function platformBinary(ctx, candidates) {
  const require = createRequire(path.join(ctx.toolsDir, 'package.json'));
  for (const [pkg, file] of candidates) {
    try {
      return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
    } catch {
      // not this platform's package
    }
  }
  throw new Error(`none of ${candidates.map(([pkg]) => pkg).join(', ')} is installed in ${ctx.toolsDir} `
    + '(run `wasmforge toolchain install`)');
}

const suffix = `${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}`;

function denoBinary(ctx) {
  const name = { 'linux-x64': 'linux-x64-glibc', 'linux-arm64': 'linux-arm64-glibc', 'darwin-x64': 'darwin-x64',
    'darwin-arm64': 'darwin-arm64' }[suffix] ?? suffix;
  return platformBinary(ctx, [[`@deno/${name}`, 'deno']]);
}

function bunBinary(ctx) {
  return platformBinary(ctx, [[`@oven/bun-${suffix}`, 'bin/bun'], [`@oven/bun-${suffix}-baseline`, 'bin/bun']]);
}

function workerdBinary(ctx) {
  const name = { 'linux-x64': 'linux-64', 'linux-arm64': 'linux-arm64', 'darwin-x64': 'darwin-64',
    'darwin-arm64': 'darwin-arm64' }[suffix] ?? suffix;
  return platformBinary(ctx, [[`@cloudflare/workerd-${name}`, 'bin/workerd']]);
}

/** A runtime's own caches and settings stay inside the cell. */
function isolated(dir) {
  return { HOME: dir, DENO_DIR: path.join(dir, '.deno'), BUN_INSTALL: path.join(dir, '.bun'), NO_COLOR: '1' };
}

async function runConsumer(ctx, binary, args, dir) {
  const result = await run(binary, args, { cwd: dir, env: isolated(dir) });
  return parseNodeResult(result);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** workerd's configuration: every file wrangler emitted, as an ES module or a wasm module. */
function capnpConfig(dist, entry, port, compatibilityDate) {
  // The main module comes first.
  const modules = fs.readdirSync(dist).filter((f) => /\.(m?js|wasm)$/.test(f)).sort((a, b) =>
    (a === entry ? -1 : b === entry ? 1 : a.localeCompare(b)));
  const entries = modules.map((f) => (f.endsWith('.wasm')
    ? `(name = "${f}", wasm = embed "${f}")`
    : `(name = "${f}", esModule = embed "${f}")`));
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${entries.join(', ')}],
  compatibilityDate = "${compatibilityDate}",
);
`;
}

async function waitForServer(url, child, log) {
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}):\n${log()}`);
    try {
      await fetch(url, { method: 'HEAD' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`workerd did not listen on ${url} within 20s:\n${log()}`);
}

// Older than workerd's own date (it refuses dates it does not know), recent enough for the APIs used.
const COMPATIBILITY_DATE = '2026-11-01';

async function workerdCell(ctx) {
  const dir = ctx.cellDir('workerd', 'worker.js');
  write(path.join(dir, 'wrangler.toml'),
    `name = "wasmforge-consumer"\nmain = "worker.js"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
  const wrangler = ctx.toolBin('wrangler', 'wrangler');
  const bundled = await run(ctx.nodeBin, [wrangler, 'deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: dir,
    env: { ...isolated(dir), CI: '1', WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: path.join(dir, 'logs') },
  });
  if (bundled.code !== 0) return { ok: false, detail: clip(`wrangler deploy --dry-run failed:\n${bundled.stderr}\n${bundled.stdout}`) };
  const dist = path.join(dir, 'dist');
  const port = await freePort();
  write(path.join(dist, 'config.capnp'), capnpConfig(dist, 'worker.js', port, COMPATIBILITY_DATE));
  let output = '';
  const child = spawn(workerdBinary(ctx), ['serve', 'config.capnp', '--verbose'], { cwd: dist, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitForServer(url, child, () => output);
    const response = await deadline(fetch(url), 60_000, 'the Worker did not answer within 60s');
    const text = await response.text();
    let payload;
    try {
      payload = JSON.parse(text);
    } catch {
      return { ok: false, detail: clip(`the Worker answered ${response.status} with no result:\n${text}\n${output}`) };
    }
    const verdict = judge(payload);
    const files = fs.readdirSync(dist).filter((f) => f !== 'config.capnp');
    return verdict.ok ? { ...verdict, detail: `${verdict.detail} (wrangler bundled ${files.join(', ')})` }
      : { ...verdict, detail: clip(`${verdict.detail}\n${output}`) };
  } finally {
    child.kill('SIGKILL');
  }
}

export default function runtimeCells(ctx) {
  return {
    deno: async () => {
      const dir = ctx.cellDir('deno', 'main.js');
      // package.json beside the app makes Deno resolve bare names from node_modules, as Node does.
      return runConsumer(ctx, denoBinary(ctx), ['run', '--allow-read', '--allow-env', '--quiet', 'main.js'], dir);
    },
    'bun-esm': async () => runConsumer(ctx, bunBinary(ctx), ['main.js'], ctx.cellDir('bun-esm', 'main.js')),
    'bun-cjs': async () => runConsumer(ctx, bunBinary(ctx), ['main.cjs'], ctx.cellDir('bun-cjs', 'main.cjs')),
    workerd: () => workerdCell(ctx),
  };
}
