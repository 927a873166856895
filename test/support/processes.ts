// Real processes for tests that must kill one: a TypeScript entry of this repo bundled by esbuild
// into the caller's temp folder (a child Node has no TypeScript loader), and a liveness check
// that does not mistake an unreaped zombie for a running process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Imported from where they are installed: a native addon cannot be bundled, a CommonJS package's
// require() of node builtins does not survive an ESM bundle (dockerode: native addons under ssh2, loaded only
// when a docker client is made), and a bare import would not resolve from outDir.
const INSTALLED = ['better-sqlite3', 'redis', '@fastify/swagger-ui', 'dockerode'];

/** Bundles `entry` to `<outDir>/<name>.mjs` for `node` to run; the INSTALLED packages stay where they are. */
export async function bundleEntry(entry: URL, outDir: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const outfile = join(outDir, `${basename(entry.pathname, '.ts')}.mjs`);
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // CommonJS packages in the bundle (pino, …) require() node builtins: give them a require.
    banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
    plugins: [
      {
        name: 'installed-packages',
        setup: (b) => {
          b.onResolve({ filter: new RegExp(`^(${INSTALLED.join('|')})$`) }, (args) => ({ path: require.resolve(args.path), external: true }));
        },
      },
    ],
  });
  return outfile;
}

/** True while `pid` exists and is not a zombie (an orphan's reaper may be slow, or absent in a container). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILLs `pid` if it still runs; for cleanups, which must leave nothing behind. */
export function killIfRunning(pid: number | undefined): void {
  if (pid === undefined || !isRunning(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone meanwhile */
  }
}
