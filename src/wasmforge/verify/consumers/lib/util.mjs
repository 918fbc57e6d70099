// Small helpers shared by the cells: child processes, timing, result parsing.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const RESULT_MARKER = '@@WASMFORGE_RESULT@@';

/**
 * The environment with colour turned off: CI=… or FORCE_COLOR make several tools
 * (publint, vite) colour what we parse, and Node warns on stderr when FORCE_COLOR
 * and NO_COLOR are both set.
 */
function uncoloured(environment) {
  const { FORCE_COLOR, ...rest } = environment; // eslint-disable-line no-unused-vars
  return { ...rest, NO_COLOR: '1' };
}

/** Run a command; never throws. Resolves {code, signal, stdout, stderr, timedOut}. */
export function run(cmd, args, { cwd, env, timeoutMs = 120_000, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...uncoloured(process.env), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, signal: null, stdout, stderr: stderr + String(error), timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    child.stdin.end(input ?? '');
  });
}

/** A tool's output without colour codes (some colour it whatever NO_COLOR says). */
export function plain(text) {
  // eslint-disable-next-line no-control-regex -- colour codes from the tools' own output
  return String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '');
}

/** Trim a tool message to something that fits in a JSON matrix. */
export function clip(text, max = 4000) {
  const s = plain(text).trim();
  return s.length > max ? `${s.slice(0, max)}\n… (${s.length - max} more characters)` : s;
}

/** Time an async cell body returning {ok, detail}; a throw becomes a failure with its message. */
export const CELL_TIMEOUT_MS = 90_000;

/** `promise`, or a rejection with `message` after `ms` (the timer never keeps the process alive). */
export function deadline(promise, ms, message) {
  let timer;
  const expiry = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

export async function timed(fn) {
  const t0 = performance.now();
  let out;
  try {
    out = await deadline(fn(), CELL_TIMEOUT_MS, `the cell did not finish within ${CELL_TIMEOUT_MS / 1000}s`);
  } catch (error) {
    out = { ok: false, detail: clip(error && error.stack ? error.stack : error) };
  }
  const seconds = +((performance.now() - t0) / 1000).toFixed(2);
  return { ok: Boolean(out.ok), detail: out.detail, seconds, ...(out.outcome ? { outcome: out.outcome } : {}) };
}

/**
 * What a consumer reported through templates/report.mjs: {ok: true, results}
 * when the plan ran (Python judges the results against the spec), or
 * {ok: false, error} when the package could not even be loaded.
 */
export function judge(payload) {
  if (!payload) return { ok: false, detail: 'the consumer reported nothing' };
  if (!payload.ok) return { ok: false, detail: clip(payload.error) };
  return { ok: true, detail: `${payload.results.length} outcomes`, outcome: { results: payload.results } };
}

/** Parse the marker line a Node consumer prints. */
export function parseNodeResult(res) {
  const line = res.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line) {
    const why = res.timedOut ? 'timed out' : `exit code ${res.code}${res.signal ? ` (${res.signal})` : ''}`;
    return { ok: false, detail: clip(`no result (${why}):\n${res.stderr || res.stdout}`) };
  }
  return judge(JSON.parse(line.slice(RESULT_MARKER.length)));
}

/** Run the Node consumer `dir/file` (hand-written or bundled) and judge what it reported. */
export async function runNodeConsumer(ctx, dir, file) {
  return parseNodeResult(await run(ctx.nodeBin, [path.join(dir, file)], { cwd: dir }));
}

/** "N files, X kB" for a build output directory (what a user would deploy). */
export function distSize(dir) {
  const fs = globalThis.process.getBuiltinModule('node:fs');
  const path = globalThis.process.getBuiltinModule('node:path');
  let files = 0;
  let bytes = 0;
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    const st = fs.statSync(path.join(dir, String(f)));
    if (st.isFile() && !String(f).endsWith('.html')) {
      files++;
      bytes += st.size;
    }
  }
  return `${files} files, ${(bytes / 1024).toFixed(0)} kB`;
}
