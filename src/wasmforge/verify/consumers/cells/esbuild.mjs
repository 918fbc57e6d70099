// esbuild with its defaults: `--bundle --platform=node` (CommonJS output) run by
// Node, `--bundle --platform=browser` (IIFE output) and the same with
// `--format=esm`, each loaded in Chromium. No loaders, no plugins.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { clip, distSize, runNodeConsumer } from '../lib/util.mjs';
import { judgeBundle } from './browser.mjs';

const VARIANTS = [
  { cell: 'esbuild-node', platform: 'node', format: undefined, out: 'main.cjs' },
  { cell: 'esbuild-node-esm', platform: 'node', format: 'esm', out: 'main.mjs' },
  { cell: 'esbuild-browser', platform: 'browser', format: undefined, out: 'main.js' },
  { cell: 'esbuild-browser-esm', platform: 'browser', format: 'esm', out: 'main.js' },
];

/** esbuild with its defaults (`ctx.toolsDir`: the pinned tools); also bench/web_weight.mjs's. */
export async function bundle(ctx, dir, { platform, format, out }) {
  const esbuild = createRequire(path.join(ctx.toolsDir, 'package.json'))('esbuild');
  const outdir = path.join(dir, 'dist');
  fs.rmSync(outdir, { recursive: true, force: true });
  const options = {
    absWorkingDir: dir,
    entryPoints: ['./main.js'],
    bundle: true,
    platform,
    outfile: path.join(outdir, out),
    logLevel: 'silent',
    metafile: true,
    ...(format ? { format } : {}),
  };
  try {
    const result = await esbuild.build(options);
    const inputs = Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules'));
    return { ok: true, outdir, inputs, warnings: result.warnings };
  } catch (error) {
    const messages = error.errors ? await esbuild.formatMessages(error.errors, { kind: 'error', color: false }) : [String(error)];
    return { ok: false, detail: clip(`esbuild failed:\n${messages.join('\n')}`) };
  }
}

export default function esbuildCells(ctx) {
  const cells = {};
  for (const v of VARIANTS) {
    cells[v.cell] = async () => {
      const dir = ctx.cellDir(v.cell, 'main.js');
      const b = await bundle(ctx, dir, v);
      if (!b.ok) return b;
      const resolved = `resolved ${b.inputs.map((f) => f.replace(/^.*node_modules\//, '')).filter((f) => !/api\.c?js$/.test(f)).join(', ')}`;
      const verdict = v.platform === 'node'
        ? await runNodeConsumer(ctx, b.outdir, v.out)
        : await judgeBundle(ctx, b.outdir, `./${v.out}`, v.format === 'esm' ? 'type="module"' : '');
      return { ...verdict, detail: `${verdict.detail}\n(${resolved}; output ${distSize(b.outdir)})` };
    };
  }
  return cells;
}
