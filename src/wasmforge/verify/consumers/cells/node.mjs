// Node.js: the package required (CommonJS) and imported (ESM) by name.
import { runNodeConsumer } from '../lib/util.mjs';

const CONSUMERS = { 'node-cjs': 'main.cjs', 'node-esm': 'main.js' };

export default function nodeCells(ctx) {
  return Object.fromEntries(Object.entries(CONSUMERS).map(([cell, file]) =>
    [cell, async () => runNodeConsumer(ctx, ctx.cellDir(cell, file), file)]));
}
