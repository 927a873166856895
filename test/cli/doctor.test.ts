import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';
import { builtFile } from '../support/build.js';

const CLI = builtFile('cli/main.js').pathname;

describe('pitchey doctor', () => {
  it('reports every tool with its version, the cgroup mode, free disk and the data plane', () => {
    const tmp = makeTempDir();
    const env = { ...process.env, PITCHEY_DATA_DIR: tmp.dir, PITCHEY_DATA_PLANE: '', PITCHEY_GATEWAY_STATE: '' };
    const run = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { env, encoding: 'utf8' });
    tmp.remove();
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      cgroups: string;
      disk: { freeBytes: number };
      dataPlane: string;
      tools: Array<{ name: string; present: boolean; version: string | null; disables: string }>;
    };
    expect(['v1', 'v2', 'hybrid', 'none']).toContain(report.cgroups);
    expect(report.disk.freeBytes).toBeGreaterThan(0);
    // auto, resolved: install-system-deps installs nginx's Lua module.
    expect(report.dataPlane).toBe('nginx');
    expect(report.tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    // install-system-deps runs before the tests, so ffmpeg is here and its real version is read.
    const ffmpeg = report.tools.find((t) => t.name === 'ffmpeg');
    expect(ffmpeg?.present).toBe(true);
    expect(ffmpeg?.version).toMatch(/^\d+\.\d+/);
    for (const t of report.tools.filter((x) => !x.present)) expect(t.disables.length).toBeGreaterThan(0);
  });
  it('exits 78 with one message per bad setting', () => {
    const run = spawnSync(process.execPath, [CLI, 'doctor'], { env: { ...process.env, PITCHEY_PORT: 'x', PITCHEY_ENV: 'prod' }, encoding: 'utf8' });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('PITCHEY_PORT');
    expect(run.stderr).toContain('PITCHEY_ENV');
  });
});
