// Debian's Chromium, headless, for tests of pages: the DOM a page has once its scripts have run, or
// a page driven over the DevTools protocol. Each browser gets its own profile folder, removed after,
// and is killed (its whole process group) when done.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';

export const CHROMIUM = process.env.PITCHEY_CHROMIUM ?? '/usr/bin/chromium';
/** Root in CI needs --no-sandbox; no crash reporter, whose handler would outlive a killed browser. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-crash-reporter', '--disable-breakpad'];

/** The page's DOM after `budgetMs` of virtual time (scripts, fetches and timers run; no real wait). */
export async function renderedDom(url: string, budgetMs = 10_000): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'pitchey-chromium-'));
  const args = [...FLAGS, `--user-data-dir=${profile}`, `--virtual-time-budget=${budgetMs}`, '--dump-dom', url];
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

export interface Page {
  /** Evaluates an expression in the page; its value (JSON-serialisable) comes back. */
  evaluate<T>(expression: string): Promise<T>;
  /** Waits until an expression is truthy in the page (polled), and returns its value. */
  waitFor<T>(expression: string, timeoutMs?: number): Promise<T>;
  /** Gives a file input (the first element `selector` matches) these files, as a person choosing them would. */
  setFiles(selector: string, paths: string[]): Promise<void>;
  /** Saves the page as a PNG, full width at 1280 CSS pixels and as tall as `height` (default 800). */
  screenshot(path: string, height?: number): Promise<void>;
  close(): Promise<void>;
}

/** A headless Chromium on a page at `url`, driven over the DevTools protocol (no puppeteer needed). */
export async function openPage(url: string): Promise<Page> {
  const profile = mkdtempSync(join(tmpdir(), 'pitchey-chromium-'));
  const browser = spawn(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  // A test that times out never reaches its `finally`: the browser still dies with the test process.
  const killGroup = (): void => {
    if (browser.pid !== undefined && browser.exitCode === null && browser.signalCode === null) process.kill(-browser.pid, 'SIGKILL');
  };
  process.once('exit', killGroup);
  const stop = async (): Promise<void> => {
    process.off('exit', killGroup);
    if (browser.exitCode === null && browser.signalCode === null) {
      const exited = new Promise((r) => browser.once('exit', r));
      killGroup();
      await exited;
    }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      browser.stderr?.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /DevTools listening on (ws:\/\/[^\s]+)/.exec(err);
        if (m) resolve(m[1] as string);
      });
      browser.once('exit', () => reject(new Error(`chromium exited: ${err}`)));
    });
    const targets = (await (await fetch(`http://${new URL(endpoint).host}/json/list`)).json()) as Array<{ type: string; webSocketDebuggerUrl: string }>;
    const target = targets.find((t) => t.type === 'page');
    if (target === undefined) throw new Error('chromium has no page');
    const session = await connect(target.webSocketDebuggerUrl);
    await session.send('Page.enable');
    await session.send('Page.navigate', { url });
    const evaluate = async <T>(expression: string): Promise<T> => {
      const r = (await session.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
        result: { value?: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      };
      if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value as T;
    };
    return {
      evaluate,
      async waitFor<T>(expression: string, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          // An element cannot come back by value: it counts as found.
          const v = await evaluate<T>(`((v) => (v instanceof Node ? true : v))(${expression})`);
          if (v) return v;
          if (Date.now() > deadline) throw new Error(`timed out waiting in the page for ${expression}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async setFiles(selector, paths) {
        const found = (await session.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(selector)})` })) as { result: { objectId?: string } };
        if (found.result.objectId === undefined) throw new Error(`no element ${selector}`);
        await session.send('DOM.setFileInputFiles', { files: paths, objectId: found.result.objectId });
      },
      async screenshot(path, height = 800) {
        await session.send('Emulation.setDeviceMetricsOverride', { width: 1280, height, deviceScaleFactor: 1, mobile: false });
        const shot = (await session.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
        writeFileSync(path, Buffer.from(shot.data, 'base64'));
      },
      async close() {
        session.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One DevTools protocol session: numbered commands, each answered once. */
async function connect(url: string): Promise<{ send: (method: string, params?: object) => Promise<unknown>; close: () => void }> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`cannot reach ${url}`)), { once: true });
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (p === undefined || msg.id === undefined) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}
