// Shared bench helpers: start a pitchey role as a child process on a free port and wait for it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
export const KEY = 'bench-key-0123456789abcdef0123456789';

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function waitReady(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { if ((await fetch(`${url}/ready`)).status === 200) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not ready`);
}

export function startRole(role, env) {
  return spawn(process.execPath, [CLI, 'serve', role], { env: { ...process.env, PITCHEY_LOG_LEVEL: 'warn', PITCHEY_API_KEYS: KEY, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function stop(proc) {
  return new Promise((resolve) => { if (proc.exitCode !== null) return resolve(); proc.once('exit', resolve); proc.kill('SIGTERM'); });
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
