// Deployed functions: deploy (validated), invoke in the sandbox with JSON input, list, show,
// redeploy keeping the previous version, rollback, delete; stored under the service's data dir.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../helpers.js';
import { leftoverCgroups, startCodeService, strayProcesses, type CodeTestService } from './support.js';

let s: CodeTestService;
beforeAll(async () => {
  s = await startCodeService();
});
afterAll(async () => {
  expect(strayProcesses()).toEqual([]);
  expect(leftoverCgroups()).toEqual([]);
  await s.stop();
});

const get = async (path: string) => {
  const res = await fetch(`${s.base}${path}`, { headers: { 'x-api-key': TEST_KEY } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('deployable functions', () => {
  it('deploys, invokes with JSON input, redeploys, rolls back, lists, shows and deletes', async () => {
    const v1 = await s.post('/deploy', { deployment_name: 'double', language: 'python', code: 'import json\nprint(json.dumps({"result": inputs["x"] * 2}))' });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ deployment_name: 'double', version: 1, status: 'deployed', invoke_url: '/functions/double/invoke' });
    expect(existsSync(join(s.dataDir, 'functions.sqlite'))).toBe(true);

    const r1 = await s.post('/functions/double/invoke', { input: { x: 21 } });
    expect(r1.body).toMatchObject({ version: 1, status: 'completed', output: { result: 42 } });

    const v2 = await s.post('/deploy', { deployment_name: 'double', language: 'javascript', code: 'console.log(JSON.stringify({ result: inputs.x * 3 }))' });
    expect(v2.body).toMatchObject({ version: 2 });
    expect((await s.post('/functions/double/invoke', { input: { x: 2 } })).body).toMatchObject({ version: 2, language: 'javascript', output: { result: 6 } });

    const shown = await get('/functions/double');
    expect(shown.body).toMatchObject({ name: 'double', current_version: 2, versions: [1, 2] });
    const list = await get('/functions');
    expect(list.body.functions).toEqual([expect.objectContaining({ name: 'double', current_version: 2, versions: [1, 2] })]);

    const back = await s.post('/functions/double/rollback', {});
    expect(back.body).toMatchObject({ current_version: 1 });
    expect((await s.post('/functions/double/invoke', { input: { x: 5 } })).body).toMatchObject({ version: 1, output: { result: 10 } });
    expect((await s.post('/functions/double/rollback', {})).status).toBe(422);
    expect((await s.post('/functions/double/rollback', { version: 2 })).body).toMatchObject({ current_version: 2 });

    const del = await fetch(`${s.base}/functions/double`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
    expect(del.status).toBe(204);
    expect((await get('/functions/double')).body).toMatchObject({ status: 404, code: 'FUNCTION_NOT_FOUND' });
    expect((await s.post('/functions/double/invoke', {})).status).toBe(404);
  });
  it('binds JSON input as named parameters of a SQL function and returns its rows', async () => {
    await s.post('/deploy', { deployment_name: 'squares', language: 'sql', code: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :upto) SELECT i, i * i AS sq FROM n;' });
    const r = await s.post('/functions/squares/invoke', { input: { upto: 3 } });
    expect(r.body).toMatchObject({
      status: 'completed',
      output: [
        {
          columns: ['i', 'sq'],
          rows: [
            [1, 1],
            [2, 4],
            [3, 9],
          ],
        },
      ],
    });
  });
  it('refuses to deploy code that does not parse or is not safe, and limits above the maxima', async () => {
    const bad = await s.post('/deploy', { deployment_name: 'bad', language: 'python', code: 'def (' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toMatch(/not valid/);
    const unsafe = await s.post('/deploy', { deployment_name: 'bad', language: 'python', code: "__import__('subprocess').run(['id'])" });
    expect(unsafe.status).toBe(422);
    expect(unsafe.body.detail).toContain("__import__('subprocess')");
    const big = await s.post('/deploy', { deployment_name: 'bad', language: 'python', code: 'print(1)', limits: { wall_ms: 10_000_000 } });
    expect(big.status).toBe(422);
    expect((await get('/functions/bad')).status).toBe(404);
    expect((await s.post('/deploy', { deployment_name: '../etc', language: 'python', code: 'print(1)' })).status).toBe(400);
  });
  it('needs a key to deploy and invoke', async () => {
    const res = await fetch(`${s.base}/deploy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deployment_name: 'x', language: 'python', code: 'print(1)' }),
    });
    expect(res.status).toBe(401);
  });
});
