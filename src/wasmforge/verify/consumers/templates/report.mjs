// Runs the verification plan against the package's API object and reports the
// outcomes: `window.__result` in a browser, a marker line on stdout in Node.
// The outcomes are judged in Python, against the spec, like the Node harness's.
import { runPlan } from './cases.mjs';

export async function report(cell, api, plan, options = {}) {
  let out;
  try {
    if (!api) throw new Error('the package API object is missing');
    out = { ok: true, results: await runPlan(api, plan, options) };
  } catch (error) {
    out = { ok: false, error: error && error.stack ? `${error.name}: ${error.message}\n${error.stack}` : String(error) };
  }
  if (typeof window !== 'undefined') window.__result = out;
  else console.log('@@WASMFORGE_RESULT@@' + JSON.stringify(out));
  return out;
}
