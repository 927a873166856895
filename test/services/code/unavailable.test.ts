// When the sandbox cannot be built, nothing runs unconfined: every run is refused with 503 and the
// reason, readiness fails, the catalogs say so, and what needs no sandbox (JavaScript parsing) still answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodeService, type CodeTestService } from './support.js';

// A work dir the sandbox uid cannot traverse (mkdtemp makes it 0700): bubblewrap cannot bind the run folder.
const closed = mkdtempSync(join(tmpdir(), 'pitchey-code-closed-'));
let s: CodeTestService;
beforeAll(async () => {
  s = await startCodeService({ PITCHEY_CODE_WORK_DIR: closed });
});
afterAll(async () => {
  await s.stop();
  rmSync(closed, { recursive: true, force: true });
});

describe('no sandbox, no run', () => {
  it('refuses /execute and /functions/…/invoke with 503 SANDBOX_UNAVAILABLE and the reason', async () => {
    const r = await s.post('/execute', { language: 'python', code: 'print(1)' });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    expect(r.body.detail).toMatch(/Permission denied/);
    const deployed = await s.post('/deploy', { deployment_name: 'hello', language: 'javascript', code: 'console.log(1)' });
    expect(deployed.status).toBe(201);
    expect((await s.post('/functions/hello/invoke', {})).status).toBe(503);
  });
  it('refuses Python and SQL validation (analyzed in the sandbox) but parses JavaScript', async () => {
    expect((await s.post('/validate', { language: 'python', code: 'print(1)' })).status).toBe(503);
    const js = await s.post('/validate', { language: 'javascript', code: 'eval("1")' });
    expect(js.status).toBe(200);
    expect(js.body).toMatchObject({ safe: false });
  });
  it('is not ready, naming the sandbox and why, while it is still alive', async () => {
    const ready = await fetch(`${s.base}/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { code: string; checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(body.code).toBe('NOT_READY');
    expect(body.checks.find((c) => c.name === 'sandbox')).toMatchObject({ ok: false, detail: expect.stringContaining('smoke test') });
    expect((await fetch(`${s.base}/health`)).status).toBe(200);
  });
  it('says so in /languages and /security-policies', async () => {
    const langs = (await (await fetch(`${s.base}/languages`)).json()) as { languages: Array<{ available: boolean; reason: string }> };
    expect(langs.languages.every((l) => !l.available && l.reason.length > 0)).toBe(true);
    const policy = (await (await fetch(`${s.base}/security-policies`)).json()) as { sandbox: { available: boolean; reason: string } };
    expect(policy.sandbox).toMatchObject({ available: false, reason: expect.stringContaining('smoke test') });
  });
});
