// wasmforge verification harness: loads an installed package the way one
// target is loaded, runs the cases it is given and prints the outcomes as JSON.
// It judges nothing; Python compares the outcomes with the spec.
//
//   node harness.mjs <target> <plan.json> [--baseline]
//
// It is copied into the temporary project where the packed tarball was
// installed, so bare specifiers resolve to that installed copy. With
// --baseline, WebAssembly.validate() refuses the SIMD probe, so a package with
// a SIMD build loads its baseline module instead.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const [target, planFile, mode] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve(`${plan.packageName}/package.json`));

if (mode === '--baseline') {
  const validate = WebAssembly.validate;
  // The facade's SIMD probe is the only module validated before loading.
  WebAssembly.validate = (bytes) => (bytes.byteLength < 64 ? false : validate(bytes));
}

function wasmBytes() {
  const simd = plan.simdWasmFile && mode !== '--baseline';
  return readFileSync(path.join(packageDir, simd ? plan.simdWasmFile : plan.wasmFile));
}

function decode(value, api) {
  if (Array.isArray(value)) return value.map((v) => decode(v, api));
  if (value === null || typeof value !== 'object') return value;
  if (value.$undefined) return undefined;
  if ('$number' in value) return Number(value.$number);
  if ('$bigint' in value) return BigInt(value.$bigint);
  if ('$typed' in value) return new globalThis[value.$typed](value.values.map((v) => decode(v, api)));
  if ('$class' in value) return new api[value.$class](...decode(value.args, api));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v, api)]));
}

function encodeNumber(n) {
  return Number.isFinite(n) ? n : { $number: String(n) };
}

function encode(value) {
  if (value === undefined) return { $undefined: true };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (typeof value === 'number') return encodeNumber(value);
  if (ArrayBuffer.isView(value)) {
    const values = Array.from(value, (v) => (typeof v === 'bigint' ? v.toString() : encodeNumber(v)));
    return { $typed: value.constructor.name, values };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value instanceof Error) return describeError(value);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

let api;

function describeError(error) {
  const base = api && api[plan.errorBase];
  const own = api && error && api[error.name];
  return {
    $error: true,
    name: error?.name,
    code: error?.code,
    message: String(error?.message ?? error),
    details: error?.details === undefined ? undefined : encode(error.details),
    isBase: typeof base === 'function' && error instanceof base,
    isOwnClass: typeof own === 'function' && error instanceof own,
    isTrap: error instanceof WebAssembly.RuntimeError,
  };
}

// Loading: each target the way its users load it.
const loaders = {
  nodejs: async () => require(plan.packageName),
  bundler: async () => import(`${plan.packageName}/bundler`),
  web: async () => import(`${plan.packageName}/web`),
  'no-modules': async () => {
    const file = path.join(packageDir, 'no-modules.js');
    vm.runInThisContext(readFileSync(file, 'utf8'), { filename: file });
    return globalThis[plan.globalName];
  },
};
const needsInit = target === 'web' || target === 'no-modules';

function instance(testCase) {
  return new api[testCase.class](...decode(testCase.new, api));
}

// One runner per case kind; each returns the value to report (or throws).
const runners = {
  call: (c) => api[c.function](...decode(c.args, api)),
  async: (c) => api[c.function](...decode(c.args, api)),
  construct: (c) => {
    new api[c.class](...decode(c.args, api)).dispose();
    return undefined;
  },
  method: (c) => {
    const object = instance(c);
    try {
      return object[c.method](...decode(c.args, api));
    } finally {
      object.dispose();
    }
  },
  'method-async': async (c) => {
    const object = instance(c);
    try {
      return await object[c.method](...decode(c.args, api));
    } finally {
      object.dispose();
    }
  },
  stream: async (c) => {
    const object = instance(c);
    try {
      const steps = object[c.method](...decode(c.args, api));
      let count = 0;
      for (;;) {
        const { value, done } = await steps.next();
        if (done) return value;
        count += 1;
        if (count > 1_000_000) throw new Error('the stream does not end');
      }
    } finally {
      object.dispose();
    }
  },
  events: async (c) => {
    const object = instance(c);
    const seen = { progress: 0, complete: [], error: [] };
    object.addEventListener('progress', () => {
      seen.progress += 1;
    });
    object.addEventListener('complete', (event) => seen.complete.push(event.detail));
    object.addEventListener('error', (event) => seen.error.push(event.detail));
    try {
      const result = await object[c.method](...decode(c.args, api));
      if (seen.complete.length !== 1) throw new Error(`expected one complete event, saw ${seen.complete.length}`);
      return result;
    } catch (error) {
      if (seen.error.length !== 1 || seen.error[0] !== error) {
        throw new Error(`the failure was not dispatched as one error event: ${error}`);
      }
      throw error;
    } finally {
      object.dispose();
    }
  },
  batch: async (c) => {
    const object = c.class ? instance(c) : api;
    try {
      const items = c.items.map((item) => decode(item, api));
      const results = await object[c.method ?? c.function](items);
      return { $batch: results.map((r) => (r instanceof Error ? { threw: describeError(r) } : { returned: encode(r) })) };
    } finally {
      if (c.class) object.dispose();
    }
  },
  dispose: (c) => {
    const object = instance(c);
    object.dispose();
    object.dispose(); // a second dispose() is harmless
    return c.how === 'property' ? object[c.member] : object[c.member]();
  },
};

async function runCase(testCase) {
  try {
    const value = await runners[testCase.kind](testCase);
    if (value && value.$batch) return { id: testCase.id, batch: value.$batch };
    return { id: testCase.id, returned: encode(value) };
  } catch (error) {
    return { id: testCase.id, threw: describeError(error) };
  }
}

async function main() {
  const results = [];
  api = await loaders[target]();
  if (needsInit) {
    // Before init() every function must throw NotInitialized, not crash.
    const first = plan.cases.find((c) => c.kind === 'call' || c.kind === 'construct' || c.kind === 'method');
    if (first) results.push({ ...(await runCase(first)), id: 'init/before' });
    await (target === 'web' ? api.default : api.init)(wasmBytes());
  } else {
    await api.init();
  }
  results.push({ id: 'features', returned: encode(api.features()) });
  for (const testCase of plan.cases) results.push(await runCase(testCase));
  process.stdout.write(JSON.stringify({ target, results }));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ target, fatal: String(error?.stack ?? error) }));
  process.exitCode = 1;
});
