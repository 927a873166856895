// The roles' bundles (scripts/bundle.mjs, loaded by src/cli/bundle-loader.ts): every role's
// process runs from its bundle, whose import()s of what stays outside it still load, while other
// commands run from the modules; a bundle is used only while dist/ holds the entry it was made
// from; the role table the launcher reads.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { bundleRole } from '../../src/cli/bundle-loader.js';
import { builtFile } from '../support/build.js';

const CLI = builtFile('cli/main.js').pathname;
const ROLES = ['video', 'document', 'ai', 'media', 'code', 'gateway', 'up'];
const LAUNCHER = ['cli/main.js', 'cli/bundle-loader.js', 'kit/roles.js'];

/** The ES modules a `pitchey` command line loaded (Node's esm debug log names each one), under dist/. */
function esModulesLoaded(args: string[], cli = CLI): string[] {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, NODE_DEBUG: 'esm' }, encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return [...new Set([...r.stderr.matchAll(/Translating StandardModule file:\/\/(\S+)/g)].map((m) => m[1]!.replace(/.*\/dist\//, '')))];
}

/** A copy of the built project (times not kept), node_modules linked; removed by the caller. */
function copyOfBuild(): { root: string; remove: () => void } {
  const from = fileURLToPath(new URL('../..', builtFile('cli/main.js')));
  const root = mkdtempSync(join(tmpdir(), 'pitchey-bundle-copy-'));
  for (const c of ['dist', 'package.json']) cpSync(join(from, c), join(root, c), { recursive: true });
  symlinkSync(join(from, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

describe('role bundles', () => {
  it('names the bundle of up, serve <role> and worker <service>, and none for other commands', () => {
    expect(['up', 'serve video', 'serve gateway', 'worker code', 'serve nosuch', 'worker gateway', 'health', 'serve'].map((l) => bundleRole(l.split(' ')))).toEqual([
      'up',
      'video',
      'gateway',
      'code',
      null,
      null,
      null,
      null,
    ]);
  });

  it('runs a role from its bundle (two ES modules: the launcher), other commands from the modules', () => {
    for (const args of [
      ['serve', 'ai', '--help'],
      ['worker', 'document', '--help'],
      ['up', '--help'],
    ]) {
      expect(esModulesLoaded(args)).toEqual(LAUNCHER);
    }
    expect(esModulesLoaded(['health', '--help'])).toContain('cli/cli.js');
  });

  it('judges a bundle current by the entry it was made from, not by file times', () => {
    const copy = copyOfBuild();
    try {
      const cli = join(copy.root, 'dist', 'cli', 'main.js');
      // A stamp older than the entry (a copy or an image layer need not keep times): still current.
      utimesSync(join(copy.root, 'dist', 'bundle', 'stamp.json'), new Date(0), new Date(0));
      expect(esModulesLoaded(['serve', 'ai', '--help'], cli)).toEqual(LAUNCHER);
      // Another build's entry: the role runs from the modules.
      appendFileSync(join(copy.root, 'dist', 'cli', 'cli.js'), '\n// another build\n');
      expect(esModulesLoaded(['serve', 'ai', '--help'], cli)).toContain('cli/cli.js');
    } finally {
      copy.remove();
    }
  });

  it('has a bundle per role, whose import() of what stays outside it loads, with no warning', () => {
    const stamp = JSON.parse(readFileSync(builtFile('bundle/stamp.json'), 'utf8')) as { bundles: Record<string, unknown> };
    expect(Object.keys(stamp.bundles).sort()).toEqual([...ROLES].sort());
    // The docker driver import()s dockerode, left outside the bundle: it loads and tries the
    // socket. (A bundle compiled as a vm.Script without its dynamic-import callback rejected the
    // import; with USE_MAIN_CONTEXT_DEFAULT_LOADER it printed an ExperimentalWarning.)
    const data = mkdtempSync(join(tmpdir(), 'pitchey-bundle-import-'));
    try {
      const env = { ...process.env, PITCHEY_DATA_DIR: data, PITCHEY_PORT: '0', PITCHEY_DRIVER: 'docker', PITCHEY_DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
      const r = spawnSync(process.execPath, [CLI, 'up'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toContain('connect ENOENT /nonexistent/docker.sock');
      expect(r.stderr).not.toMatch(/ExperimentalWarning|ERR_VM_DYNAMIC_IMPORT/);
      expect(r.status).not.toBe(0);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('keeps a code cache beside the bundle, which the next start reads, and whose import() still loads', async () => {
    const copy = copyOfBuild();
    const data = mkdtempSync(join(tmpdir(), 'pitchey-bundle-cache-'));
    // A docker socket that takes connections and never answers: `up` waits on it, alive long enough to write its cache.
    const mute = createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen(join(data, 'mute.sock'), resolve));
    try {
      const cli = join(copy.root, 'dist', 'cli', 'main.js');
      const cache = join(copy.root, 'dist', 'bundle', 'up.cjs.v8cache');
      rmSync(cache, { force: true });
      const env = (socket: string): NodeJS.ProcessEnv => ({ ...process.env, PITCHEY_DATA_DIR: data, PITCHEY_PORT: '0', PITCHEY_DRIVER: 'docker', PITCHEY_DOCKER_HOST: `unix://${socket}` });
      // A start that fails at once leaves no cache: it would hold only the functions of a failure.
      const quick = spawnSync(process.execPath, [cli, 'up'], { env: env('/nonexistent/docker.sock'), encoding: 'utf8', timeout: 30_000 });
      expect(quick.stderr).toContain('connect ENOENT /nonexistent/docker.sock');
      expect(existsSync(cache)).toBe(false);
      const waiting = spawn(process.execPath, [cli, 'up'], { env: env(join(data, 'mute.sock')), stdio: 'ignore' });
      try {
        await vi.waitFor(() => expect(existsSync(cache)).toBe(true), { timeout: 15_000, interval: 100 });
      } finally {
        waiting.kill('SIGKILL');
      }
      const written = statSync(cache);
      expect(written.size).toBeGreaterThan(100_000);
      // The next start runs from the cache: dockerode, left outside the bundle, is import()ed by
      // code V8 restored from it, and the cache is taken as it is (not written again).
      const r = spawnSync(process.execPath, [cli, 'up'], { env: env('/nonexistent/docker.sock'), encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toContain('connect ENOENT /nonexistent/docker.sock');
      expect(r.stderr).not.toMatch(/ExperimentalWarning|ERR_VM_DYNAMIC_IMPORT/);
      expect(statSync(cache).ino).toBe(written.ino);
    } finally {
      mute.close();
      copy.remove();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
