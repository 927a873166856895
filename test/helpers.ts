// Shared test setup: a validated config over a fresh temp data dir, removed after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../src/kit/index.js';

export const TEST_KEY = 'test-key-0123456789abcdef';
export const VIDEO_ONLY_KEY = 'video-key-0123456789abcdef';

export function makeTempDir(prefix = 'pitchey-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    PITCHEY_ENV: 'test',
    PITCHEY_DATA_DIR: dataDir,
    PITCHEY_LOG_LEVEL: 'silent',
    PITCHEY_API_KEYS: `${TEST_KEY},${VIDEO_ONLY_KEY}:video`,
    PITCHEY_JWT_SECRET: 'jwt-secret-for-tests-0123456789abcdef',
    // Unreachable instances answer at once unless a test is about the gateway's wait for one.
    PITCHEY_GATEWAY_WAIT_MS: '0',
    ...env,
  });
}
