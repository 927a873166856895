// The roles' bundles (scripts/bundle.mjs, loaded by src/cli/bundle-loader.ts): every role's
// process runs from its bundle, whose import()s of what stays outside it still load, while other
// commands run from the modules; the role table the launcher reads.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleRole, compileBundle } from '../../src/cli/bundle-loader.js';
import { builtFile } from '../support/build.js';

const CLI = builtFile('cli/main.js').pathname;
const ROLES = ['video', 'document', 'ai', 'media', 'code', 'gateway', 'up'];

/** The ES modules a `pitchey` command line loaded (Node's esm debug log names each one). */
function esModulesLoaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, NODE_DEBUG: 'esm' }, encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return [...new Set([...r.stderr.matchAll(/Translating StandardModule file:\/\/(\S+)/g)].map((m) => m[1]!))];
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
      expect(esModulesLoaded(args).map((p) => p.replace(/.*\/dist\//, ''))).toEqual(['cli/main.js', 'cli/bundle-loader.js', 'kit/roles.js']);
    }
    expect(esModulesLoaded(['health', '--help'])).toContainEqual(expect.stringMatching(/dist\/cli\/cli\.js$/));
  });

  it('has a bundle per role, and bundled code can import() what stays outside the bundle', async () => {
    const stamp = JSON.parse(readFileSync(builtFile('bundle/stamp.json'), 'utf8')) as { bundles: Record<string, unknown> };
    expect(Object.keys(stamp.bundles).sort()).toEqual([...ROLES].sort());
    // The docker driver's dockerode and another role's modules are import()ed from a bundle: a
    // script compiled without its dynamic-import callback rejects them.
    const file = builtFile('bundle/up.cjs').pathname;
    const script = compileBundle(file, "module.exports = () => import('node:os');");
    const module = { exports: (): Promise<{ cpus: unknown }> => Promise.reject(new Error('not run')) };
    (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
    expect(typeof (await module.exports()).cpus).toBe('function');
  });
});
