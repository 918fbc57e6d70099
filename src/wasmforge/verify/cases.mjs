// wasmforge's case runner: runs the verification cases of a plan against a
// package's API object and returns the outcomes, JSON-encoded. It judges
// nothing (Python compares the outcomes with the spec) and uses no Node API,
// so the same file runs in Node (harness.mjs), in browsers and inside bundles
// (the consumer matrix).

let api;
let plan;

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


/**
 * Run every case of `thePlan` against `theApi` and return the outcomes.
 * `init`: how to instantiate the module (web, no-modules); with `checkBeforeInit`,
 * the first call is made before init() too, and must throw NotInitialized.
 */
export async function runPlan(theApi, thePlan, { init, checkBeforeInit = false } = {}) {
  api = theApi;
  plan = thePlan;
  const results = [];
  if (checkBeforeInit) {
    const first = plan.cases.find((c) => c.kind === 'call' || c.kind === 'construct' || c.kind === 'method');
    if (first) results.push({ ...(await runCase(first)), id: 'init/before' });
  }
  await (init ?? (() => api.init()))();
  results.push({ id: 'features', returned: encode(api.features()) });
  for (const testCase of plan.cases) results.push(await runCase(testCase));
  return results;
}
