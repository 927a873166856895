// Notifications against real local HTTP receivers: one that checks the signature, one that fails
// before it recovers, one too slow to answer, Slack- and Teams-shaped ones; filters; and deliveries
// left pending by one notifier sent by the next (a restart), all from the controller's store.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notifier, readDeliveries } from '../../../src/deploy/notify/outbox.js';
import { verifySignature } from '../../../src/deploy/notify/formats.js';
import type { AuditInput } from '../../../src/deploy/notify/events.js';
import { openControllerDb } from '../../../src/deploy/store.js';
import { parseReceivers } from '../../../src/kit/settings/index.js';
import { makeTempDir } from '../../helpers.js';

const SECRET = 'receiver-secret-0123456789';
interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Record<string, Received[]> = { signed: [], flaky: [], slow: [], slack: [], teams: [] };
let failuresLeft = 2;
let server: Server;
let base: string;
const tmp = makeTempDir('pitchey-notify-');

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const name = (req.url ?? '/').slice(1);
      received[name]?.push({ headers: req.headers, body });
      if (name === 'signed') res.writeHead(verifySignature(SECRET, req.headers['x-pitchey-signature'] as string | undefined, body, Date.now()) ? 204 : 401).end();
      else if (name === 'flaky') res.writeHead(failuresLeft-- > 0 ? 503 : 200).end('ok');
      else if (name === 'slow') setTimeout(() => res.writeHead(200).end(), 3_000);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  tmp.remove();
});

const event = (kind: string, data: Record<string, unknown>, env = 'production'): AuditInput => ({ at: Date.now(), env, deploymentId: 'dep-1', kind, actor: 'alice', data });

describe('notifications', () => {
  it('delivers each event its receivers asked for, signed, retried with backoff, and given up on a receiver too slow to answer', async () => {
    const db = openControllerDb(`${tmp.dir}/a.db`);
    const receivers = parseReceivers(
      JSON.stringify([
        { name: 'signed', url: `${base}/signed`, secret: SECRET },
        { name: 'flaky', url: `${base}/flaky`, events: ['deployment.rolled-back'] },
        { name: 'slow', url: `${base}/slow`, events: ['deployment.rolled-back'] },
        { name: 'slack', url: `${base}/slack`, format: 'slack', envs: ['staging'] },
        { name: 'teams', url: `${base}/teams`, format: 'teams', events: ['deployment.rolled-back'] },
      ]),
    );
    let clock = Date.now();
    // A timeout well above a loaded machine's answer time, and well below the slow receiver's.
    const notifier = new Notifier(db, receivers, { now: () => clock, timeoutMs: 1_000, maxAttempts: 3, baseDelayMs: 1_000 });
    notifier.publish(event('deployment.started', { strategy: 'canary', from: 'v1', to: 'v2' }), 'video');
    notifier.publish(event('action.stopInstances', {}), 'video'); // nobody is told about this one
    notifier.publish(event('deployment.rolled-back', { reason: 'rule error-rate failed' }), 'video');
    await notifier.deliverDue();
    for (const step of [1_000, 2_000]) {
      clock += step; // the backoff: 1 s, then 2 s
      await notifier.deliverDue();
    }
    const log = readDeliveries(db, 'dep-1');
    const by = (receiver: string) => log.filter((d) => d.receiver === receiver).map((d) => [d.event, d.status, d.attempts]);
    expect(by('signed')).toEqual([
      ['deployment.started', 'delivered', 1],
      ['deployment.rolled-back', 'delivered', 1],
    ]);
    expect(by('flaky')).toEqual([['deployment.rolled-back', 'delivered', 3]]);
    expect(by('slow')).toEqual([['deployment.rolled-back', 'failed', 3]]);
    expect(log.find((d) => d.receiver === 'slow')?.lastError).toBe('timed out');
    expect(by('slack')).toEqual([]); // staging only
    expect(by('teams')).toEqual([['deployment.rolled-back', 'delivered', 1]]);

    const signed = received.signed!.map((r) => JSON.parse(r.body) as { id: string; event: string; service: string; summary: string });
    expect(signed.map((b) => b.event)).toEqual(['deployment.started', 'deployment.rolled-back']);
    expect(signed[1]).toMatchObject({ service: 'video', summary: 'video: rolled back: rule error-rate failed' });
    expect(received.signed![0]!.headers['x-pitchey-delivery']).toBe(signed[0]!.id);
    // The same delivery id on every retry, so a receiver can drop duplicates.
    expect(new Set(received.flaky!.map((r) => r.headers['x-pitchey-delivery'])).size).toBe(1);
    expect(JSON.parse(received.teams![0]!.body)).toMatchObject({ '@type': 'MessageCard', themeColor: 'E01E5A', title: '[production] video: rolled back: rule error-rate failed' });
    expect(received.flaky!.every((r) => r.headers['x-pitchey-signature'] === undefined)).toBe(true);
  });

  it('refuses a forged or replayed signature', () => {
    const body = '{"event":"deployment.promoted"}';
    const now = Date.now();
    const header = `t=${Math.floor(now / 1000)},v1=${'0'.repeat(64)}`;
    expect(verifySignature(SECRET, header, body, now)).toBe(false);
    expect(verifySignature(SECRET, undefined, body, now)).toBe(false);
  });

  it('sends after a restart what the last run left pending', async () => {
    const db = openControllerDb(`${tmp.dir}/b.db`);
    const receivers = parseReceivers([{ name: 'slack', url: `${base}/slack`, format: 'slack' }]);
    new Notifier(db, receivers).publish(event('rollback.emergency', { service: 'ai', reason: 'pager' }), null); // the process dies here
    const before = received.slack!.length;
    const next = new Notifier(openControllerDb(`${tmp.dir}/b.db`), receivers);
    await next.deliverDue();
    expect(received.slack!.length).toBe(before + 1);
    expect(JSON.parse(received.slack!.at(-1)!.body)).toMatchObject({ text: '[production] ai: EMERGENCY ROLLBACK by alice: pager' });
  });

  it('refuses receivers it could not use, naming what is wrong', () => {
    expect(() => parseReceivers('[{"name":"x","url":"ftp://h/"}]')).toThrow(/url must be http or https/);
    expect(() => parseReceivers([{ name: 'x', url: 'http://h/', events: ['deployment.exploded'] }])).toThrow(/unknown event "deployment.exploded"/);
    expect(() => parseReceivers([{ name: 'x', url: 'http://h/', secret: 'short' }])).toThrow(/at least 16/);
    expect(() =>
      parseReceivers([
        { name: 'x', url: 'http://h/' },
        { name: 'x', url: 'http://g/' },
      ]),
    ).toThrow(/used twice/);
  });
});
