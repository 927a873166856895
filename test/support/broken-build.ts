// A genuinely broken build (a bug in the built code, not the fault switch): a copy of the project
// whose AI service fails every fourth GET /models, or whose video encoder hands ffmpeg a bad
// argument every tenth encode. Released as a folder (local driver) or built into an image (docker
// driver) by the tests that need a bad release to roll back.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtFile } from './build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A bug built in: the file under dist/ it goes into, the code it follows, the code it adds. */
interface Bug {
  file: string;
  after: RegExp;
  adds: string;
}

export const BUGS = {
  /** GET /models fails every fourth time (a 500 the gateway sees). */
  'ai-models': {
    file: 'services/ai/routes-models.js',
    after: /(app\.get\('\/models',[^\n]*async \(\) => \{)/,
    adds: "if (++broken % 4 === 0) throw new Error('broken build: every fourth /models fails');",
  },
  /**
   * Every tenth transcode maps a stream the input does not have, so ffmpeg refuses to run: a job
   * failure (JOB_FAILED, never retried) seen only in the job outcomes when jobs are asked for async.
   */
  'video-encode': {
    file: 'services/video/process-job.js',
    after: /(const plan = transcodePlan\([^\n]*\);)/,
    adds: "if (++broken % 10 === 0) plan.args.splice(-1, 0, '-map', '0:v:9');",
  },
} satisfies Record<string, Bug>;

export interface BrokenProject {
  root: string;
  remove: () => void;
}

/**
 * The patched copy: dist/, package.json and the lockfile, node_modules linked from this checkout.
 * `git`: also a git checkout with one commit, as `pitchey image build` needs (an image records its commit).
 */
export function brokenProject(options: { git?: boolean; bug?: keyof typeof BUGS } = {}): BrokenProject {
  builtFile('cli/main.js');
  const root = mkdtempSync(join(tmpdir(), 'pitchey-broken-'));
  for (const c of ['dist', 'package.json', 'package-lock.json']) cpSync(join(ROOT, c), join(root, c), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  // The bug goes into a module; the roles' bundles (made from the unbroken modules) go, so every
  // role of this copy runs from its modules, bug included, whatever times the copy or an image keeps.
  rmSync(join(root, 'dist', 'bundle'), { recursive: true, force: true });
  const bug: Bug = BUGS[options.bug ?? 'ai-models'];
  const file = join(root, 'dist', bug.file);
  const source = readFileSync(file, 'utf8');
  if (!bug.after.test(source)) throw new Error(`cannot find ${String(bug.after)} in ${file} to break`);
  writeFileSync(file, `let broken = 0;\n${source.replace(bug.after, `$1\n        ${bug.adds}`)}`);
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
