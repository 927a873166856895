// The process runner with real programs: what a caller sees when a tool is missing, and that a
// tool dies with the process that started it, even one killed with SIGKILL.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/kit/index.js';
import { cleanupsAfterEach, makeTempDir, until } from '../helpers.js';
import { bundleEntry, isRunning, killIfRunning } from '../support/processes.js';

const cleanups = cleanupsAfterEach();

describe('runProcess', () => {
  it('reports a program that is not installed as a spawn error, and one exiting 127 itself as an exit', async () => {
    const missing = await runProcess('pitchey-no-such-tool', ['--version'], { timeoutMs: 5_000 });
    expect([missing.spawnError, missing.stderr]).toEqual(['spawn pitchey-no-such-tool ENOENT', '']);
    const own = await runProcess('sh', ['-c', 'echo failed to execute >&2; exit 127'], { timeoutMs: 5_000 });
    expect([own.spawnError, own.exitCode, own.stderr]).toEqual([null, 127, 'failed to execute\n']);
  });

  it('kills the tool when the process that started it is SIGKILLed', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const parent = spawn(process.execPath, [await bundleEntry(new URL('../support/tool-parent.ts', import.meta.url), tmp.dir)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    cleanups.push(() => killIfRunning(parent.pid));
    const toolPid = await until(
      "the tool's pid",
      () => {
        const m = /^(\d+)\n/.exec(out);
        return m === null ? undefined : Number(m[1]);
      },
      10_000,
    );
    cleanups.push(() => killIfRunning(toolPid));
    expect(isRunning(toolPid)).toBe(true);
    parent.kill('SIGKILL');
    const killedAt = Date.now();
    await until('the tool to die', () => (isRunning(toolPid) ? undefined : true), 3_000);
    console.info(`tool gone ${Date.now() - killedAt} ms after its parent was SIGKILLed`);
  });
});
