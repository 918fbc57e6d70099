// publint and @arethetypeswrong/cli on the packed tarball itself.
//
// attw is run on the entrypoints it can judge:
//  - non-code subpaths (.wasm files, package.json) and classic-script subpaths
//    (`./no-modules`, a <script> file, nothing to import) are left out;
//  - subpaths that declare themselves ESM-only (Node's `require` resolution of
//    them fails) are checked with `--profile esm-only`, everything else with
//    the default strict profile (node10, node16 CJS and ESM, bundler).
import { run, clip, plain } from '../lib/util.mjs';

// Classic-script subpaths: nothing to import, so nothing for attw to judge.
const SCRIPT_ENTRYPOINTS = ['./no-modules'];

/** Node's exports-target resolution for a set of conditions ("default" always matches). */
export function resolveTarget(value, conditions) {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const r = resolveTarget(v, conditions);
      if (r) return r;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'default' || conditions.includes(key)) {
        const r = resolveTarget(v, conditions);
        if (r !== undefined) return r;
      }
    }
  }
  return undefined;
}

export function classifyEntrypoints(manifest) {
  const entries = Object.entries(manifest.exports ?? {}).filter(([k]) => k === '.' || k.startsWith('./'));
  const groups = { strict: [], esmOnly: [], skipped: [] };
  for (const [key, value] of entries) {
    const esmTarget = resolveTarget(value, ['node', 'import']) ?? resolveTarget(value, ['import']);
    if (key === './package.json' || SCRIPT_ENTRYPOINTS.includes(key) || !/\.(c|m)?js$/.test(esmTarget ?? '')) groups.skipped.push(key);
    else if (!resolveTarget(value, ['node', 'require'])) groups.esmOnly.push(key);
    else groups.strict.push(key);
  }
  return groups;
}

// What each attw profile leaves out (attw's JSON lists every problem; the profile only sets the exit code).
const IGNORED = { strict: [], node16: ['node10'], 'esm-only': ['node10', 'node16-cjs'] };

async function attw(ctx, entrypoints, profile) {
  const res = await run(ctx.nodeBin, [ctx.toolBin('@arethetypeswrong/cli', 'attw'), ctx.tarball, '--format', 'json',
    '--no-definitely-typed', '--profile', profile, '--entrypoints', ...entrypoints], { cwd: ctx.workdir });
  try {
    const json = JSON.parse(res.stdout);
    const problems = (json.analysis?.problems ?? []).filter((p) => !IGNORED[profile].includes(p.resolutionKind));
    return { code: res.code, problems };
  } catch {
    return { code: res.code, error: `attw printed no JSON (exit ${res.code}):\n${res.stderr}${res.stdout}` };
  }
}

export default function lintCells(ctx) {
  return {
    publint: async () => {
      const res = await run(ctx.nodeBin, [ctx.toolBin('publint', 'publint'), 'run', ctx.tarball, '--level', 'suggestion'], { cwd: ctx.workdir });
      const text = plain(`${res.stdout}${res.stderr}`).replace(/^(Running publint|Unpacking tarball|Linting).*\n/gm, '').trim();
      const errors = /^Errors:/m.test(text);
      return { ok: res.code === 0 && !errors, detail: clip(text || 'no findings') };
    },
    attw: async () => {
      const groups = classifyEntrypoints(ctx.manifest);
      const runs = await Promise.all([
        groups.strict.length ? attw(ctx, groups.strict, 'strict') : null,
        groups.esmOnly.length ? attw(ctx, groups.esmOnly, 'esm-only') : null,
      ]);
      const errors = runs.filter((r) => r?.error).map((r) => r.error);
      if (errors.length) return { ok: false, detail: clip(errors.join('\n')) };
      const list = runs.filter(Boolean).flatMap((r) => r.problems)
        .map((p) => `${p.kind} ${p.entrypoint ?? ''} (${p.resolutionKind ?? ''})`);
      const scope = `strict: ${groups.strict.join(' ') || '-'}; esm-only: ${groups.esmOnly.join(' ') || '-'}; not checked: ${groups.skipped.join(' ') || '-'}`;
      const ok = list.length === 0 && runs.every((r) => !r || r.code === 0);
      return { ok, detail: clip(list.length ? `${list.length} problems (${scope}):\n${list.join('\n')}` : `no problems (${scope})`) };
    },
  };
}
