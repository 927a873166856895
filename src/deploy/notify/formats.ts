// A notification as each receiver kind reads it: a generic JSON document (signed), a Slack
// incoming-webhook message, or a Microsoft Teams MessageCard. All are plain JSON POSTs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NotifyFormat } from '../../kit/index.js';
import type { Notification } from './events.js';

const COLOURS = { info: '2EB67D', warning: 'ECB22E', critical: 'E01E5A' } as const;

function title(n: Notification): string {
  return `[${n.env}] ${n.summary}`;
}

/** The body a receiver of `format` gets for `n`; `id` is the delivery's, stable across retries. */
export function render(n: Notification, format: NotifyFormat, id: string): string {
  switch (format) {
    case 'json':
      return JSON.stringify({
        id,
        event: n.event,
        env: n.env,
        deployment: n.deploymentId,
        service: n.service,
        at: new Date(n.at).toISOString(),
        severity: n.severity,
        summary: n.summary,
        data: n.data,
      });
    case 'slack':
      return JSON.stringify({
        text: title(n),
        attachments: [
          { color: `#${COLOURS[n.severity]}`, fields: [{ title: 'event', value: n.event, short: true }, ...(n.deploymentId ? [{ title: 'deployment', value: n.deploymentId, short: true }] : [])] },
        ],
      });
    case 'teams':
      return JSON.stringify({
        '@type': 'MessageCard',
        '@context': 'https://schema.org/extensions',
        summary: title(n),
        themeColor: COLOURS[n.severity],
        title: title(n),
        sections: [{ facts: [{ name: 'event', value: n.event }, ...(n.deploymentId ? [{ name: 'deployment', value: n.deploymentId }] : [])] }],
      });
  }
}

/**
 * `X-Pitchey-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` — the timestamp is
 * signed with the body, so a captured delivery cannot be replayed later than the receiver allows.
 */
export function sign(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** A receiver's check of a signature: right key, same body, and signed within `toleranceS`. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowMs: number, toleranceS = 300): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (m === null) return false;
  const t = Number(m[1]);
  if (Math.abs(nowMs / 1000 - t) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}
