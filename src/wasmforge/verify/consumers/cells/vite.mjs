// Vite 7 with no config file and no plugins: `vite build` loaded in Chromium,
// and the dev server (`vite`, which pre-bundles dependencies with esbuild)
// loaded in Chromium.
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { template, write } from '../lib/context.mjs';
import { clip, deadline, judge, distSize } from '../lib/util.mjs';
import { judgeSite } from './browser.mjs';

async function loadVite(ctx) {
  const entry = createRequire(path.join(ctx.toolsDir, 'package.json')).resolve('vite');
  return import(pathToFileURL(entry).href);
}

function collectingLogger(vite) {
  const logger = vite.createLogger('warn', { allowClearScreen: false });
  const lines = [];
  logger.warn = logger.warnOnce = (msg) => lines.push(`warning: ${msg}`);
  logger.error = (msg) => lines.push(`error: ${msg}`);
  logger.info = () => {};
  return { logger, lines };
}

/** The cell's app, and what both cells pass Vite: no config file, our logger, a cache of its own. */
async function prepare(ctx, cell) {
  const vite = await loadVite(ctx);
  const dir = ctx.cellDir(cell, 'main.js');
  write(path.join(dir, 'index.html'), template('vite-index.html', {}));
  const { logger, lines } = collectingLogger(vite);
  const base = { root: dir, configFile: false, customLogger: logger, logLevel: 'warn', cacheDir: path.join(dir, '.vite') };
  return { vite, dir, lines, base };
}

export default function viteCells(ctx) {
  return {
    'vite-build': async () => {
      const { vite, dir, lines, base } = await prepare(ctx, 'vite-build');
      const outdir = path.join(dir, 'dist');
      let output;
      try {
        output = await vite.build({ ...base, build: { outDir: outdir, emptyOutDir: true } });
      } catch (error) {
        return { ok: false, detail: clip(`vite build failed: ${error.message}\n${lines.join('\n')}`) };
      }
      const files = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output ?? []).map((o) => o.fileName);
      const verdict = await judgeSite(ctx, outdir);
      const warn = lines.length ? `\n${clip(lines.join('\n'), 1500)}` : '';
      return { ...verdict, detail: `${verdict.detail}\n(output ${distSize(outdir)}: ${files.join(', ')})${warn}` };
    },
    'vite-dev': async () => {
      const { vite, lines, base } = await prepare(ctx, 'vite-dev');
      let server;
      try {
        server = await vite.createServer({
          ...base, server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
        });
        await server.listen();
        const url = server.resolvedUrls.local[0];
        const browser = await ctx.browser();
        const { result, log } = await browser.open(url, { waitMs: 20_000 });
        const verdict = judge(result);
        if (!verdict.ok) verdict.detail = clip(`${verdict.detail}\n-- browser log --\n${log.join('\n')}\n${lines.join('\n')}`);
        return verdict;
      } catch (error) {
        return { ok: false, detail: clip(`vite dev failed: ${error.message}\n${lines.join('\n')}`) };
      } finally {
        // A server whose optimiser failed may hold requests open: do not wait on it forever.
        await deadline(server?.close() ?? Promise.resolve(), 5_000, 'vite dev server did not close').catch(() => {});
      }
    },
  };
}
