// Chromium without a bundler: the `web` target as an ES module, and the
// `no-modules` target from a classic <script> tag.
import path from 'node:path';
import { serve, ISOLATION_HEADERS } from '../server.mjs';
import { template, write } from '../lib/context.mjs';
import { judge, clip } from '../lib/util.mjs';

/** Open a page of the work directory in Chromium and judge what it reported. */
export async function judgePage(ctx, urlPath, baseUrl = ctx.serverUrl) {
  const browser = await ctx.browser();
  const { result, log } = await browser.open(`${baseUrl}${urlPath}`);
  const verdict = judge(result);
  const noise = log.filter((l) => !l.includes('favicon'));
  if (!verdict.ok && noise.length) verdict.detail = clip(`${verdict.detail}\n-- browser log --\n${noise.join('\n')}`);
  return verdict;
}

/** Serve `dir` at the site root (an app built with the default base '/') and judge its index.html. */
export async function judgeSite(ctx, dir) {
  const server = await serve(dir);
  try {
    return await judgePage(ctx, '/', server.url);
  } finally {
    await server.close();
  }
}

/** A bundle in `outdir` behind a page loading `src`, judged in Chromium. */
export function judgeBundle(ctx, outdir, src, scriptAttrs = '') {
  write(path.join(outdir, 'index.html'), template('bundle.html', { SRC: src, SCRIPT_ATTRS: scriptAttrs }));
  return judgePage(ctx, `/${path.relative(ctx.workdir, outdir)}/index.html`);
}

const PAGES = { 'chromium-web-esm': 'web.html', 'chromium-no-modules': 'no-modules.html' };

export default function browserCells(ctx) {
  const cells = Object.fromEntries(Object.entries(PAGES).map(([cell, page]) => [cell, async () => {
    // Not cross-origin isolated: thread twins must fall back to the single-threaded module.
    write(path.join(ctx.workdir, 'pages', page), template(page, { PKG: ctx.pkgName, CELL: cell, THREADS: 'false' }));
    return judgePage(ctx, `/pages/${page}`);
  }]));
  if (ctx.threads) cells['chromium-web-esm-isolated'] = () => isolatedWebPage(ctx);
  return cells;
}

/** The web target on a site served with COOP and COEP: its workers run the threaded module. */
async function isolatedWebPage(ctx) {
  const page = 'web-isolated.html';
  write(path.join(ctx.workdir, 'pages', page),
    template('web.html', { PKG: ctx.pkgName, CELL: 'chromium-web-esm-isolated', THREADS: 'true' }));
  const server = await serve(ctx.workdir, { headers: ISOLATION_HEADERS });
  try {
    return await judgePage(ctx, `/pages/${page}`, server.url);
  } finally {
    await server.close();
  }
}
