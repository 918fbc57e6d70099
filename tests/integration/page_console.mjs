// Open <dir>/index.html in headless Chromium (the consumer matrix's launcher and static
// server) and print what the page reports as `window.__result`, with the browser's log:
//   node page_console.mjs <dir> <npm tools dir>
// The page sets `window.__result` itself (tests/integration/test_attention.py's demo page
// collects console.log lines until the demo's last one).
import { serve } from '../../src/wasmforge/verify/consumers/server.mjs';
import { launch } from '../../src/wasmforge/verify/consumers/browser.mjs';

const [dir, toolsDir] = process.argv.slice(2);
const server = await serve(dir);
const browser = await launch({ toolsDir });
try {
  const { result, log } = await browser.open(`${server.url}/index.html`);
  console.log(JSON.stringify({ result, log }));
} finally {
  await browser.close();
  await server.close();
}
