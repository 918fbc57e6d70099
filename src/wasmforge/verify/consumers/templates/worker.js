// A Cloudflare Worker that imports the package by name and runs the verification plan
// inside its request handler (where workerd refuses to compile WebAssembly from bytes).
import * as api from '__PKG__';
import plan from './plan.mjs';
import { runPlan } from './cases.mjs';

export default {
  async fetch() {
    try {
      return Response.json({ ok: true, results: await runPlan(api, plan, { workers: false }) });
    } catch (error) {
      return Response.json({ ok: false, error: `${error.name}: ${error.message}\n${error.stack}` });
    }
  },
};
