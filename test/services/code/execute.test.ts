import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { leftoverCgroups, leftovers, startCodeService, strayProcesses, type CodeTestService } from './support.js';

let s: CodeTestService;
beforeAll(async () => { s = await startCodeService(); });
afterAll(async () => {
  expect(strayProcesses()).toEqual([]);
  expect(leftoverCgroups()).toEqual([]);
  expect(leftovers(s.workDir).filter((f) => f.includes('/'))).toEqual([]);
  const work = s.workDir;
  await s.stop();
  expect(existsSync(work)).toBe(false);
});

describe('POST /execute', () => {
  it('runs Python with stdin, args and inputs', async () => {
    const r = await s.post('/execute', { language: 'python', code: 'import sys\nprint(sys.stdin.read().upper(), sys.argv[1:], inputs["n"] * 2)', stdin: 'hi', args: ['a'], inputs: { n: 21 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'completed', stdout: "HI ['a'] 42\n", return_code: 0, language: 'python' });
    expect(r.body.cpu_time_ms).toEqual(expect.any(Number));
    expect(r.body.memory_peak_kb).toEqual(expect.any(Number));
  });
});
