// The web dashboard as operators use it, in a real headless Chromium against a running platform
// with a live canary under load: canary-vs-stable charts draw and grow as the analysis runs; each
// rule's verdict shows with its evidence; a signer's click records a sign-off under that person's
// own key; a read-only key sees no action and the server refuses it anyway; an admin's click
// (after a confirmation, which can be cancelled) aborts the deployment, which rolls back, and its
// record opens from the history. Screenshots go to docs/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/deploy/releases.js';
import { keyId } from '../../src/kit/index.js';
import { TEST_KEY, VIDEO_ONLY_KEY } from '../helpers.js';
import { openPage, type Page } from '../support/chromium.js';
import { startLoad, type Load } from './load.js';
import { ADMIN_HEADERS, startUp, waitFor, type UpProcess } from './platform.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SHOTS = `${ROOT}docs/screenshots`;
// People's keys (`key:scopes@holder`): alice acts (admin); bob holds two sign-off roles and may not act.
const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef';
let up: UpProcess;
let load: Load;
let id: string;
const pages: Page[] = [];

async function call<T>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}
async function open(key: string): Promise<Page> {
  const page = await openPage(`${up.gateway}/dashboard#key=${key}`);
  pages.push(page);
  try {
    await page.waitFor(`document.querySelector('section.deployment.live[data-id="${id}"] .actions')`, 20_000);
  } catch (err) {
    throw new Error(`the page shows no live deployment: ${await page.evaluate<string>('document.body.innerText')}`, { cause: err });
  }
  return page;
}
const card = (): string => `document.querySelector('section.deployment[data-id="${id}"]')`;
/** [metric, track, points] of every line drawn in the deployment's charts. */
const lines = (): string => `Array.from(${card()}?.querySelectorAll('path.line') ?? [], (p) => [p.closest('figure').dataset.metric, p.dataset.track, Number(p.dataset.points)])`;
async function confirmDialog(page: Page, answer: 'ok' | 'cancel', text = ''): Promise<void> {
  await page.waitFor(`document.getElementById('confirm').open`);
  if (text) await page.evaluate(`document.getElementById('confirm-input').value = ${JSON.stringify(text)}`);
  await page.evaluate(`document.getElementById('confirm-${answer}').click()`);
}

beforeAll(async () => {
  up = await startUp({
    env: {
      PITCHEY_API_KEYS: [TEST_KEY, `${VIDEO_ONLY_KEY}:video`, `${ALICE}:admin@alice`, `${BOB}:qa-lead+devops-engineer@bob`].join(','),
      PITCHEY_VERSION: 'v1',
      // Verdicts within seconds; the promotion (after a 10-minute step) needs both roles signed.
      PITCHEY_ANALYSIS_INTERVAL_MS: '250',
      PITCHEY_ANALYSIS_WINDOW_MS: '3000',
      PITCHEY_SIGNOFFS: 'qa-lead,devops-engineer',
    },
  });
  buildRelease({ projectRoot: ROOT, releasesDir: `${up.dataDir}/releases`, version: 'v2' });
  load = startLoad(`${up.gateway}/api/ai/models`, 20);
  const res = await fetch(`${up.gateway}/_pitchey/admin/deployments`, {
    method: 'POST',
    headers: ADMIN_HEADERS,
    body: JSON.stringify({ service: 'ai', version: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 600_000 }),
  });
  expect(res.status).toBe(201);
  id = ((await res.json()) as { id: string }).id;
}, 180_000);
afterAll(async () => {
  for (const p of pages) await p.close();
  await load?.stop();
  up?.remove();
});

