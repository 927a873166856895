// The run pool over HTTP: a full queue answers 429 with Retry-After, and a run whose client hangs
// up while it waits leaves the queue without its program ever starting.
import { readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../helpers.js';
import { startCodeService, strayProcesses, type CodeTestService } from './support.js';

const slow = { language: 'python', code: 'import time\ntime.sleep(3)', limits: { wall_ms: 10_000 } };

async function concurrency(svc: CodeTestService): Promise<{ running: number; queued: number }> {
  const policy = (await (await fetch(`${svc.base}/security-policies`)).json()) as { concurrency: { running: number; queued: number } };
  return { running: policy.concurrency.running, queued: policy.concurrency.queued };
}

describe('a full queue', () => {
  it('answers 429 with Retry-After once the slots and the queue are taken', async () => {
    const small = await startCodeService({ PITCHEY_CODE_CONCURRENCY: '1', PITCHEY_CODE_QUEUE: '1' });
    try {
      const busy = [small.post('/execute', slow), small.post('/execute', slow)];
      await expect.poll(() => concurrency(small), { timeout: 5_000, interval: 20 }).toEqual({ running: 1, queued: 1 });
      const third = await small.post('/execute', slow);
      expect(third.status).toBe(429);
      expect(third.body.code).toBe('QUEUE_FULL');
      expect(third.body.detail).toMatch(/^All 1 sandbox slots are busy and 1 runs are waiting; retry in \d+ s\.$/);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await Promise.all(busy)).map((r) => r.body.status)).toEqual(['completed', 'completed']);
    } finally {
      await small.stop();
    }
  });
});

describe('a client that hangs up while its run waits', () => {
  it('takes the run out of the queue: its program never starts', async () => {
    const small = await startCodeService({ PITCHEY_CODE_CONCURRENCY: '1', PITCHEY_CODE_QUEUE: '2' });
    // Every run starts by making its folder in the sandbox root: one folder name per started run.
    const [root] = readdirSync(small.workDir);
    const started = new Set<string>();
    const watcher = watch(join(small.workDir, root!), (_event, name) => {
      if (name?.startsWith('run-')) started.add(name);
    });
    try {
      const holder = small.post('/execute', slow);
      await expect.poll(() => concurrency(small), { timeout: 5_000, interval: 20 }).toEqual({ running: 1, queued: 0 });
      const gone = new AbortController();
      const abandoned = fetch(`${small.base}/execute`, {
        method: 'POST',
        signal: gone.signal,
        headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'python', code: 'print("must never run")' }),
      });
      await expect.poll(() => concurrency(small), { timeout: 2_000, interval: 20 }).toEqual({ running: 1, queued: 1 });
      gone.abort();
      await expect(abandoned).rejects.toThrow();
      await expect.poll(() => concurrency(small), { timeout: 2_000, interval: 20 }).toEqual({ running: 1, queued: 0 });
      // First come, first served: had the abandoned run stayed in line, it would start before this one.
      const next = await small.post('/execute', { language: 'python', code: 'print("next")' });
      expect([next.body.status, next.body.stdout]).toEqual(['completed', 'next\n']);
      expect((await holder).body.status).toBe('completed');
      expect(started.size).toBe(2);
      expect(strayProcesses(small.workDir)).toEqual([]);
    } finally {
      watcher.close();
      await small.stop();
    }
  });
});

describe('a client that hangs up while its run executes', () => {
  it('has the program killed at once, not at its wall limit', async () => {
    const small = await startCodeService({ PITCHEY_CODE_CONCURRENCY: '1', PITCHEY_CODE_QUEUE: '1' });
    try {
      const gone = new AbortController();
      const abandoned = fetch(`${small.base}/execute`, {
        method: 'POST',
        signal: gone.signal,
        headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'python', code: 'import time\ntime.sleep(20)', limits: { wall_ms: 25_000 } }),
      });
      await expect.poll(() => concurrency(small), { timeout: 5_000, interval: 20 }).toEqual({ running: 1, queued: 0 });
      await sleep(300); // well inside the program's sleep
      const abortedAt = Date.now();
      gone.abort();
      await expect(abandoned).rejects.toThrow();
      await expect.poll(() => concurrency(small), { timeout: 5_000, interval: 20 }).toEqual({ running: 0, queued: 0 });
      expect(Date.now() - abortedAt).toBeLessThan(5_000);
      expect(strayProcesses(small.workDir)).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});
