// Error budget: the service's availability budget (99.9 % over 30 days) is not spent. Read from the
// controller's SQLite (read-only), where the platform samples the gateway's counts. Spent fails,
// and so refuses a production deployment unless waived; elsewhere it is recorded.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { readErrorBudget } from '../budget-store.js';
import { describeErrorBudget, type ErrorBudget } from '../engine/index.js';
import { createEvidence, guarded } from './create-evidence.js';
import { controllerDbPath } from './deploy-state.js';
import type { Evidence } from './evidence.js';

export function checkErrorBudget(options: { dataDir: string; env: string; services: readonly string[]; now: Date }): Promise<Evidence> {
  const path = controllerDbPath(options.dataDir);
  const threshold = 'availability error budget (99.9 % over 30 days) not spent';
  return guarded('error-budget', path, options.now, () => {
    if (!existsSync(path))
      return createEvidence('error-budget', { status: 'pass', observed: 'no controller database: no traffic recorded, the budget is untouched', threshold, source: path }, options.now);
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const budgets = options.services.map((service) => ({ service, budget: readErrorBudget(db, options.env, service, options.now.getTime()) }));
      const spent = budgets.filter((b) => b.budget.remaining !== null && b.budget.remaining <= 0);
      const say = (b: { service: string; budget: ErrorBudget }): string => `${b.service}: ${describeErrorBudget(b.budget)}`;
      return createEvidence(
        'error-budget',
        {
          status: spent.length === 0 ? 'pass' : 'fail',
          observed: (spent.length > 0 ? spent : budgets).map(say).join('; '),
          threshold,
          source: path,
          details: { budgets: budgets.map((b) => ({ service: b.service, ...b.budget })) },
        },
        options.now,
      );
    } finally {
      db.close();
    }
  });
}
