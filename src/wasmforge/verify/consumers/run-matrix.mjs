#!/usr/bin/env node
// The consumer matrix of one built package (run by `wasmforge verify --consumers`):
//   node run-matrix.mjs <package.tgz> <plan.json> <workdir> --tools DIR --ts-good F --ts-bad F [options]
// Installs the tarball into <workdir>/app like a user would, then uses it where
// it is used: Node (require/import), Chromium (web ESM, no-modules script tag),
// esbuild / webpack 5 / vite 7 bundles run in Node or Chromium, Deno, Bun (import and
// require), a wrangler-bundled Worker served by workerd, tsc --strict
// (TS 5 and 7; node16, nodenext, bundler), publint and attw. Consumers run
// the verification plan (cases.mjs) and report its outcomes, which wasmforge
// judges against the spec; this script only says whether each cell ran.
// Prints {cell: {ok, detail, seconds, outcome?}}; exits 1 when a cell fails.
//
// Options:
//   --tools DIR      the npm ci'd tools (wasmforge's npm-tools directory)
//   --ts-good FILE   typed consumer to compile
//   --ts-bad FILE    consumer with deliberate type errors (`// @expect-error TSnnnn` names each)
//   --node PATH      node binary for consumers and tools (default: this process's)
//   --only A,B       run only cells whose name starts with one of these prefixes
//   --skip A,B       skip cells whose name starts with one of these prefixes
//   --jobs N         cells run at once (default 2)
//   --json           print the matrix as JSON on stdout (else a table)
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createContext } from './lib/context.mjs';
import { clip, timed } from './lib/util.mjs';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';
import nodeCells from './cells/node.mjs';
import browserCells from './cells/browser.mjs';
import esbuildCells from './cells/esbuild.mjs';
import webpackCells from './cells/webpack.mjs';
import viteCells from './cells/vite.mjs';
import typescriptCells from './cells/typescript.mjs';
import lintCells from './cells/lint.mjs';
import runtimeCells from './cells/runtimes.mjs';

function parseArgs(argv) {
  const positional = [];
  const opts = { json: false, jobs: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a.startsWith('--')) opts[a.slice(2).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = argv[++i];
    else positional.push(a);
  }
  if (positional.length !== 3) {
    console.error('usage: node run-matrix.mjs <package.tgz> <plan.json> <workdir> --tools DIR --ts-good F --ts-bad F [--json] [--node PATH] [--only A,B] [--skip A,B] [--jobs N]');
    process.exit(2);
  }
  [opts.tarball, opts.plan, opts.workdir] = positional;
  return opts;
}

async function pool(tasks, jobs) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}

// A tool failing in the background (Vite's dependency optimiser rejects a
// promise no cell awaits; a socket or child emits an error nobody listens to)
// must fail the matrix with its message, not crash it: a crash would leave the
// caller with no report at all.
const strays = [];
const stray = (error) => strays.push(error && error.stack ? error.stack : String(error));
process.on('unhandledRejection', stray);
process.on('uncaughtException', stray);

const opts = parseArgs(process.argv.slice(2));
const t0 = performance.now();
const toolsDir = path.resolve(opts.tools ?? '');
if (!opts.tools || !fs.existsSync(path.join(toolsDir, 'node_modules'))) {
  console.error(`--tools must name the installed npm tools (wasmforge toolchain install), got ${opts.tools}`);
  process.exit(2);
}
const ctx = await createContext({
  tarball: opts.tarball, plan: opts.plan, workdir: opts.workdir, toolsDir,
  nodeBin: path.resolve(opts.node ?? process.execPath),
  tsGood: opts.tsGood, tsBad: opts.tsBad,
});
const setupSeconds = +((performance.now() - t0) / 1000).toFixed(2);

const server = await serve(ctx.workdir);
ctx.serverUrl = server.url;
let browserPromise;
ctx.browser = () => (browserPromise ??= launch({ toolsDir }));

const all = {
  ...lintCells(ctx),
  ...typescriptCells(ctx),
  ...nodeCells(ctx),
  ...browserCells(ctx),
  ...esbuildCells(ctx),
  ...webpackCells(ctx),
  ...viteCells(ctx),
  ...runtimeCells(ctx),
};
const match = (name, list) => list.split(',').some((p) => p && name.startsWith(p));
const names = Object.keys(all).filter((n) => (!opts.only || match(n, opts.only)) && (!opts.skip || !match(n, opts.skip)));

const matrix = {};
const outcomes = await pool(names.map((n) => () => timed(all[n]).then((r) => {
  if (!opts.json) console.error(`${r.ok ? 'PASS' : 'FAIL'} ${n} (${r.seconds}s)`);
  return r;
})), Number(opts.jobs));
names.forEach((n, i) => (matrix[n] = outcomes[i]));
if (strays.length) {
  const detail = clip(`unhandled errors while the cells ran:\n${strays.join('\n')}`);
  const blamed = names.filter((n) => n.startsWith('vite') && !matrix[n].ok);
  if (blamed.length) blamed.forEach((n) => (matrix[n].detail = `${matrix[n].detail}\n${detail}`));
  else matrix.unhandled = { ok: false, detail, seconds: 0 };
}

if (browserPromise) await (await browserPromise.catch(() => null))?.close();
await server.close();

const total = +((performance.now() - t0) / 1000).toFixed(2);
const failed = names.filter((n) => !matrix[n].ok);
let output = '';
if (opts.json) {
  output = `${JSON.stringify(matrix, null, 2)}\n`;
} else {
  for (const n of names) {
    const c = matrix[n];
    console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${n.padEnd(22)} ${String(c.seconds).padStart(6)}s  ${c.ok ? c.detail.split('\n')[0] : ''}`);
    if (!c.ok) console.log(c.detail.replace(/^/gm, '        '));
  }
}
console.error(`${ctx.pkgName}: ${names.length} cells in ${total}s (setup ${setupSeconds}s)`);
console.error(`matrix: ${names.length - failed.length} passed, ${failed.length} failed`);
// Exit only once stdout is flushed: a pipe would otherwise lose the end of a long matrix.
process.stdout.write(output, () => process.exit(failed.length ? 1 : 0));
