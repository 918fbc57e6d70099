// Node.js: the package required (CommonJS) and imported (ESM) by name.
import path from 'node:path';
import { run, parseNodeResult } from '../lib/util.mjs';

export default function nodeCells(ctx) {
  return {
    'node-cjs': async () => {
      const dir = ctx.cellDir('node-cjs', 'main.cjs');
      return parseNodeResult(await run(ctx.nodeBin, [path.join(dir, 'main.cjs')], { cwd: dir }));
    },
    'node-esm': async () => {
      const dir = ctx.cellDir('node-esm', 'main.js');
      return parseNodeResult(await run(ctx.nodeBin, [path.join(dir, 'main.js')], { cwd: dir }));
    },
  };
}
