// `pitchey deploy`, `status [--watch]`, `history`, `rollback`, `promote`, `abort`, `resume`, `approve`:
// parse, call the controller's admin API, print.
import type { ApprovalAnswer, DeploymentList, DeploymentSummary, EmergencyRollbackAnswer, PlanReview } from '../deploy/admin-api.js';
import { readErrorBudgets } from '../deploy/budget-store.js';
import { describeErrorBudget } from '../deploy/engine/index.js';
import { SERVICE_NAMES, loadConfig } from '../kit/index.js';
import { createAdminClient, option } from './admin-client.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';
import { setTimeout as sleep } from 'node:timers/promises';

const DONE = new Set(['promoted', 'rolled-back', 'failed']);
const num = (argv: string[], name: string): number | undefined => {
  const v = option(argv, name);
  return v === undefined ? undefined : Number(v);
};

function print(d: DeploymentSummary): void {
  console.log(`${d.id}  ${d.service}  ${d.from ?? '-'} → ${d.to}  ${d.strategy}  ${d.phase}  step ${d.step + 1}/${d.steps.length} (${d.steps.join('→')}%)`);
  if (d.reason) console.log(`  reason: ${d.reason}`);
  for (const a of d.assessments ?? []) console.log(`  ${a.verdict.padEnd(12)} ${a.ruleId}: ${a.reason}`);
}

const elapsed = (since: string): string => `${Math.round((Date.now() - Date.parse(since)) / 1000)} s`;

/**
 * Polls a deployment until it ends, printing it whenever its phase, step or what holds it changes,
 * and a heartbeat (elapsed, what it waits for) every 10 s while a step is held.
 */
async function follow(client: ReturnType<typeof createAdminClient>, id: string): Promise<DeploymentSummary> {
  let last = '';
  let shownAt = Date.now();
  for (;;) {
    const d = await client.call<DeploymentSummary>('GET', `/deployments/${id}`);
    const line = `${d.phase} ${d.step} ${d.reason ?? ''}`;
    if (line !== last) {
      print(d);
      last = line;
      shownAt = Date.now();
    } else if (Date.now() - shownAt >= 10_000) {
      console.log(`  … ${d.phase}, step ${d.step + 1}/${d.steps.length}, ${elapsed(d.created_at)} since start${d.reason ? `; ${d.reason}` : ''}`);
      shownAt = Date.now();
    }
    if (DONE.has(d.phase) && !d.live) return d;
    await sleep(500);
  }
}

function printReview(r: PlanReview): void {
  const p = r.plan;
  console.log(`${r.order}. ${r.service}: ${p.fromVersion ?? '(none)'} → ${p.toVersion} by ${p.strategy}   plan ${r.planHash}`);
  console.log(`   steps ${p.steps.join(' → ')} %, ${p.stepMs / 1000} s each${p.strategy === 'blue-green' ? `, bake ${p.bakeMs / 1000} s` : ''}`);
  if (p.rolling !== undefined) {
    const r = p.rolling;
    console.log(
      `   rolling: ${p.instances} new over ${r.stableInstances} old, surge ${r.maxSurge}, unavailable ${r.maxUnavailable}: ${r.batches.map((b, i) => `batch ${i + 1} +${b.start} (${b.newInstances} new beside ${b.oldInstances} old at ${p.steps[i] ?? 0} %)${b.retireAfter > 0 ? `, then ${b.retireAfter} old retired` : ''}`).join('; ')}`,
    );
  }
  console.log(`   rules: ${p.rules.map((x) => `${x.id} (${x.metric} ${x.threshold}${x.forMs ? ` for ${x.forMs / 1000} s` : ''} → ${x.action})`).join('; ') || 'none'}`);
  console.log(`   gates: pre-deployment checks ${r.gates.preDeploymentChecks}; sign-offs ${r.gates.signoffs.map((x) => x.title).join(', ') || 'none required'}`);
  console.log(`   rollback target: ${r.rollbackTarget.version ?? 'none'}${r.rollbackTarget.present ? ' (present)' : ' (MISSING)'}`);
  console.log(`   budget: fastest promotion ${r.budget.fastestPromotionS} s; worst case to detect and roll back ${r.budget.worstDetectAndRollbackS} s (${r.budget.slowestRule ?? 'no rule'})`);
  for (const st of r.power.steps)
    console.log(`   power: step ${st.step} at ${st.weightPercent} %: ~${st.expectedRequests} requests, ${st.neededRequests} needed to see 1 % → 5 %: ${st.detectable ? 'ok' : 'TOO FEW'}`);
  for (const w of r.warnings) console.log(`   warning: ${w}`);
}

function requestBody(argv: string[], service: string, version: string): Record<string, unknown> {
  const steps = option(argv, 'steps')?.split(',').map(Number);
  return {
    service,
    version,
    strategy: option(argv, 'strategy') ?? 'canary',
    ...(steps ? { steps } : {}),
    stepMs: num(argv, 'step-ms'),
    bakeMs: num(argv, 'bake-ms'),
    instances: num(argv, 'instances'),
    maxSurge: num(argv, 'max-surge'),
    maxUnavailable: num(argv, 'max-unavailable'),
    faults: option(argv, 'faults'),
    env: option(argv, 'env'),
  };
}

