// Outside production a platform with no API keys configured gets one random development key,
// kept in the data dir (mode 600) so every process of one `pitchey up` and the operator share it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Config } from './config.js';
import { dataPath } from './data-dir.js';

export function devKeyPath(dataDir: string): string {
  return dataPath(dataDir, 'devApiKey');
}

/** Returns the config unchanged when keys are configured or in production; else adds the dev key. */
export function withDevKey(config: Config): { config: Config; devKeyFile: string | null } {
  if (config.apiKeys.length > 0 || config.mode === 'production') return { config, devKeyFile: null };
  const path = devKeyPath(config.dataDir);
  let key: string;
  try {
    key = readFileSync(path, 'utf8').trim();
  } catch {
    mkdirSync(config.dataDir, { recursive: true });
    key = randomBytes(24).toString('base64url');
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  }
  return { config: { ...config, apiKeys: [{ key, scopes: ['*'] }] }, devKeyFile: path };
}
