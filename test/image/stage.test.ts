// What the image's release keeps of a native module's build, and the checksum's view of links.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/deploy/releases.js';
import { depsKey, pruneDeps } from '../../src/image/index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pitchey-stage-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function put(path: string, content = 'x'): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

describe('pruning native builds', () => {
  it('keeps only build/Release/*.node of packages built by node-gyp, at any depth, and drops source maps', () => {
    const nm = join(tempDir(), 'node_modules');
    for (const pkg of [join(nm, 'better-sqlite3'), join(nm, 'a', 'node_modules', 'native')]) {
      put(join(pkg, 'binding.gyp'));
      put(join(pkg, 'build', 'Makefile'));
      put(join(pkg, 'build', 'config.gypi'));
      put(join(pkg, 'build', 'Release', 'obj.target', 'x.o'));
      put(join(pkg, 'build', 'Release', '.deps', 'x.d'));
      put(join(pkg, 'build', 'Release', 'addon.node'), 'binary');
      put(join(pkg, 'lib', 'index.js'));
      put(join(pkg, 'lib', 'index.js.map'));
    }
    // A package whose published JavaScript lives in build/ is not a native build: untouched.
    put(join(nm, 'js-only', 'build', 'index.js'));
    pruneDeps(nm);
    expect(readdirSync(join(nm, 'better-sqlite3', 'build'), { recursive: true })).toEqual(['Release', join('Release', 'addon.node')]);
    expect(readdirSync(join(nm, 'a', 'node_modules', 'native', 'build', 'Release'))).toEqual(['addon.node']);
    expect(readdirSync(join(nm, 'better-sqlite3', 'lib'))).toEqual(['index.js']);
    expect(readdirSync(join(nm, 'js-only', 'build'))).toEqual(['index.js']);
  });
});

describe('the release checksum', () => {
  it('counts a link by its target without following it, and ignores mtimes', () => {
    const root = tempDir();
    put(join(root, 'node_modules', 'pkg', 'cli.js'), 'run');
    mkdirSync(join(root, 'node_modules', '.bin'));
    symlinkSync('../pkg/cli.js', join(root, 'node_modules', '.bin', 'pkg'));
    const first = checksumOf(root, ['node_modules']);
    expect(first.files).toBe(2);
    put(join(root, 'node_modules', 'pkg', 'cli.js'), 'run');
    expect(checksumOf(root, ['node_modules']).checksum).toBe(first.checksum);
    rmSync(join(root, 'node_modules', '.bin', 'pkg'));
    symlinkSync('/etc/passwd', join(root, 'node_modules', '.bin', 'pkg'));
    expect(checksumOf(root, ['node_modules']).checksum).not.toBe(first.checksum);
  });

  it('caches dependencies per lockfile', () => {
    expect(depsKey(Buffer.from('a'))).toBe(depsKey(Buffer.from('a')));
    expect(depsKey(Buffer.from('a'))).not.toBe(depsKey(Buffer.from('b')));
  });
});
