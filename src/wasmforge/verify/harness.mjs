// wasmforge verification harness: loads an installed package the way one
// target is loaded, runs the cases it is given and prints the outcomes as JSON.
// It judges nothing; Python compares the outcomes with the spec.
//
//   node harness.mjs <target> <plan.json>
//
// It is copied into the temporary project where the packed tarball was
// installed, so bare specifiers resolve to that installed copy.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const [target, planFile] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve(`${plan.packageName}/package.json`));
const wasmBytes = () => readFileSync(path.join(packageDir, plan.wasmFile));

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  if (value.$undefined) return undefined;
  if ('$number' in value) return Number(value.$number);
  if ('$bigint' in value) return BigInt(value.$bigint);
  if ('$typed' in value) return new globalThis[value.$typed](value.values.map(decode));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
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
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

function describeError(error, api, expected) {
  const base = api[plan.errorBase];
  return {
    name: error?.name,
    code: error?.code,
    message: String(error?.message ?? error),
    details: encode(error?.details),
    isBase: typeof base === 'function' && error instanceof base,
    isExpectedClass: Boolean(expected && typeof api[expected] === 'function' && error instanceof api[expected]),
    isTrap: error instanceof WebAssembly.RuntimeError,
  };
}

// Loading: each target the way its users load it.
const loaders = {
  nodejs: async () => require(plan.packageName),
  bundler: async () => import(`${plan.packageName}/bundler`),
  web: async () => import(`${plan.packageName}/web`),
  'no-modules': async () => {
    const code = readFileSync(path.join(packageDir, 'no-modules.js'), 'utf8');
    vm.runInThisContext(code, { filename: path.join(packageDir, 'no-modules.js') });
    return globalThis[plan.globalName];
  },
};
const needsInit = target === 'web' || target === 'no-modules';

function runCase(api, testCase) {
  try {
    const value = api[testCase.function](...decode(testCase.args));
    return { id: testCase.id, returned: encode(value) };
  } catch (error) {
    return { id: testCase.id, threw: describeError(error, api, testCase.expectError) };
  }
}

async function main() {
  const results = [];
  const api = await loaders[target]();
  if (needsInit) {
    // Before init() every function must throw NotInitialized, not crash.
    const first = plan.cases[0];
    if (first) {
      results.push({ ...runCase(api, { ...first, expectError: 'NotInitialized' }), id: 'init/before' });
    }
    const init = target === 'web' ? api.default : api.init;
    await init(wasmBytes());
  }
  for (const testCase of plan.cases) results.push(runCase(api, testCase));
  process.stdout.write(JSON.stringify({ target, results }));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ target, fatal: String(error?.stack ?? error) }));
  process.exitCode = 1;
});
