// A genuinely broken build (a bug in the built code, not the fault switch): a copy of the project
// whose AI service fails every fourth GET /models. Released as a folder (local driver) or built
// into an image (docker driver) by the tests that need a bad release to roll back.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtFile } from './build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BrokenProject {
  root: string;
  remove: () => void;
}

/**
 * The patched copy: dist/, package.json and the lockfile, node_modules linked from this checkout.
 * `git`: also a git checkout with one commit, as `pitchey image build` needs (an image records its commit).
 */
export function brokenProject(options: { git?: boolean } = {}): BrokenProject {
  builtFile('cli/main.js');
  const root = mkdtempSync(join(tmpdir(), 'pitchey-broken-'));
  for (const c of ['dist', 'package.json', 'package-lock.json']) cpSync(join(ROOT, c), join(root, c), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const file = join(root, 'dist', 'services', 'ai', 'routes-models.js');
  const source = readFileSync(file, 'utf8');
  const route = /(app\.get\('\/models',[^\n]*async \(\) => \{)/;
  if (!route.test(source)) throw new Error(`cannot find the /models handler in ${file} to break`);
  writeFileSync(file, `let served = 0;\n${source.replace(route, "$1\n        if (++served % 4 === 0) throw new Error('broken build: every fourth /models fails');")}`);
  if (options.git === true) {
    writeFileSync(join(root, '.gitignore'), 'node_modules\n');
    const git = (...args: string[]): void => {
      execFileSync('git', ['-C', root, '-c', 'user.name=pitchey-test', '-c', 'user.email=test@pitchey.invalid', ...args], { stdio: 'ignore', timeout: 60_000 });
    };
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'a broken build');
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
