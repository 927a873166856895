// Error budget: the service's availability budget (99.9 % over 30 days) is not spent. Read from the
// controller's SQLite (read-only), where the platform samples the gateway's counts. Spent fails,
// and so refuses a production deployment unless waived; elsewhere it is recorded.
import { readErrorBudgets } from '../budget-store.js';
import { describeErrorBudget } from '../engine/index.js';
import { createEvidence, guarded } from './create-evidence.js';
import { controllerDbPath } from './deploy-state.js';
import type { Evidence } from './evidence.js';

export function checkErrorBudget(options: { dataDir: string; env: string; services: readonly string[]; now: Date }): Promise<Evidence> {
  const path = controllerDbPath(options.dataDir);
  return guarded('error-budget', path, options.now, () => {
    const budgets = readErrorBudgets(options.dataDir, options.env, options.services, options.now.getTime());
    const spent = budgets.filter((b) => b.budget.remaining !== null && b.budget.remaining <= 0);
    return createEvidence(
      'error-budget',
      {
        status: spent.length === 0 ? 'pass' : 'fail',
        observed: (spent.length > 0 ? spent : budgets).map((b) => `${b.service}: ${describeErrorBudget(b.budget)}`).join('; '),
        threshold: 'availability error budget (99.9 % over 30 days) not spent',
        source: path,
        details: { budgets: budgets.map((b) => ({ service: b.service, ...b.budget })) },
      },
      options.now,
    );
  });
}