/** `pitchey deploy plan …`: what would happen, with the hash `deploy --plan-hash` must match. */
async function plan(argv: string[]): Promise<void> {
  const target = argv[0];
  const version = option(argv, 'version');
  if (target === undefined || version === undefined) throw new UsageError('deploy plan <service|all> --version V [--strategy …]');
  const client = createAdminClient(argv);
  const reviews: PlanReview[] = [];
  for (const service of target === 'all' ? [...SERVICE_NAMES] : [target]) reviews.push(await client.call<PlanReview>('POST', '/plans', requestBody(argv, service, version)));
  if (argv.includes('--json')) console.log(JSON.stringify(reviews, null, 2));
  else reviews.forEach(printReview);
}

export async function deploy(argv: string[]): Promise<void> {
  if (argv[0] === 'plan') return plan(argv.slice(1));
  const target = argv[0];
  const version = option(argv, 'version');
  if (target === undefined || version === undefined) throw new UsageError('deploy <service|all> --version V [--strategy canary|blue-green|rolling]');
  const services = target === 'all' ? [...SERVICE_NAMES] : [target];
  const client = createAdminClient(argv);
  for (const service of services) {
    const body = { ...requestBody(argv, service, version), plan_hash: option(argv, 'plan-hash') };
    const started = await client.call<DeploymentSummary>('POST', '/deployments', body);
    if (!argv.includes('--wait') && services.length === 1) {
      print(started);
      return;
    }
    const done = await follow(client, started.id);
    if (done.phase !== 'promoted') throw new CheckFailed(`${service}: ${done.phase}: ${done.reason ?? ''}`);
  }
}

export async function status(argv: string[]): Promise<void> {
  const client = createAdminClient(argv);
  const id = argv[0] !== undefined && !argv[0].startsWith('--') ? argv[0] : undefined;
  if (id !== undefined) {
    if (argv.includes('--watch')) {
      await follow(client, id);
      return;
    }
    print(await client.call<DeploymentSummary>('GET', `/deployments/${id}`));
    return;
  }
  const { deployments } = await client.call<DeploymentList>('GET', '/deployments');
  const live = deployments.filter((d) => !DONE.has(d.phase));
  if (live.length === 0) console.log('no deployment in progress');
  live.forEach(print);
  const config = loadConfig();
  const budgets = readErrorBudgets(config.dataDir, config.deployEnv, SERVICE_NAMES, Date.now());
  console.log(`\navailability error budget (99.9 % over 30 days, ${config.deployEnv}):`);
  console.log(
    formatTable(
      ['service', 'left', 'detail'],
      budgets.map((b) => [b.service, b.budget.remaining === null ? '-' : `${(b.budget.remaining * 100).toFixed(1)} %`, describeErrorBudget(b.budget)]),
    ),
  );
}

export async function history(argv: string[]): Promise<void> {
  const { deployments } = await createAdminClient(argv).call<DeploymentList>('GET', '/deployments');
  console.log(
    formatTable(
      ['id', 'service', 'from', 'to', 'strategy', 'phase', 'by', 'started', 'reason'],
      deployments.map((d) => [d.id, d.service, d.from ?? '-', d.to, d.strategy, d.phase, d.author, d.created_at, d.reason ?? '']),
    ),
  );
}

export async function rollback(argv: string[]): Promise<void> {
  const service = argv[0];
  if (service === undefined || service.startsWith('--')) throw new UsageError('rollback <service> [--emergency] [--to V] [--reason R]');
  const reason = option(argv, 'reason') ?? 'operator rollback';
  const client = createAdminClient(argv);
  if (argv.includes('--emergency')) {
    const r = await client.call<EmergencyRollbackAnswer>('POST', '/rollback', { service, emergency: true, reason });
    console.log(`traffic on stable in ${r.switchMs.toFixed(3)} ms; aborted: ${r.aborted.join(', ') || 'none'}`);
    return;
  }
  const started = await client.call<DeploymentSummary>('POST', '/rollback', { service, to: option(argv, 'to'), reason });
  const done = await follow(client, started.id);
  if (done.phase !== 'promoted') throw new CheckFailed(`rollback ${done.phase}: ${done.reason ?? ''}`);
}

export async function approve(argv: string[]): Promise<void> {
  const id = argv[0];
  const role = option(argv, 'role');
  const name = option(argv, 'name');
  if (id === undefined || role === undefined || name === undefined) throw new UsageError('approve <deployment> --role R --name N [--comment C]');
  const r = await createAdminClient(argv).call<ApprovalAnswer>('POST', `/deployments/${id}/approvals`, { role, name, comment: option(argv, 'comment') });
  console.log(r.complete ? 'sign-offs complete' : `signed; still missing: ${r.missing.join(', ')}`);
}

/** `pitchey promote|abort|resume <deployment>`: the operator's verbs on a live deployment. */
function operatorVerb(verb: 'promote' | 'abort' | 'resume') {
  return async (argv: string[]): Promise<void> => {
    const id = argv[0];
    if (id === undefined || id.startsWith('--')) throw new UsageError(`${verb} <deployment>`);
    print(await createAdminClient(argv).call<DeploymentSummary>('POST', `/deployments/${id}/${verb}`));
  };
}

export const promote = operatorVerb('promote');
export const abort = operatorVerb('abort');
export const resume = operatorVerb('resume');
