// The runner's side of job files across hosts, in process: on the accepting disk nothing moves (the
// output names its home); on another, a fetch that fails (origin down, more bytes than recorded) is
// a retryable job failure that leaves no copy or part file behind. The two-host flow itself is test/e2e/job-files-hosts.
import { createServer } from 'node:http';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_INPUTS_DIR, JobError, type JobContext, type JobHandler } from '../../src/jobs/index.js';
import { checkJobToken, newTransfer, withJobTransfers } from '../../src/kit/job-transfer.js';
import { cleanupsAfterEach, freePort, makeTempDir } from '../helpers.js';

const cleanups = cleanupsAfterEach();

function contextFor(workDir: string, payload: unknown): JobContext {
  const job = { id: 'job-1', payload } as JobContext['job'];
  return { job, payload, signal: new AbortController().signal, workDir, progress: () => undefined };
}

function wrapped(seen: unknown[]): JobHandler {
  const handler: JobHandler = async (ctx) => {
    seen.push(ctx.payload);
    return { result: { ok: true, output: { path: join(ctx.workDir, 'out.bin') } }, files: ['out.bin'] };
  };
  const run = withJobTransfers({ t: handler }).t;
  if (run === undefined) throw new Error('no handler');
  return run;
}

function workDirIn(): string {
  const tmp = makeTempDir();
  cleanups.push(tmp.remove);
  return join(tmp.dir, 'job-1');
}

describe('job transfers, runner side', () => {
  it('on the accepting disk runs on the inputs in place and fetches nothing', async () => {
    const workDir = workDirIn();
    mkdirSync(join(workDir, JOB_INPUTS_DIR), { recursive: true });
    const path = join(workDir, JOB_INPUTS_DIR, 'input-0.bin');
    writeFileSync(path, 'abc');
    // An origin nobody listens on: any fetch would fail the job.
    const payload = { inputs: [{ path, filename: 'a.bin', mime: 'application/octet-stream', size: 3 }], transfer: newTransfer(`http://127.0.0.1:${await freePort()}`) };
    const seen: unknown[] = [];
    // The output stays, named with this instance's address for instances on other hosts to ask.
    const output = { path: join(workDir, 'out.bin'), host: payload.transfer.origin };
    await expect(wrapped(seen)(contextFor(workDir, payload))).resolves.toEqual({ result: { ok: true, output }, files: ['out.bin'] });
    expect(seen).toEqual([payload]);
    expect(existsSync(path)).toBe(true);
  });

  it('on another disk, an unreachable origin is a retryable failure and the copy is removed', async () => {
    const workDir = workDirIn();
    const payload = {
      inputs: [{ path: '/elsewhere/job-1/inputs/input-0.bin', filename: 'a.bin', mime: 'application/octet-stream', size: 3 }],
      transfer: newTransfer(`http://127.0.0.1:${await freePort()}`),
    };
    const seen: unknown[] = [];
    const failure = await wrapped(seen)(contextFor(workDir, payload)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(JobError);
    expect([(failure as JobError).code, (failure as JobError).retryable]).toEqual(['JOB_TRANSFER_FAILED', true]);
    expect(seen).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
  });

  it('refuses an input longer than recorded, leaving no part file', async () => {
    const server = createServer((_req, res) => res.end(Buffer.alloc(5000)));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const workDir = workDirIn();
    const payload = { inputs: [{ path: '/elsewhere/job-1/inputs/input-0.bin', filename: 'a.bin', mime: 'application/octet-stream', size: 100 }], transfer: newTransfer(origin) };
    const failure = await wrapped([])(contextFor(workDir, payload)).catch((err: unknown) => err);
    expect((failure as JobError).code).toBe('JOB_TRANSFER_FAILED');
    expect((failure as JobError).message).toContain('larger than the 100 bytes recorded');
    expect(existsSync(workDir)).toBe(false);
  });

  it("accepts only the job's own token", () => {
    const payload = { transfer: newTransfer('http://a:1') };
    expect(() => checkJobToken(payload, payload.transfer.token)).not.toThrow();
    for (const presented of [undefined, '', `${payload.transfer.token}x`, [payload.transfer.token]]) {
      expect(() => checkJobToken(payload, presented)).toThrow(expect.objectContaining({ code: 'JOB_TOKEN_INVALID', status: 403 }));
    }
    expect(() => checkJobToken({}, 'anything')).toThrow(expect.objectContaining({ code: 'JOB_TOKEN_INVALID' }));
  });
});
