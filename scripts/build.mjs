// `npm run build`: the steps that make dist/, in order, listed once here so the tests' rebuild
// (test/support/build.ts) runs exactly what production builds. Each step is one node process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const at = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Each step's arguments to `node`, run from the repository's root. */
export const BUILD_STEPS = [
  [at('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], // the compiled modules
  [at('scripts/copy-assets.mjs')], // what tsc does not emit (the nginx plane's Lua)
  [at('scripts/bundle.mjs')], // one bundle per role, and its code cache
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const step of BUILD_STEPS) execFileSync(process.execPath, step, { cwd: at(''), stdio: 'inherit' });
}
