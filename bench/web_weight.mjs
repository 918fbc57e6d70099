#!/usr/bin/env node
// The JavaScript half of bench/web_weight.py: a one-call app over the packed
// package, built for production by each bundler cell's setup (the same options
// as src/wasmforge/verify/consumers/cells/), then loaded in headless Chromium.
//   node web_weight.mjs <package.tgz> <workdir> --tools DIR --plan FILE --call 'EXPR' --imports a,b [--loads 5]
// For each app it records every response the page downloads (raw and gzip -9
// bytes of JavaScript and WebAssembly) and the time from navigation start to
// the first result (median of --loads page loads, each in a fresh browser
// context, nothing cached). Prints one JSON object on stdout.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { createContext, write } from '../src/wasmforge/verify/consumers/lib/context.mjs';
import { serve } from '../src/wasmforge/verify/consumers/server.mjs';
import { CHROMIUM_ARGS, executablePath } from '../src/wasmforge/verify/consumers/browser.mjs';
import { bundle } from '../src/wasmforge/verify/consumers/cells/esbuild.mjs';
import { compile, defaultsConfig } from '../src/wasmforge/verify/consumers/cells/webpack.mjs';

function parseArgs(argv) {
  const opts = { loads: '5', positional: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = argv[++i];
    else opts.positional.push(argv[i]);
  }
  [opts.tarball, opts.workdir] = opts.positional;
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const toolsDir = path.resolve(opts.tools);
const requireTool = createRequire(path.join(toolsDir, 'package.json'));

/** The app: import what the call needs, make the call, report the time since navigation start. */
function appSource(specifier, imports, call, needsInit) {
  return [
    `import { ${[...imports, ...(needsInit ? ['init'] : [])].join(', ')} } from '${specifier}';`,
    '',
    ...(needsInit ? ['await init();'] : []),
    `const value = ${call};`,
    'window.__result = { ok: true, ms: performance.now(), value: String(value) };',
    '',
  ].join('\n');
}

const PAGE = (src, attrs) => `<!doctype html>
<title>one call</title>
<script>window.addEventListener('error', (e) => { window.__result = { ok: false, error: String(e.message) }; });
window.addEventListener('unhandledrejection', (e) => { window.__result = { ok: false, error: String(e.reason) }; });</script>
<script ${attrs} src="${src}"></script>
`;

// The bundles are made exactly as the consumer matrix's cells make theirs.
async function esbuildApp(dir, format) {
  const built = await bundle({ toolsDir }, dir, { platform: 'browser', format, out: 'main.js' });
  if (!built.ok) throw new Error(built.detail);
  write(path.join(built.outdir, 'index.html'), PAGE('./main.js', format === 'esm' ? 'type="module"' : ''));
  return { root: built.outdir, page: '/index.html' };
}

async function webpackApp(dir) {
  const outdir = path.join(dir, 'dist');
  const built = await compile(requireTool('webpack'), defaultsConfig(dir, outdir, 'web'));
  if (!built.ok) throw new Error(built.detail);
  write(path.join(outdir, 'index.html'), PAGE('./main.js', ''));
  return { root: outdir, page: '/index.html' };
}

async function viteApp(dir) {
  const { pathToFileURL } = await import('node:url');
  const vite = await import(pathToFileURL(requireTool.resolve('vite')).href);
  write(path.join(dir, 'index.html'), PAGE('./main.js', 'type="module"'));
  await vite.build({ root: dir, configFile: false, logLevel: 'error', build: { outDir: path.join(dir, 'dist'), emptyOutDir: true } });
  // Vite's default base is '/': the site is served at the root, as a user deploys it.
  return { root: path.join(dir, 'dist'), page: '/' };
}

/** No bundler: the `web` entry straight from node_modules, as the yardstick of what one module and its glue weigh. */
function webApp(dir, ctx) {
  write(path.join(dir, 'index.html'), PAGE('./main.js', 'type="module"'));
  return { root: ctx.appDir, page: `/${path.relative(ctx.appDir, dir)}/index.html` };
}

const APPS = {
  'web (no bundler)': { build: webApp, specifier: (pkg) => `../node_modules/${pkg}/web.js`, init: true },
  vite: { build: viteApp },
  webpack: { build: webpackApp },
  'esbuild (iife)': { build: (dir) => esbuildApp(dir, undefined) },
  'esbuild (esm)': { build: (dir) => esbuildApp(dir, 'esm') },
};

function gzipSize(bytes) {
  return zlib.gzipSync(bytes, { level: 9 }).length;
}

function kind(url, contentType) {
  if (contentType.includes('wasm') || url.endsWith('.wasm')) return 'wasm';
  if (contentType.includes('javascript') || /\.[cm]?js$/.test(url)) return 'js';
  return 'other';
}

/** One page load in a fresh context: what it downloaded, and when the first result arrived. */
async function load(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bodies = [];
  page.on('response', (r) => {
    if (r.status() === 200) bodies.push(r.body().then((b) => ({ url: r.url(), type: r.headers()['content-type'] ?? '', bytes: b })).catch(() => null));
  });
  try {
    await page.goto(url, { waitUntil: 'load' });
    const result = await (await page.waitForFunction(() => window.__result, null, { timeout: 30_000, polling: 10 })).jsonValue();
    if (!result.ok) throw new Error(`the app failed: ${result.error}`);
    const files = (await Promise.all(bodies)).filter(Boolean);
    return { ms: result.ms, value: result.value, files };
  } finally {
    await context.close();
  }
}

function weigh(files) {
  const out = { js: { raw: 0, gzip: 0 }, wasm: { raw: 0, gzip: 0 }, files: [] };
  for (const f of files) {
    const k = kind(f.url, f.type);
    if (k === 'other') continue;
    const gz = gzipSize(f.bytes);
    out[k].raw += f.bytes.length;
    out[k].gzip += gz;
    out.files.push({ file: new URL(f.url).pathname.split('/').pop(), kind: k, raw: f.bytes.length, gzip: gz });
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ctx = await createContext({
  tarball: opts.tarball, plan: opts.plan, workdir: opts.workdir,
  toolsDir, nodeBin: process.execPath, tsGood: import.meta.filename, tsBad: import.meta.filename,
});
const imports = opts.imports.split(',');
const { chromium } = requireTool('playwright-core');
const browser = await chromium.launch({ executablePath: executablePath(), headless: true, args: CHROMIUM_ARGS, chromiumSandbox: false });
const apps = {};
try {
  for (const [name, app] of Object.entries(APPS)) {
    const dir = path.join(ctx.appDir, name.replace(/\W+/g, '-').replace(/-$/, ''));
    fs.mkdirSync(dir, { recursive: true });
    const specifier = app.specifier ? app.specifier(ctx.pkgName) : ctx.pkgName;
    write(path.join(dir, 'main.js'), appSource(specifier, imports, opts.call, Boolean(app.init)));
    const site = await app.build(dir, ctx);
    const server = await serve(site.root);
    const runs = [];
    try {
      for (let i = 0; i < Number(opts.loads); i++) runs.push(await load(browser, `${server.url}${site.page}`));
    } finally {
      await server.close();
    }
    apps[name] = { ...weigh(runs[0].files), firstResultMs: median(runs.map((r) => r.ms)), samplesMs: runs.map((r) => r.ms), value: runs[0].value };
    console.error(`${name}: ${apps[name].js.gzip + apps[name].wasm.gzip} B gzipped, first result ${apps[name].firstResultMs.toFixed(1)} ms`);
  }
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify({ package: ctx.pkgName, apps })}\n`);
