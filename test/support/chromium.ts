// Debian's Chromium, headless, for tests of pages: the DOM a page has once its scripts have run.
// Each call gets its own profile folder, removed after; the browser is killed at the deadline.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.PITCHEY_CHROMIUM ?? '/usr/bin/chromium';

/** The page's DOM after `budgetMs` of virtual time (scripts, fetches and timers run; no real wait). */
export async function renderedDom(url: string, budgetMs = 10_000): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'pitchey-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', `--user-data-dir=${profile}`, `--virtual-time-budget=${budgetMs}`, '--dump-dom', url];
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(CHROMIUM, args, { timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024 }, (err, stdout) =>
        err === null ? resolve(stdout) : reject(new Error(`chromium: ${err.message}`, { cause: err })),
      );
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
