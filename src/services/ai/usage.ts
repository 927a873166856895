// Usage and cost per caller (tokens in/out, USD from the configured price table), kept in SQLite
// under the service's data dir, and the optional monthly budget per caller (429 when spent).
import Database from 'better-sqlite3';
import { Problem, Type, type Static } from '../../kit/index.js';
import type { Target } from './providers/generation.js';
import type { Usage } from './providers/provider.js';

/** One model's usage by a caller in a month (`GET /usage` answers these as they are stored). */
export const UsageRow = Type.Object({
  month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
  provider: Type.String(),
  model: Type.String(),
  requests: Type.Integer({ minimum: 0 }),
  input_tokens: Type.Integer({ minimum: 0 }),
  output_tokens: Type.Integer({ minimum: 0 }),
  cost_usd: Type.Number({ minimum: 0 }),
});
export type UsageRow = Static<typeof UsageRow>;

export interface UsageStore {
  record(principal: string, target: Target, usage: Usage, costUsd: number, now?: Date): void;
  /** USD spent by the caller in the UTC month of `now`. */
  spent(principal: string, now?: Date): number;
  rows(principal: string, now?: Date): UsageRow[];
  close(): void;
}

export const monthOf = (d: Date): string => d.toISOString().slice(0, 7);

export function priceOf(prices: Record<string, [number, number]>, target: Target, usage: Usage): { costUsd: number; priced: boolean } {
  const price = prices[`${target.provider}:${target.model}`];
  if (price === undefined) return { costUsd: 0, priced: false };
  return { costUsd: (usage.inputTokens * price[0] + usage.outputTokens * price[1]) / 1_000_000, priced: true };
}

export function createUsageStore(path: string): UsageStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Accounting survives a crash of the process; only a power cut may lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS usage (
    principal TEXT NOT NULL, month TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
    requests INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL,
    PRIMARY KEY (principal, month, provider, model))`);
  const upsert = db.prepare(`INSERT INTO usage VALUES (?, ?, ?, ?, 1, ?, ?, ?)
    ON CONFLICT (principal, month, provider, model) DO UPDATE SET requests = requests + 1,
    input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cost_usd = cost_usd + excluded.cost_usd`);
  const spent = db.prepare('SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM usage WHERE principal = ? AND month = ?');
  const rows = db.prepare('SELECT month, provider, model, requests, input_tokens, output_tokens, cost_usd FROM usage WHERE principal = ? AND month = ? ORDER BY provider, model');
  return {
    record(principal, target, usage, costUsd, now = new Date()) {
      if (!db.open) return; // a stream finishing during shutdown, after the store closed
      upsert.run(principal, monthOf(now), target.provider, target.model, usage.inputTokens, usage.outputTokens, costUsd);
    },
    spent: (principal, now = new Date()) => (spent.get(principal, monthOf(now)) as { usd: number }).usd,
    rows: (principal, now = new Date()) => rows.all(principal, monthOf(now)) as UsageRow[],
    close: () => db.close(),
  };
}

export function budgetOf(budgets: Record<string, number>, principal: string): number | null {
  return budgets[principal] ?? budgets['*'] ?? null;
}

/** Throws AI_BUDGET_EXCEEDED (429, Retry-After until the month turns) when the caller has spent its budget. */
export function assertWithinBudget(store: UsageStore, budgets: Record<string, number>, principal: string, now = new Date()): void {
  const budget = budgetOf(budgets, principal);
  if (budget === null) return;
  const spentUsd = store.spent(principal, now);
  if (spentUsd < budget) return;
  const resets = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  throw new Problem('AI_BUDGET_EXCEEDED', `This caller has spent $${spentUsd.toFixed(4)} of its $${budget} budget for ${monthOf(now)}; it resets at ${resets.toISOString()}.`, {
    extensions: { budget_usd: budget, spent_usd: spentUsd, resets_at: resets.toISOString() },
    headers: { 'retry-after': String(Math.ceil((resets.getTime() - now.getTime()) / 1000)) },
  });
}
