// Chromium without a bundler: the `web` target as an ES module, and the
// `no-modules` target from a classic <script> tag.
import path from 'node:path';
import { serve } from '../server.mjs';
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

export default function browserCells(ctx) {
  return {
    'chromium-web-esm': async () => {
      write(path.join(ctx.workdir, 'pages', 'web.html'), template('web.html', { PKG: ctx.pkgName, CELL: 'chromium-web-esm' }));
      return judgePage(ctx, '/pages/web.html');
    },
    'chromium-no-modules': async () => {
      write(path.join(ctx.workdir, 'pages', 'no-modules.html'),
        template('no-modules.html', { PKG: ctx.pkgName, CELL: 'chromium-no-modules' }));
      return judgePage(ctx, '/pages/no-modules.html');
    },
  };
}
