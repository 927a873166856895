// The local driver passes the driver contract: supervised child processes from this build (and a
// release folder modified after it was built, which it refuses). Runs the built CLI.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalDriver, defaultReleasesDir } from '../../src/deploy/adapters/local-driver.js';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { builtFile } from '../support/build.js';
import { makeRecorder, runDriverContract } from '../deploy/driver-contract.js';
import { alive } from './platform.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

runDriverContract('local', () => {
  const tmp = makeTempDir('pitchey-local-driver-');
  const hooks = makeRecorder();
  const releasesDir = defaultReleasesDir(tmp.dir);
  buildRelease({ projectRoot: ROOT, releasesDir, version: 'tampered' });
  const tampered = join(releasesDir, 'tampered', 'dist', 'cli', 'main.js');
  chmodSync(tampered, 0o644);
  writeFileSync(tampered, '// replaced after the release was built\n');
  const driver = createLocalDriver({
    dataDir: tmp.dir,
    releasesDir,
    selfVersion: 'contract-v1',
    selfEntry: builtFile('cli/main.js').pathname,
    baseEnv: { ...process.env, PITCHEY_API_KEYS: TEST_KEY, PITCHEY_LOG_LEVEL: 'info', PITCHEY_DRAIN_TIMEOUT_MS: '5000' },
    onUp: hooks.onUp,
    onDown: hooks.onDown,
  });
  return Promise.resolve({
    driver,
    recorded: hooks.recorded,
    service: 'ai',
    version: 'contract-v1',
    untrustedVersion: 'tampered',
    crash: (h) => {
      if (h.pid !== null) process.kill(h.pid, 'SIGKILL');
      return Promise.resolve();
    },
    leftovers: () =>
      Promise.resolve(
        hooks.recorded.up
          .map((u) => u.pid)
          .filter((p): p is number => p !== null && alive(p))
          .map(String),
      ),
    dispose: () => {
      tmp.remove();
      return Promise.resolve();
    },
  });
});
