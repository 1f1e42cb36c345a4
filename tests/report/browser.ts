/**
 * Renders an HTML file in headless Chromium (Debian's package) with the network switched off,
 * and returns the DOM after load. `undefined` when no Chromium is installed: callers skip with a
 * warning locally, and fail when env CI is set (.ci/run installs chromium).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

export function dumpDom(file: string): string | undefined {
  if (!CHROMIUM) return undefined;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-chromium-'));
  try {
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
        `--user-data-dir=${profile}`,
        // any request leaving the machine fails: a report that needs the network renders broken
        '--host-resolver-rules=MAP * ~NOTFOUND',
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Skips (locally) or fails (CI) when Chromium is missing. */
export function requireChromium(ctx: Mocha.Context): void {
  if (CHROMIUM) return;
  if (process.env.CI) throw new Error('headless Chromium is required in CI (apt-get install chromium): /usr/bin/chromium not found');
  console.warn('    (skipped: no /usr/bin/chromium; install Debian\'s chromium to run the browser check)');
  ctx.skip();
}

/** Every URL a document could load from the network: src/href/url(...) to http(s) or protocol-relative. */
export function externalRefs(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href|xlink:href|action|poster)\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]+)/gi)) out.push(m[1]);
  for (const m of html.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^"')]+)/gi)) out.push(m[1]);
  for (const m of html.matchAll(/@import\s+["']?((?:https?:)?\/\/[^"';]+)/gi)) out.push(m[1]);
  if (/<script\b/i.test(html)) out.push('<script>');
  return out;
}
