// webpack 5 with its defaults (mode production, no experiments, no loaders):
// target `node` run by Node, target `web` loaded in Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { clip, distSize, runNodeConsumer } from '../lib/util.mjs';
import { judgeBundle } from './browser.mjs';

/** webpack 5 with its defaults for one target: what the cells and bench/web_weight.mjs build. */
export function defaultsConfig(dir, outdir, target) {
  const ext = target === 'node' ? 'cjs' : 'js';
  return {
    mode: 'production',
    context: dir,
    entry: './main.js',
    target,
    devtool: false,
    output: { path: outdir, filename: `main.${ext}`, chunkFilename: `[id].${ext}` },
    infrastructureLogging: { level: 'error' },
    performance: { hints: false },
  };
}

export function compile(webpack, config) {
  return new Promise((resolve) => {
    webpack(config, (err, stats) => {
      if (err) return resolve({ ok: false, detail: clip(`webpack failed: ${err.stack || err}`) });
      const json = stats.toJson({ all: false, errors: true, warnings: true, assets: true, modules: true, nestedModules: true });
      if (stats.hasErrors()) {
        return resolve({ ok: false, detail: clip(`webpack failed:\n${stats.toString({ all: false, errors: true, colors: false })}`) });
      }
      const modules = [];
      const walk = (list) => list?.forEach((m) => { if (m.name) modules.push(m.name); walk(m.modules); });
      walk(json.modules);
      resolve({ ok: true, assets: json.assets.map((a) => a.name), modules, warnings: json.warnings.map((w) => w.message) });
    });
  });
}

export default function webpackCells(ctx) {
  const cells = {};
  for (const target of ['node', 'web']) {
    const cell = `webpack-${target}`;
    cells[cell] = async () => {
      const webpack = createRequire(path.join(ctx.toolsDir, 'package.json'))('webpack');
      const dir = ctx.cellDir(cell, 'main.js');
      const outdir = path.join(dir, 'dist');
      fs.rmSync(outdir, { recursive: true, force: true });
      const ext = target === 'node' ? 'cjs' : 'js';
      const b = await compile(webpack, defaultsConfig(dir, outdir, target));
      if (!b.ok) return b;
      const pkgModules = b.modules.filter((m) => m.includes('node_modules')).map((m) => m.replace(/^.*node_modules\//, ''));
      const info = `(output ${distSize(outdir)}: ${b.assets.join(', ')}; package modules: ${[...new Set(pkgModules)].join(', ')})`;
      const verdict = target === 'node'
        ? await runNodeConsumer(ctx, outdir, `main.${ext}`)
        : await judgeBundle(ctx, outdir, './main.js');
      const warn = b.warnings.length ? `\nwebpack warnings: ${clip(b.warnings.join('\n'), 1500)}` : '';
      return { ...verdict, detail: `${verdict.detail}\n${info}${warn}` };
    };
  }
  return cells;
}
