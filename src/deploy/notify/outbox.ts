// Notifications that survive failure: each is written to the controller's store before anything is
// sent (an outbox), delivered by a loop with retries and exponential backoff, and picked up again
// after a restart. The rows are the delivery log a deployment's record shows.
import { randomUUID } from 'node:crypto';
import type { NotifyReceiver } from '../../kit/index.js';
import type { ControllerDb } from '../store.js';
import { toNotification, type AuditInput } from './events.js';
import { render, sign } from './formats.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS notifications (id TEXT PRIMARY KEY, deployment_id TEXT, receiver TEXT NOT NULL, event TEXT NOT NULL,
  body TEXT NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL, status TEXT NOT NULL,
  last_error TEXT, delivered_at INTEGER);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications(status, next_at);
CREATE INDEX IF NOT EXISTS notifications_deployment ON notifications(deployment_id);`;

export interface Delivery {
  id: string;
  deploymentId: string | null;
  receiver: string;
  event: string;
  body: string;
  createdAt: number;
  attempts: number;
  nextAt: number;
  status: 'pending' | 'delivered' | 'failed';
  lastError: string | null;
  deliveredAt: number | null;
}

interface RawDelivery {
  id: string;
  deployment_id: string | null;
  receiver: string;
  event: string;
  body: string;
  created_at: number;
  attempts: number;
  next_at: number;
  status: Delivery['status'];
  last_error: string | null;
  delivered_at: number | null;
}

const toDelivery = (r: RawDelivery): Delivery => ({
  id: r.id,
  deploymentId: r.deployment_id,
  receiver: r.receiver,
  event: r.event,
  body: r.body,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAt: r.next_at,
  status: r.status,
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
});

export interface NotifierOptions {
  now?: () => number;
  /** How long one POST may take. Default 5 s. */
  timeoutMs?: number;
  /** Attempts before a delivery is given up as failed. Default 8. */
  maxAttempts?: number;
  /** First retry delay, doubled after each failure up to maxDelayMs. Defaults 1 s and 5 min. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How often due deliveries are looked for. Default 250 ms. */
  pollMs?: number;
  log?: (message: string) => void;
}

/** Deliveries of one deployment, oldest first: its record's delivery log. */
export function readDeliveries(db: ControllerDb, deploymentId: string): Delivery[] {
  db.exec(SCHEMA);
  return (db.prepare('SELECT * FROM notifications WHERE deployment_id = ? ORDER BY created_at, rowid').all(deploymentId) as RawDelivery[]).map(toDelivery);
}

export class Notifier {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly db: ControllerDb,
    private readonly receivers: readonly NotifyReceiver[],
    private readonly options: NotifierOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    db.exec(SCHEMA);
  }

  /** Writes one delivery per receiver that wants this event; sending happens in the loop. */
  publish(event: AuditInput, service: string | null): void {
    const n = toNotification(event, service);
    if (n === null) return;
    const insert = this.db.prepare(`INSERT INTO notifications (id, deployment_id, receiver, event, body, created_at, attempts, next_at, status) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 'pending')`);
    for (const r of this.receivers) {
      if ((r.events !== '*' && !r.events.includes(n.event)) || (r.envs !== '*' && !r.envs.includes(n.env))) continue;
      const id = randomUUID();
      insert.run(id, n.deploymentId, r.name, n.event, render(n, r.format, id), this.now(), this.now());
    }
  }

  start(): void {
    if (this.receivers.length === 0 || this.timer !== null) return;
    this.timer = setInterval(() => {
      this.running ??= this.deliverDue().finally(() => {
        this.running = null;
      });
    }, this.options.pollMs ?? 250);
    this.timer.unref(); // the platform's servers keep the process alive, not its notifier
  }

  /** Stops the loop and waits for the deliveries in flight; pending ones stay for the next start. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Sends every delivery that is due now; exported for tests that drive the clock. */
  async deliverDue(): Promise<void> {
    const due = (this.db.prepare(`SELECT * FROM notifications WHERE status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT 50`).all(this.now()) as RawDelivery[]).map(toDelivery);
    await Promise.all(due.map((d) => this.deliver(d)));
  }

  private async deliver(d: Delivery): Promise<void> {
    const receiver = this.receivers.find((r) => r.name === d.receiver);
    if (receiver === undefined) {
      this.settle(d, 'failed', 'the receiver is no longer configured');
      return;
    }
    let error: string | null;
    try {
      const res = await fetch(receiver.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'pitchey-notifier',
          'x-pitchey-event': d.event,
          'x-pitchey-delivery': d.id,
          ...(receiver.secret === null ? {} : { 'x-pitchey-signature': sign(receiver.secret, d.body, this.now()) }),
        },
        body: d.body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      await res.arrayBuffer();
      error = res.ok ? null : `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message;
    }
    if (error === null) this.settle(d, 'delivered', null);
    else this.retryOrFail(d, error);
  }

  private retryOrFail(d: Delivery, error: string): void {
    const attempts = d.attempts + 1;
    if (attempts >= (this.options.maxAttempts ?? 8)) {
      this.settle(d, 'failed', error);
      this.options.log?.(`notification ${d.event} to ${d.receiver} failed after ${attempts} attempts: ${error}`);
      return;
    }
    const delay = Math.min(this.options.maxDelayMs ?? 300_000, (this.options.baseDelayMs ?? 1_000) * 2 ** (attempts - 1));
    this.db.prepare('UPDATE notifications SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?').run(attempts, this.now() + delay, error, d.id);
  }

  private settle(d: Delivery, status: 'delivered' | 'failed', error: string | null): void {
    this.db.prepare('UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, delivered_at = ? WHERE id = ?').run(status, error, status === 'delivered' ? this.now() : null, d.id);
  }
}
