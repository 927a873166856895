// The compiled tree that production runs (`npm run build`), for tests that cannot run from the
// TypeScript sources, such as worker threads: compiled here when missing or older than a source.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { BUILD_STEPS } from '../../scripts/build.mjs';

const ROOT = new URL('../../', import.meta.url);

const modified = (url: URL): number => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? -1;

function newestSource(): number {
  const src = new URL('src/', ROOT);
  return Math.max(...readdirSync(src, { recursive: true, encoding: 'utf8' }).map((path) => modified(new URL(path, src))));
}

/** `path` under dist/, rebuilt first if any source is newer; a build that fails throws. */
export function builtFile(path: string): URL {
  const built = new URL(`dist/${path}`, ROOT);
  if (modified(built) < newestSource()) {
    // `npm run build`'s steps, each one process (no npx in between), so the deadline's kill
    // leaves nothing behind. Without the bundles, roles would run from the modules, not as shipped.
    try {
      for (const step of BUILD_STEPS) {
        execFileSync(process.execPath, step, { cwd: ROOT, encoding: 'utf8', timeout: 170_000, killSignal: 'SIGKILL' });
      }
    } catch (err) {
      throw new Error(`building dist/ failed: ${(err as { stdout?: string }).stdout ?? (err as Error).message}`);
    }
  }
  return built;
}