describe('the web dashboard with a live canary', { timeout: 90_000 }, () => {
  it('draws canary and stable error rate and p95 charts that grow as the analysis runs, beside each rule with its evidence', async () => {
    const page = await open(BOB);
    const first = await page.waitFor<Array<[string, string, number]>>(`((l) => l.length === 4 && l)(${lines()})`);
    expect(first.map(([metric, track]) => `${metric}/${track}`).sort()).toEqual(['errorRate/canary', 'errorRate/stable', 'p95Ms/canary', 'p95Ms/stable']);
    const canaryPoints = first.find(([m, t]) => m === 'p95Ms' && t === 'canary')?.[2] ?? 0;
    expect(canaryPoints).toBeGreaterThan(0);
    // The page refreshes every 5 s: the canary's line gains points as traffic is analysed.
    await page.waitFor(`${lines()}.some(([m, t, n]) => m === 'p95Ms' && t === 'canary' && n > ${canaryPoints})`, 30_000);
    const rules = await page.waitFor<string[][]>(
      `((rows) => rows.length > 1 && rows[1][0] !== '(no verdict yet)' && rows)(Array.from(${card()}.querySelectorAll('table.rules tr'), (tr) => Array.from(tr.cells, (c) => c.textContent)))`,
    );
    expect(rules[0]).toEqual(['rule', 'verdict', 'observed', 'threshold', 'samples (canary / stable)', 'statistic', 'reason']);
    const detail = (await call<{ assessments: Array<{ ruleId: string }> }>('GET', `/deployments/${id}`, TEST_KEY)).json;
    expect(rules.slice(1).map((r) => r[0])).toEqual(expect.arrayContaining(detail.assessments.map((a) => a.ruleId).slice(0, 1)));
    for (const r of rules.slice(1)) expect(r[4]).toMatch(/^\d+ \/ \d+$/);
  });

  it("records a sign-off clicked by a signer under that person's own key, and shows a refusal as the problem's title and detail", async () => {
    const page = await open(BOB);
    expect(await page.evaluate<string>(`document.getElementById('who').textContent`)).toBe('bob · signs off as qa-lead, devops-engineer');
    expect(await page.evaluate<string[]>(`Array.from(${card()}.querySelectorAll('.actions button'), (b) => b.textContent)`)).toEqual(['Sign off as qa-lead', 'Sign off as devops-engineer']);
    await page.evaluate(`${card()}.querySelector('button.signoff').click()`);
    await confirmDialog(page, 'ok', 'canary looks fine');
    await page.waitFor(`document.getElementById('notice').className === 'ok'`);
    const d = (await call<{ signoffs: { approvals: Array<{ role: string; name: string; credential: string; comment: string | null }> } }>('GET', `/deployments/${id}`, ALICE)).json;
    expect(d.signoffs.approvals).toEqual([expect.objectContaining({ role: 'qa-lead', name: 'bob', credential: keyId(BOB), comment: 'canary looks fine' })]);
    // A second role by the same person: the controller refuses, and the page says what the API says.
    const refusal = await call<{ title: string; detail: string }>('POST', `/deployments/${id}/approvals`, BOB, { role: 'devops-engineer' });
    expect(refusal.status).toBe(422);
    await page.evaluate(`${card()}.querySelectorAll('button.signoff')[1].click()`);
    await confirmDialog(page, 'ok');
    await page.waitFor(`document.getElementById('notice').className === 'error'`);
    expect(await page.evaluate<string>(`document.getElementById('notice').textContent`)).toBe(`${refusal.json.title}: ${refusal.json.detail}`);
    await page.screenshot(`${SHOTS}/dashboard-signer.png`);
  });

  it('shows a read-only key every view and no action, and the server refuses the actions anyway', async () => {
    const page = await open(VIDEO_ONLY_KEY);
    expect(await page.evaluate<string>(`document.getElementById('who').textContent`)).toBe(`${keyId(VIDEO_ONLY_KEY)} · read-only`);
    await page.waitFor(`${lines()}.length === 4`);
    expect(await page.evaluate<number>(`document.querySelectorAll('button.promote, button.resume, button.abort, button.rollback, button.signoff, button.record').length`)).toBe(0);
    const refusals = await Promise.all([
      call<{ code: string }>('POST', `/deployments/${id}/abort`, VIDEO_ONLY_KEY, {}),
      call<{ code: string }>('POST', `/deployments/${id}/promote`, BOB, {}),
      call<{ code: string }>('POST', '/rollback', BOB, { service: 'ai', emergency: true, reason: 'no' }),
      call<{ code: string }>('POST', `/deployments/${id}/approvals`, VIDEO_ONLY_KEY, { role: 'qa-lead' }),
      call<{ code: string }>('GET', `/deployments/${id}/record`, VIDEO_ONLY_KEY),
    ]);
    for (const r of refusals) expect([r.status, r.json.code]).toEqual([403, 'SCOPE_MISSING']);
    expect((await call<{ live: boolean }>('GET', `/deployments/${id}`, TEST_KEY)).json.live).toBe(true);
  });

  it('aborts the deployment when an admin clicks Abort and confirms (not when they cancel), then opens its record from the history', async () => {
    const page = await open(ALICE);
    await page.waitFor(`${lines()}.length === 4`);
    await page.screenshot(`${SHOTS}/dashboard-canary.png`, 1100);
    await page.evaluate(`${card()}.querySelector('button.abort').click()`);
    await page.waitFor(`document.getElementById('confirm').open`);
    await page.screenshot(`${SHOTS}/dashboard-confirm-abort.png`);
    // Cancelled by its button; a dialog closed any other way (Escape) is a cancel too. Twice in CI
    // the dialog was found closed after the screenshot (cause not found): either way, nothing is done.
    await page.evaluate(`document.getElementById('confirm').open && document.getElementById('confirm-cancel').click()`);
    expect((await call<{ live: boolean }>('GET', `/deployments/${id}`, ALICE)).json.live).toBe(true);
    await page.evaluate(`${card()}.querySelector('button.abort').click()`);
    await confirmDialog(page, 'ok');
    const ended = await waitFor(
      'the aborted deployment to roll back',
      async () => {
        const d = (await call<{ live: boolean; phase: string; reason: string }>('GET', `/deployments/${id}`, ALICE)).json;
        return d.live ? undefined : d;
      },
      60_000,
    );
    expect(ended).toMatchObject({ phase: 'rolled-back', reason: expect.stringContaining('aborted by alice') as unknown });
    const pool = (await call<{ pools: Array<{ service: string; instances: Array<{ track: string; version: string }> }> }>('GET', '/pools', ALICE)).json.pools.find((p) => p.service === 'ai');
    expect(pool?.instances.map((i) => `${i.track}:${i.version}`)).toEqual(['stable:v1']);
    await page.waitFor(`document.querySelector('#history tr[data-id="${id}"]')?.textContent.includes('rolled-back')`);
    await page.evaluate(`document.querySelector('#history tr[data-id="${id}"] button.record').click()`);
    const title = await page.waitFor<string>(`!document.getElementById('record').hidden && document.querySelector('#record-body h1')?.textContent`);
    expect(title).toBe(`Deployment record ${id}`);
    await page.evaluate(`document.getElementById('record').scrollIntoView()`);
    await page.screenshot(`${SHOTS}/dashboard-record.png`);
    // The rollback alone may take up to its wait's minute on a busy machine: more than the default 30 s.
  }, 90_000);

  it('serves the page and its assets under a strict CSP, and validates the chart route', async () => {
    for (const path of ['/dashboard', '/dashboard/app.js', '/dashboard/app.css']) {
      const res = await fetch(`${up.gateway}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'; style-src 'self'");
    }
    const bad = await call<{ code: string }>('GET', `/stats/ai/series?sinceMs=0&stepMs=10`, VIDEO_ONLY_KEY);
    expect([bad.status, bad.json.code]).toEqual([400, 'VALIDATION_FAILED']);
    const unknown = await call<{ code: string }>('GET', `/stats/nope/series?sinceMs=0`, VIDEO_ONLY_KEY);
    expect(unknown.status).toBe(404);
  });
});
