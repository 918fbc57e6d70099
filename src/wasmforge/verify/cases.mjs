// wasmforge's case runner: runs the verification cases of a plan against a
// package's API object and returns the outcomes, JSON-encoded. It judges
// nothing (Python compares the outcomes with the spec) and uses no Node API,
// so the same file runs in Node (harness.mjs), in browsers and inside bundles
// (the consumer matrix).

let api;
let plan;

// Resident arrays made for the running case (freed after it), by id, and
// whether the case wants the memory grown once its arguments exist.
let created = [];
let named = {};
let growAfterDecoding = false;

const RESIDENT_TYPES = {
  Float64Array: 'f64', Float32Array: 'f32', Int32Array: 'i32', Uint32Array: 'u32', Uint8Array: 'u8',
};

// Allocating more than the whole memory forces memory.grow, which detaches
// every view of the old buffer.
function growMemory() {
  const filler = api.alloc('u8', api.memoryUsage().capacity);
  filler.free();
}

function decodeResident(value) {
  const values = decode(value.$resident, api);
  const resident = api.alloc(RESIDENT_TYPES[value.$resident.$typed], values.length);
  resident.set(values);
  created.push(resident);
  if (value.id) named[value.id] = resident;
  if (value.freed) {
    resident.free();
    return resident;
  }
  if (value.as === 'view') return resident.array;
  // Bytes 16.. hold the module's static data: inside no resident array.
  if (value.as === 'outside') return new values.constructor(resident.array.buffer, 16, values.length);
  if (value.as === 'detached') {
    const view = resident.array;
    growMemory();
    return view;
  }
  if (value.grow) {
    resident.array; // eslint-disable-line no-unused-expressions -- caches the view that growth detaches
    growAfterDecoding = true;
  }
  return resident;
}

function decode(value, api) {
  if (Array.isArray(value)) return value.map((v) => decode(v, api));
  if (value === null || typeof value !== 'object') return value;
  if (value.$undefined) return undefined;
  if ('$resident' in value) return decodeResident(value);
  if ('$residentRef' in value) return named[value.$residentRef];
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

// A case's arguments, decoded; with resident arrays to grow around, the memory
// grows now, after they exist and before the call.
function argsOf(testCase) {
  const args = decode(testCase.args, api);
  if (growAfterDecoding) {
    growAfterDecoding = false;
    growMemory();
    const stale = created.find((resident) => !resident.freed && resident.length > 0 && resident.array.length === 0);
    if (stale) throw new Error('a resident array gave a detached view after memory growth');
  }
  return args;
}

function releaseResidents() {
  for (const resident of created) resident.free();
  created = [];
  named = {};
  growAfterDecoding = false;
}

// One runner per case kind; each returns the value to report (or throws).
const runners = {
  call: (c) => api[c.function](...argsOf(c)),
  async: (c) => api[c.function](...argsOf(c)),
  construct: (c) => {
    new api[c.class](...decode(c.args, api)).dispose();
    return undefined;
  },
  method: (c) => {
    const object = instance(c);
    try {
      return object[c.method](...argsOf(c));
    } finally {
      object.dispose();
    }
  },
  'method-async': async (c) => {
    const object = instance(c);
    try {
      return await object[c.method](...argsOf(c));
    } finally {
      object.dispose();
    }
  },
  stream: async (c) => {
    const object = instance(c);
    try {
      const steps = object[c.method](...argsOf(c));
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
      const result = await object[c.method](...argsOf(c));
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
  // Memory stays flat over many calls with resident arguments.
  flat: (c) => {
    const object = c.class ? instance(c) : api;
    const member = c.method ?? c.function;
    const args = argsOf(c);
    try {
      for (let i = 0; i < 100; i++) object[member](...args); // the allocator and the scratch settle
      const before = api.memoryUsage();
      for (let i = 0; i < c.calls; i++) object[member](...args);
      const after = api.memoryUsage();
      return { before, after };
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

// The worker pool the running cases want (`workers` on a case: its twin in a worker;
// `threads`: its twin in a worker running the threaded module).
let workers = 0;
let threads = 0;
// Where there are no workers (workerd), init({ workers }) must refuse with InvalidArgument,
// and the twins run on the calling thread.
let workersAvailable = true;
// Whether threads must run here (true), must fall back to the single-threaded module (false),
// or may do either (undefined): what features().threads must say for the thread twins.
let threadsExpected;

async function useWorkers(count, wanted = 0) {
  if (count === workers && wanted === threads) return;
  const options = { workers: count, ...(wanted > 0 || threads > 0 ? { threads: wanted } : {}) };
  if (!workersAvailable && count > 0) {
    try {
      await api.init(options);
    } catch (error) {
      if (error.name === 'InvalidArgument') return;
      throw error;
    }
    throw new Error(`init({ workers: ${count} }) did not refuse where there are no workers`);
  }
  await api.init(options);
  workers = count;
  threads = wanted;
  const running = api.features();
  if (running.workers !== count) throw new Error(`init({ workers: ${count} }) left features().workers at ${running.workers}`);
  if (wanted > 0 && threadsExpected !== undefined && running.threads !== (threadsExpected ? wanted : 0)) {
    const expected = threadsExpected ? `${wanted} (threads run here)` : '0 (no threads here)';
    throw new Error(`init({ threads: ${wanted} }) left features().threads at ${running.threads}, expected ${expected}`);
  }
}

async function runCase(testCase) {
  try {
    await useWorkers(testCase.workers ?? 0, testCase.threads ?? 0);
    const value = await runners[testCase.kind](testCase);
    if (value && value.$batch) return { id: testCase.id, batch: value.$batch };
    return { id: testCase.id, returned: encode(value) };
  } catch (error) {
    return { id: testCase.id, threw: describeError(error) };
  } finally {
    releaseResidents();
  }
}


/**
 * Run every case of `thePlan` against `theApi` and return the outcomes.
 * `init`: how to instantiate the module (web, no-modules); with `checkBeforeInit`,
 * the first call is made before init() too, and must throw NotInitialized; `workers: false`:
 * the environment has none (the twins of `npm.workers` check that init() refuses them);
 * `threads`: whether the thread twins must run threaded (true) or fall back (false).
 */
export async function runPlan(theApi, thePlan, { init, checkBeforeInit = false, workers: canStart = true, threads: expectThreads } = {}) {
  api = theApi;
  plan = thePlan;
  workersAvailable = canStart;
  threadsExpected = expectThreads;
  const results = [];
  if (checkBeforeInit) {
    const first = plan.cases.find((c) => c.kind === 'call' || c.kind === 'construct' || c.kind === 'method');
    if (first) results.push({ ...(await runCase(first)), id: 'init/before' });
  }
  await (init ?? (() => api.init()))();
  results.push({ id: 'features', returned: encode(api.features()) });
  for (const testCase of plan.cases) results.push(await runCase(testCase));
  await useWorkers(0); // the pool stopped: nothing left running
  return results;
}
