// ops/compose.yaml as docker-compose 1.29 resolves it (`config` needs no daemon): every platform
// role from its image with a health check on /health, a restart policy, limits, a grace period
// above the drain deadline and the shared data volume; only the code executor holds privileges,
// exactly the documented ones; secrets come from the operator's env file, never the compose file.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_PORT, SERVICE_HOME_PORTS, SERVICE_NAMES } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';
import { OPS, parseYaml, readYaml, run } from './ops-files.js';

interface ComposeService {
  image: string;
  restart?: string;
  healthcheck?: { test?: string[]; interval?: string; disable?: boolean };
  mem_limit?: string | number;
  cpus?: number | string;
  pids_limit?: number;
  stop_grace_period?: string;
  environment?: Record<string, string | number>;
  volumes?: string[];
  networks?: Record<string, unknown>;
  network_mode?: string;
  cap_add?: string[];
  security_opt?: string[];
  privileged?: boolean;
  devices?: unknown[];
  pid?: string;
  ipc?: string;
  ports?: Array<string | { published?: string | number; target: number; host_ip?: string }>;
  entrypoint?: string[];
  command?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  networks: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
}

const ROLES = ['gateway', ...SERVICE_NAMES] as const;
const homePort = (role: (typeof ROLES)[number]): number => (role === 'gateway' ? GATEWAY_PORT : SERVICE_HOME_PORTS[role]);
const DEFAULT_DRAIN_MS = 10_000;
/** `pitchey serve` gives its drain this much beyond PITCHEY_DRAIN_TIMEOUT_MS before it exits anyway. */
const SERVE_DEADLINE_SLACK_MS = 5_000;
const COMPOSE_FILE = join(OPS, 'compose.yaml');
const SECRET_KEY = 'compose-test-key-0123456789abcdef0123456789';

/** `1m30s`, `30s`, `500ms` as docker-compose writes durations, in ms. */
function durationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return ms;
}

const tmp = makeTempDir('pitchey-compose-');
afterAll(() => tmp.remove());

/** `docker-compose config` with only this env file speaking (nothing of the runner's environment is interpolated). */
function composeConfig(env: Record<string, string>): Promise<{ status: number | null; out: string; stdout: string }> {
  const envFile = join(tmp.dir, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    { mode: 0o600 },
  );
  const args = ['-f', COMPOSE_FILE, '--env-file', envFile, 'config'];
  return new Promise((resolve) => {
    execFile('docker-compose', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp.dir }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: `${stdout}${stderr}${err?.message ?? ''}`, stdout });
    });
  });
}

const FULL_ENV = { PITCHEY_VERSION: '1.2.3', PITCHEY_API_KEYS: `${SECRET_KEY}:*`, GRAFANA_ADMIN_PASSWORD: 'compose-test-password' };
/** Interpolated with `:?`, so compose refuses to run without them; one is tried for real. */
const REQUIRED = ['PITCHEY_VERSION', 'PITCHEY_API_KEYS', 'GRAFANA_ADMIN_PASSWORD'] as const;

