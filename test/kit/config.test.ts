import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, fileSettingsEnv, loadConfig } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
}

describe('config', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.remove());

  it('has defaults that validate', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ mode: 'development', host: '127.0.0.1', port: null, track: 'stable', rateLimit: true });
  });

  it('reports every bad value at once, one message each, naming the variable', () => {
    const issues = issuesOf({ PITCHEY_PORT: 'eighty', PITCHEY_ENV: 'staging', PITCHEY_RATE_LIMIT: 'maybe', PITCHEY_API_KEYS: 'short' });
    expect(issues).toHaveLength(4);
    expect(issues.find((i) => i.startsWith('PITCHEY_PORT'))).toContain('integer from 0 to 65535');
    expect(issues.find((i) => i.startsWith('PITCHEY_ENV'))).toContain('development, test, production');
    expect(issues.find((i) => i.startsWith('PITCHEY_API_KEYS'))).toContain('shorter than 16');
  });

  it('never echoes a secret in its messages', () => {
    const issues = issuesOf({ PITCHEY_API_KEYS: 'sekrit-but-short'.slice(0, 10) + ':bad scope!' });
    expect(issues.join('\n')).not.toContain('sekrit');
  });

  it('refuses to start in production with a default or short secret', () => {
    expect(issuesOf({ PITCHEY_ENV: 'production', PITCHEY_JWT_SECRET: 'changeme' }).join()).toContain('PITCHEY_JWT_SECRET');
    expect(issuesOf({ PITCHEY_ENV: 'production', PITCHEY_API_KEYS: 'a'.repeat(20) }).join()).toContain('at least 32');
    expect(issuesOf({ PITCHEY_ENV: 'production' }).join()).toContain('needs at least one API key');
    expect(issuesOf({ PITCHEY_ENV: 'production', PITCHEY_API_KEYS: 'Zq'.repeat(20), PITCHEY_JWT_SECRET: 'Yx'.repeat(20) })).toEqual([]);
  });

  it('reads a JSON file under the environment, and rejects unknown keys', () => {
    const file = join(tmp.dir, 'pitchey.json');
    writeFileSync(file, JSON.stringify({ jobConcurrency: 4, logLevel: 'debug', apiKeys: [{ key: 'f'.repeat(16), scopes: ['ai'] }] }));
    const c = loadConfig({ PITCHEY_CONFIG_FILE: file, PITCHEY_LOG_LEVEL: 'warn' });
    expect(c).toMatchObject({ jobConcurrency: 4, logLevel: 'warn', apiKeys: [{ key: 'f'.repeat(16), scopes: ['ai'] }] });
    writeFileSync(file, JSON.stringify({ jobConcurency: 4 }));
    expect(issuesOf({ PITCHEY_CONFIG_FILE: file }).join()).toContain('unknown setting "jobConcurency"');
  });

  it('hands the settings file on as variables that load to the same configuration', () => {
    const file = join(tmp.dir, 'handed-on.json');
    const settings = {
      jobConcurrency: 3,
      logLevel: 'debug',
      drainTimeoutMs: 12_000,
      apiKeys: [{ key: 'g'.repeat(20), scopes: ['ai', 'signoff'], holder: 'qa.lead' }],
      notifyReceivers: [{ name: 'ops', url: 'http://127.0.0.1:9/hook', format: 'slack' }],
      signoffs: 'qa-lead,security-engineer',
    };
    writeFileSync(file, JSON.stringify(settings));
    const env = { PITCHEY_CONFIG_FILE: file, PITCHEY_LOG_LEVEL: 'warn' };
    const handed = fileSettingsEnv(env);
    expect(handed.PITCHEY_LOG_LEVEL).toBeUndefined(); // the environment wins: nothing to hand on
    expect(loadConfig({ PITCHEY_LOG_LEVEL: 'warn', ...handed })).toEqual(loadConfig(env));
    expect(fileSettingsEnv({})).toEqual({});
  });

  it('parses fault injection and refuses it in production', () => {
    expect(loadConfig({ PITCHEY_FAULTS: 'errors=0.2,latencyMs=40,after=5' }).faults).toEqual({ errorRate: 0.2, latencyMs: 40, crashAfter: null, after: 5 });
    expect(issuesOf({ PITCHEY_FAULTS: 'errors=2' }).join()).toContain('PITCHEY_FAULTS');
    expect(issuesOf({ PITCHEY_ENV: 'production', PITCHEY_API_KEYS: 'Zq'.repeat(20), PITCHEY_FAULTS: 'errors=0.1' }).join()).toContain('refused in production');
  });

  it('takes a redis URL for the job store, defaults to SQLite, and refuses any other URL without echoing it', () => {
    expect(loadConfig({}).jobStoreUrl).toBeNull();
    expect(loadConfig({ PITCHEY_JOBS: 'redis://:pw@10.0.0.5:6379/2' }).jobStoreUrl).toBe('redis://:pw@10.0.0.5:6379/2');
    const issues = issuesOf({ PITCHEY_JOBS: 'http://user:hunter2@host:6379' }).join('\n');
    expect(issues).toContain('PITCHEY_JOBS');
    expect(issues).toContain('redis:// or rediss://');
    expect(issues).not.toContain('hunter2');
  });

  it('parses gateway upstreams and refuses non-http ones', () => {
    expect(loadConfig({ PITCHEY_UPSTREAMS: 'video=http://a:8081|http://b:8081' }).upstreams).toEqual({ video: ['http://a:8081', 'http://b:8081'] });
    expect(issuesOf({ PITCHEY_UPSTREAMS: 'video=file:///etc/passwd' }).join()).toContain('must be http');
  });

  it('refuses the nginx data plane with shared rate limits in a Redis its Lua cannot reach (TLS, a host name)', () => {
    expect(issuesOf({ PITCHEY_GATEWAY_STATE: 'redis://127.0.0.1:6379/0', PITCHEY_DATA_PLANE: 'nginx' })).toEqual([]);
    const shared = { PITCHEY_GATEWAY_STATE: 'rediss://redis.internal:6380/0' };
    expect(issuesOf({ ...shared, PITCHEY_DATA_PLANE: 'nginx' })).toEqual([expect.stringMatching(/^PITCHEY_DATA_PLANE: nginx counts shared rate limits in Redis over plain TCP to an IP address/)]);
    expect(issuesOf({ ...shared, PITCHEY_DATA_PLANE: 'nginx', PITCHEY_RATE_LIMIT: 'false' })).toEqual([]);
    expect(issuesOf({ ...shared, PITCHEY_DATA_PLANE: 'auto' })).toEqual([]);
    expect(loadConfig({}).dataPlane).toBe('auto');
  });

  it("overrides an AI text limit and keeps the contract's others", () => {
    expect(loadConfig({ PITCHEY_AI_TEXT_LIMITS: 'generate=5000' }).aiTextLimits).toEqual({ analyze: 10_000, generate: 5_000, classify: 1_000, moderate: 10_000 });
  });

  it('refuses a misspelt AI text limit by name, listing the valid ones', () => {
    const issues = issuesOf({ PITCHEY_AI_TEXT_LIMITS: 'generat=5000,classify=500' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^PITCHEY_AI_TEXT_LIMITS: unknown route "generat" \(analyze, generate, classify, moderate\)/);
    expect(issuesOf({ PITCHEY_AI_TEXT_LIMITS: 'generate=0' }).join()).toContain('"generate" must be an integer from 1 to 1000000');
  });

  it('names the bad value in every integer setting that holds several', () => {
    expect(issuesOf({ PITCHEY_CODE_LIMITS: 'cpu_ms=5' }).join()).toContain('"cpu_ms" must be an integer from 100 to 600000');
    expect(issuesOf({ PITCHEY_AI_CONCURRENCY: 'ollama=0' }).join()).toContain('"ollama" must be an integer from 1 to 1000');
    expect(issuesOf({ PITCHEY_AI_TIMEOUT_MS: '5' }).join()).toContain('"*" must be an integer from 100 to 600000');
  });

  it('declares each setting once: every key and every variable is unique', () => {
    expect(new Set(SETTINGS.map((s) => s.key)).size).toBe(SETTINGS.length);
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
  });

  it('is documented: every setting appears in the README table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const s of SETTINGS) expect(readme, s.env).toContain(`| \`${s.env}\``);
  });
});
