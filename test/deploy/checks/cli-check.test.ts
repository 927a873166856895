// `pitchey check` as the CLI runs it (in-process, through runCli): a table or JSON of the evidence, CheckFailed when
// any check fails, UsageError on a bad argument, ConfigError on a bad checks file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/run.js';
import { CheckFailed, UsageError } from '../../../src/cli/usage.js';
import { ConfigError } from '../../../src/kit/index.js';
import { makeTempDir } from '../../helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
let out: string[];
beforeEach(() => {
  tmp = makeTempDir('pitchey-cli-check-');
  out = [];
  vi.stubEnv('PITCHEY_DATA_DIR', tmp.dir);
  vi.stubEnv('PITCHEY_DEPLOY_ENV', 'staging');
  vi.spyOn(console, 'log').mockImplementation((line: string) => {
    out.push(line);
  });
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  tmp.remove();
});

describe('pitchey check', () => {
  it('prints JSON evidence for the env and throws CheckFailed naming the failed checks', async () => {
    writeFileSync(join(tmp.dir, 'checks.json'), JSON.stringify({ timeoutMs: 500 }));
    await expect(runCli(['check', '--json', '--env', 'production'])).rejects.toThrow(CheckFailed);
    const report = JSON.parse(out.join('\n')) as { env: string; passed: boolean; evidence: Array<{ check: string; status: string }> };
    expect(report.env).toBe('production');
    expect(report.passed).toBe(false);
    expect(report.evidence.find((e) => e.check === 'backups')?.status).toBe('fail');
  });
  it('prints a table with check, status, observed, threshold and source', async () => {
    await expect(runCli(['check'])).rejects.toThrow(/pre-deployment checks failed: .*backups/);
    expect(out[0]?.split('\n')[0]).toMatch(/^check\s+status\s+observed\s+threshold\s+source$/);
  });
  it('refuses unknown arguments and a checks file with bad values', async () => {
    await expect(runCli(['check', '--nope'])).rejects.toThrow(UsageError);
    await expect(runCli(['check', '--env'])).rejects.toThrow(UsageError);
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ capacity: { cpuPercent: -1 } }));
    await expect(runCli(['check', '--config', bad])).rejects.toThrow(ConfigError);
  });
});