describe('ops/compose.yaml', () => {
  let compose: Compose;
  let withoutVersion: { status: number | null; out: string };

  beforeAll(async () => {
    // docker-compose takes a second or more to start: the runs go side by side.
    const { PITCHEY_VERSION: _version, ...noVersion } = FULL_ENV;
    const [full, bare] = await Promise.all([composeConfig(FULL_ENV), composeConfig(noVersion)]);
    expect(full.status, full.out).toBe(0);
    compose = parseYaml(full.stdout) as Compose;
    withoutVersion = bare;
  });

  it('passes `docker-compose config` and runs the platform, Redis, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...ROLES, 'redis', 'prometheus', 'alertmanager', 'grafana'].sort());
  });

  it('refuses to resolve without the release version, the API keys or the Grafana password, naming the missing one', () => {
    expect(withoutVersion.status).not.toBe(0);
    expect(withoutVersion.out).toContain('set PITCHEY_VERSION in ops/.env');
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    for (const name of REQUIRED) expect(text, name).toContain(`\${${name}:?set ${name} in ops/.env`);
  });

  it.each(ROLES)('%s: its image, home port, /health check, restart, limits, drain grace and its own data volume', (role) => {
    const s = compose.services[role] as ComposeService;
    expect(s.image).toBe(`pitchey/${role}:1.2.3`);
    expect(s.environment?.PITCHEY_PORT).toBe(homePort(role));
    expect(s.environment?.PITCHEY_VERSION).toBe('1.2.3');
    expect(s.environment?.PITCHEY_API_KEYS).toBe(`${SECRET_KEY}:*`);
    expect(s.healthcheck?.disable).not.toBe(true);
    expect(s.healthcheck?.test?.join(' ')).toContain("'/health'");
    expect(s.healthcheck?.test?.join(' ')).toContain('process.env.PITCHEY_PORT');
    expect(['unless-stopped', 'on-failure', 'always']).toContain(s.restart);
    expect(s.mem_limit).toBeDefined();
    expect(Number(s.cpus)).toBeGreaterThan(0);
    expect(s.pids_limit).toBeGreaterThan(0);
    const drainMs = Number(s.environment?.PITCHEY_DRAIN_TIMEOUT_MS ?? DEFAULT_DRAIN_MS);
    expect(drainMs).toBe(DEFAULT_DRAIN_MS);
    expect(durationMs(s.stop_grace_period ?? '10s')).toBeGreaterThanOrEqual(drainMs + SERVE_DEADLINE_SLACK_MS);
    expect(s.volumes).toContain(`${role}-data:/data:rw`);
    expect(Object.keys(s.networks ?? {})).toEqual(['pitchey']);
  });

  it('gives every container a health check, a restart policy and memory and CPU limits', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.healthcheck?.test?.length ?? 0, name).toBeGreaterThan(1);
      expect(s.restart, name).toMatch(/^(unless-stopped|on-failure(:\d+)?|always)$/);
      expect(s.mem_limit, name).toBeDefined();
      expect(Number(s.cpus), name).toBeGreaterThan(0);
      expect(s.network_mode, name).toBeUndefined();
    }
    expect(Object.keys(compose.volumes).sort()).toEqual([...ROLES.map((r) => `${r}-data`), 'alertmanager-data', 'grafana-data', 'prometheus-data', 'redis-data'].sort());
  });

  it('routes the gateway to each service by name at its home port', () => {
    const upstreams = String(compose.services.gateway?.environment?.PITCHEY_UPSTREAMS).split(',');
    expect(upstreams.sort()).toEqual(SERVICE_NAMES.map((s) => `${s}=http://${s}:${SERVICE_HOME_PORTS[s]}`).sort());
  });

  it('grants privileges to the code executor only: SYS_ADMIN for its start script, seccomp/apparmor unconfined, three cgroup controllers', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.privileged, name).not.toBe(true);
      expect(s.devices, name).toBeUndefined();
      expect(s.pid ?? s.ipc, name).toBeUndefined();
      expect(
        (s.volumes ?? []).filter((v) => v.includes('docker.sock')),
        name,
      ).toEqual([]);
      if (name === 'code') continue;
      expect(s.cap_add, name).toBeUndefined();
      expect(s.security_opt, name).toBeUndefined();
      expect(
        (s.volumes ?? []).filter((v) => v.startsWith('/sys') || v.startsWith('/proc')),
        name,
      ).toEqual([]);
    }
    const code = compose.services.code as ComposeService;
    expect(code.cap_add).toEqual(['SYS_ADMIN']);
    expect(code.security_opt?.sort()).toEqual(['apparmor=unconfined', 'seccomp=unconfined']);
    expect((code.volumes ?? []).filter((v) => v.startsWith('/sys')).sort()).toEqual(['cpuacct', 'memory', 'pids'].map((c) => `/sys/fs/cgroup/${c}:/sys/fs/cgroup/${c}:rw`));
    expect(code.entrypoint).toEqual(['/bin/sh', '/usr/local/sbin/pitchey-unmask-proc']);
    expect(code.command).toEqual(['node', '/app/dist/cli/main.js', 'serve', 'code']);
    expect(code.volumes).toContain(`${join(OPS, 'code', 'unmask-proc')}:/usr/local/sbin/pitchey-unmask-proc:ro`);
  });

  it("drops SYS_ADMIN in the code executor's start script before the service runs, and the script parses", () => {
    const script = readFileSync(join(OPS, 'code', 'unmask-proc'), 'utf8');
    expect(script.trimEnd().split('\n').at(-1)).toBe('exec setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin -- "$@"');
    const r = run('sh', ['-n', join(OPS, 'code', 'unmask-proc')]);
    expect(r.status, r.out).toBe(0);
  });

  it("publishes only the gateway, media's live ingest, and the monitoring UIs on loopback", () => {
    const published = Object.fromEntries(
      Object.entries(compose.services)
        .filter(([, s]) => s.ports !== undefined)
        .map(([n, s]) => [n, s.ports]),
    );
    expect(Object.keys(published).sort()).toEqual(['alertmanager', 'gateway', 'grafana', 'media', 'prometheus']);
    for (const name of ['alertmanager', 'grafana', 'prometheus']) {
      for (const p of published[name] ?? []) expect(JSON.stringify(p), name).toContain('127.0.0.1');
    }
  });

  it('keeps secrets out of the compose file: they are interpolated from ops/.env, documented in ops/.env.example', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    expect(text).toContain('PITCHEY_API_KEYS: ${PITCHEY_API_KEYS:?');
    const used = new Set([...text.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    const example = readFileSync(join(OPS, '.env.example'), 'utf8');
    for (const name of used) expect(example, `${name} in ops/.env.example`).toMatch(new RegExp(`\\b${name}=`));
    expect(readFileSync(join(OPS, '..', '.gitignore'), 'utf8')).toMatch(/^ops\/\.env$/m);
    // The scrape key is a file secret, mounted where the compose Prometheus config reads it.
    expect(compose.secrets?.['pitchey-metrics-key']?.file).toBe(join(OPS, 'secrets', 'pitchey-metrics-key'));
    const prometheus = readYaml(join(OPS, 'prometheus', 'prometheus-compose.yml')) as { scrape_configs: Array<{ job_name: string; authorization?: { credentials_file?: string } }> };
    expect(prometheus.scrape_configs.find((j) => j.job_name === 'pitchey')?.authorization?.credentials_file).toBe('/run/secrets/pitchey-metrics-key');
  });
});
