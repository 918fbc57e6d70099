// Drives Debian's Chromium through playwright-core (no browser download):
// open a page, wait for `window.__result` (set by templates/report.mjs or the
// page's error hooks), and return it with what the page logged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox', // root has no user namespace sandbox; also the setuid sandbox is not installed
  '--disable-gpu',
  '--disable-dev-shm-usage', // containers often have a 64 MB /dev/shm
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-crash-reporter',
  '--disable-breakpad',
  '--metrics-recording-only',
  '--password-store=basic',
  '--use-mock-keychain',
];

export function executablePath() {
  return process.env.WASMFORGE_CHROMIUM ?? '/usr/bin/chromium';
}

/** Launch Chromium once; `open()` runs one page in a fresh context. */
export async function launch({ toolsDir, timeoutMs = 30_000 } = {}) {
  const require = createRequire(path.join(toolsDir, 'package.json'));
  const { chromium } = require('playwright-core');
  // A fresh profile per run; playwright's persistent context takes the
  // user-data-dir as an argument (it refuses --user-data-dir in args).
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmforge-chromium-'));
  const context0 = await chromium.launchPersistentContext(userDataDir, {
    executablePath: executablePath(),
    headless: true,
    args: CHROMIUM_ARGS,
    chromiumSandbox: false,
    timeout: timeoutMs,
    env: { ...process.env, HOME: userDataDir, XDG_CONFIG_HOME: userDataDir, XDG_CACHE_HOME: userDataDir },
  });
  return {
    async open(url, { waitMs = 20_000 } = {}) {
      const page = await context0.newPage();
      const log = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
      page.on('response', (r) => {
        if (r.status() >= 400) log.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      try {
        await page.goto(url, { waitUntil: 'load', timeout: waitMs });
        const handle = await page.waitForFunction(() => window.__result, null, { timeout: waitMs, polling: 50 });
        const result = await handle.jsonValue();
        return { result, log };
      } catch (error) {
        return { result: { ok: false, error: `${error.message.split('\n')[0]}` }, log };
      } finally {
        await page.close().catch(() => {});
      }
    },
    async close() {
      await context0.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
