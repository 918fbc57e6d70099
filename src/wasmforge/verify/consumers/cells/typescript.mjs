// tsc --strict on a consumer under moduleResolution node16, nodenext and
// bundler, with TypeScript 5 (`typescript`) and 7 (`typescript-7`, the native
// compiler). Under node16/nodenext the consumer is compiled both as ESM (.mts)
// and as CommonJS (.cts), so both the .d.ts and the .d.cts are checked
// (skipLibCheck is off). A second file with deliberate type errors must fail
// with exactly those errors on exactly those lines (`// @expect-error TSnnnn`
// before each): proof that the types are not `any` and that they resolve.
import path from 'node:path';
import { template, write } from '../lib/context.mjs';
import { run, clip } from '../lib/util.mjs';

const MODES = {
  node16: { module: 'node16', moduleResolution: 'node16', lib: ['es2022'] },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022'] },
  bundler: { module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'] },
};
const COMPILERS = { ts5: 'typescript', ts7: 'typescript-7' };
const LINE = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;

/** `// @expect-error TSnnnn` comments: the error each next line must produce. */
function expectations(text) {
  return text.split('\n').flatMap((line, index) => {
    const match = line.match(/@expect-error\s+(TS\d+)/);
    return match ? [{ line: index + 2, code: match[1] }] : [];
  });
}

export default function typescriptCells(ctx) {
  const cells = {};
  const good = ctx.tsGood;
  const bad = ctx.tsBad;
  const expected = expectations(bad);
  const hasWeb = Boolean(ctx.manifest.exports?.['./web']);
  for (const [ver, pkg] of Object.entries(COMPILERS)) {
    for (const [mode, opts] of Object.entries(MODES)) {
      cells[`${ver}-${mode}`] = async () => {
        const dir = path.join(ctx.appDir, `${ver}-${mode}`);
        const files = mode === 'bundler'
          ? { 'good.ts': good, ...(hasWeb ? { 'good-web.ts': template('ts-good-web.ts', { PKG: ctx.pkgName }) } : {}), 'bad.ts': bad }
          : { 'good.mts': good, 'good.cts': good, 'bad.mts': bad };
        for (const [name, text] of Object.entries(files)) write(path.join(dir, name), text);
        write(path.join(dir, 'tsconfig.json'), JSON.stringify({
          compilerOptions: { ...opts, strict: true, noEmit: true, target: 'es2022', types: [], skipLibCheck: false },
          files: Object.keys(files),
        }, null, 2));
        const tsc = ctx.toolBin(pkg, 'tsc');
        const res = await run(ctx.nodeBin, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir });
        const errors = res.stdout.split('\n').map((l) => l.match(LINE)).filter(Boolean)
          .map(([, file, line, , code, msg]) => ({ file: path.relative(dir, path.resolve(dir, file)), line: +line, code, msg }));
        const other = res.stdout.split('\n').filter((l) => l.trim() && !LINE.test(l) && !/^\s/.test(l));
        const inBad = errors.filter((e) => e.file.startsWith('bad.'));
        const elsewhere = errors.filter((e) => !e.file.startsWith('bad.'));
        const fmt = (list) => list.map((e) => `${e.file}:${e.line} ${e.code} ${e.msg}`).join('\n');
        const problems = [];
        if (elsewhere.length) problems.push(`errors in the correct consumer:\n${fmt(elsewhere)}`);
        for (const want of expected) {
          if (!inBad.some((e) => e.line === want.line && e.code === want.code)) {
            problems.push(`line ${want.line} of the deliberately wrong file did not fail with ${want.code}`
              + ' (the types are too loose)');
          }
        }
        const unexpected = inBad.filter((e) => !expected.some((w) => w.line === e.line && w.code === e.code));
        if (unexpected.length) problems.push(`unexpected errors in the deliberately wrong file:\n${fmt(unexpected)}`);
        if (res.code !== 0 && errors.length === 0) problems.push(`tsc exited ${res.code}: ${res.stderr}${other.join('\n')}`);
        if (problems.length) return { ok: false, detail: clip(`${problems.join('\n')}\n${fmt(inBad)}`) };
        const compiled = Object.keys(files).filter((f) => !f.startsWith('bad.')).join(', ');
        return { ok: true, detail: `${compiled}: no errors; the wrong file fails as it must (${expected.map((e) => e.code).join(', ')})` };
      };
    }
  }
  return cells;
}
