// The roles' bundles (scripts/bundle.mjs, loaded by src/cli/bundle-loader.ts): every role's
// process runs from its bundle and V8 takes its code cache, while other commands run from the
// modules; the role table the launcher reads.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Module } from 'node:module';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bundleRole } from '../../src/cli/bundle-loader.js';
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

  it('has a bundle per role whose code cache V8 accepts', () => {
    const stamp = JSON.parse(readFileSync(builtFile('bundle/stamp.json'), 'utf8')) as { bundles: Record<string, unknown> };
    expect(Object.keys(stamp.bundles).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) {
      const file = builtFile(`bundle/${role}.cjs`).pathname;
      const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData: readFileSync(builtFile(`bundle/${role}.cache`)) });
      expect([role, script.cachedDataRejected]).toEqual([role, false]);
    }
  });
});
