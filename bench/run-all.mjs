// Runs every benchmark in this folder, one after another (the machine has two cores).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;
for (const file of readdirSync(here).filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run-all.mjs'].includes(f)).sort()) {
  console.log(`\n## ${file}`);
  const r = spawnSync(process.execPath, [`${here}${file}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
