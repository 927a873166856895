import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DRIFT_ALLOW, EnvironmentsError, earlierEnvironment, parseEnvironments, readCredential, readEnvironments } from '../../src/deploy/environments.js';
import { makeTempDir } from '../helpers.js';

const FILE = {
  chain: ['staging', 'production'],
  environments: {
    staging: { gateway: 'http://127.0.0.1:8180/', adminKey: { file: 'staging.key' } },
    production: { gateway: 'http://127.0.0.1:8280', adminKey: { env: 'PROD_ADMIN_KEY' }, readKey: { env: 'PROD_READ_KEY' } },
  },
  drift: { allow: ['settings.logLevel'] },
};

let cleanup = (): void => undefined;
afterEach(() => cleanup());

describe('environments file', () => {
  it('reads targets, the chain and the allow-list; credentials are references, read when used', () => {
    const tmp = makeTempDir();
    cleanup = tmp.remove;
    const path = join(tmp.dir, 'pitchey.environments.json');
    writeFileSync(path, JSON.stringify(FILE));
    writeFileSync(join(tmp.dir, 'staging.key'), 'staging-admin-key-0123456789\n');
    const envs = readEnvironments(null, tmp.dir)!;
    expect(envs.environments.staging).toEqual({ name: 'staging', gateway: 'http://127.0.0.1:8180', adminKey: { file: 'staging.key' }, readKey: { file: 'staging.key' } });
    expect(earlierEnvironment(envs, 'production')?.name).toBe('staging');
    expect(earlierEnvironment(envs, 'staging')).toBeNull();
    expect(earlierEnvironment(envs, 'dev')).toBeNull();
    expect(envs.driftAllow).toEqual([...DEFAULT_DRIFT_ALLOW, 'settings.logLevel']);
    expect(readCredential(envs, envs.environments.staging!.readKey)).toBe('staging-admin-key-0123456789');
    expect(readCredential(envs, envs.environments.production!.readKey, { PROD_READ_KEY: 'r' })).toBe('r');
    expect(() => readCredential(envs, envs.environments.production!.adminKey, {})).toThrow('PROD_ADMIN_KEY is not set');
  });

  it('no file in the working directory is no environments', () => {
    const tmp = makeTempDir();
    cleanup = tmp.remove;
    expect(readEnvironments(null, tmp.dir)).toBeNull();
    expect(() => readEnvironments(join(tmp.dir, 'named.json'))).toThrow(EnvironmentsError);
  });

  it('refuses a secret written inline and names every bad field at once', () => {
    const bad = {
      chain: ['staging', 'prod'],
      environments: { staging: { gateway: 'ftp://x', adminKey: 'hunter2-secret' }, Production: { gateway: 'http://x', adminKey: { env: 'K' }, extra: 1 } },
      drift: { allow: ['secrets.x'] },
    };
    let message = '';
    try {
      parseEnvironments(bad, 'envs.json');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('environments.staging.gateway: must be an http(s) URL');
    expect(message).toContain('environments.staging.adminKey: must be {"file": "path"} or {"env": "VARIABLE"} (never the secret itself)');
    expect(message).toContain('environments.Production: the name must be a short lower-case word');
    expect(message).toContain('environments.Production: unknown field extra');
    expect(message).toContain('chain: "prod" is not in environments');
    expect(message).toContain('drift.allow: must be a list of paths');
    expect(message).not.toContain('hunter2');
  });
});
