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

import { runPlan } from './cases.mjs';

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

async function main() {
  const api = await loaders[target]();
  const init = needsInit ? () => (target === 'web' ? api.default : api.init)(wasmBytes()) : undefined;
  // Threads run from node.cjs and web.js (worker.js); the inlined workers of index.js and the
  // no-modules script run the single-threaded module.
  const threads = target === 'nodejs' || target === 'web';
  const results = await runPlan(api, plan, { init, checkBeforeInit: needsInit, threads });
  process.stdout.write(JSON.stringify({ target, results }));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ target, fatal: String(error?.stack ?? error) }));
  process.exitCode = 1;
});
