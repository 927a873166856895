// The built `pitchey` as an operator types it, each in its own process: typos and missing values
// exit 64 naming the flag, --help runs nothing, --version, --json that always parses, and the
// gateway found the one documented way (PITCHEY_PORT honoured, never a silent guess).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, makeTempDir } from '../helpers.js';
import { builtFile } from '../support/build.js';

const CLI = builtFile('cli/main.js').pathname;
let tmp: ReturnType<typeof makeTempDir>;
/** A data dir that does not exist yet: a command that ran would create it. */
let dataDir: string;

beforeEach(() => {
  tmp = makeTempDir('pitchey-cli-');
  dataDir = join(tmp.dir, 'data');
});
afterEach(() => tmp.remove());

function pitchey(args: string[], env: Record<string, string> = {}): { status: number | null; out: string; err: string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PITCHEY_')));
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...clean, PITCHEY_DATA_DIR: dataDir, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('the command line', () => {
  it('exits 64 naming a mistyped flag, and runs nothing', () => {
    const r = pitchey(['deploy', 'plan', 'video', '--version', '1.3.0', '--stratgey', 'blue-green']);
    expect(r.status).toBe(64);
    expect(r.err).toContain('unknown option --stratgey (did you mean --strategy?)');
    expect(r.out).toBe('');
    const missing = pitchey(['logs', 'video', '--tail']);
    expect([missing.status, missing.err]).toEqual([64, expect.stringContaining('--tail needs a value')]);
    expect(pitchey(['nonsense']).status).toBe(64);
  });

  it('prints help for `up --help` and starts nothing: no port bound, no data dir', async () => {
    const port = await freePort();
    const r = pitchey(['up', '--help'], { PITCHEY_PORT: String(port) });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^usage: pitchey up \[--workers SERVICE=N,…\]\n/);
    expect(existsSync(dataDir)).toBe(false);
    // The port is still free: bind it ourselves.
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('prints help for every subcommand without running it: `backup create -h` makes no backup', () => {
    for (const args of [
      ['backup', 'create', '-h'],
      ['backup', 'restore', '--help'],
      ['deploy', 'video', '--version', 'v2', '--help'],
    ]) {
      const r = pitchey(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.out).toMatch(/^usage: pitchey /);
    }
    expect(existsSync(dataDir)).toBe(false);
    expect(pitchey(['backup', '--help']).out).toContain('pitchey backup create');
    expect(pitchey(['help', 'deploy', 'plan']).out).toMatch(/^usage: pitchey deploy plan <service\|all> --version V/);
  });

  it('prints the package version for --version and -V', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(pitchey(['--version']).out).toBe(`${version}\n`);
    expect(pitchey(['-V']).out).toBe(`${version}\n`);
  });

  it('prints only JSON on stdout under --json, a failure included', () => {
    mkdirSync(dataDir);
    expect(JSON.parse(pitchey(['backup', 'list', '--json']).out)).toEqual([]);
    const failed = pitchey(['deploy', 'video', '--version', 'v2', '--json']);
    expect(failed.status).toBe(64);
    expect(JSON.parse(failed.out)).toMatchObject({ error: { exitCode: 64, message: expect.stringContaining('no platform runs from this data dir') } });
  });
});

describe('which gateway an admin command talks to', () => {
  it('honours PITCHEY_PORT when no platform runs from the data dir', async () => {
    const port = await freePort();
    const r = pitchey(['history'], { PITCHEY_PORT: String(port), PITCHEY_ADMIN_KEY: 'k' });
    expect(r.status).toBe(1);
    expect(r.err).toContain(`cannot reach the gateway at http://127.0.0.1:${port} (from PITCHEY_PORT)`);
  });

  it('refuses (64) rather than guess: nothing named, or PITCHEY_PORT naming another platform than the running one', () => {
    const none = pitchey(['history'], { PITCHEY_ADMIN_KEY: 'k' });
    expect(none.status).toBe(64);
    expect(none.err).toContain('name the gateway with --gateway URL or PITCHEY_PORT');
    // This test process stands for the running platform: its pid is alive.
    mkdirSync(join(dataDir, 'run'), { recursive: true });
    writeFileSync(join(dataDir, 'run', 'instances.json'), JSON.stringify({ gateway: { url: 'http://127.0.0.1:41999', pid: process.pid }, instances: [] }));
    const other = pitchey(['history'], { PITCHEY_PORT: '41998', PITCHEY_ADMIN_KEY: 'k' });
    expect(other.status).toBe(64);
    expect(other.err).toContain('PITCHEY_PORT=41998, but the platform running from this data dir');
  });
});
