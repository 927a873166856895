// `pitchey deploy`, `status [--watch]`, `history`, `rollback`, `promote`, `abort` (a deployment or a whole release), `resume`, `approve`:
// parse, call the controller's admin API, print.
import type { ApprovalAnswer, DeploymentList, DeploymentSummary, EmergencyRollbackAnswer, PlanReview, ReleaseSummary } from '../deploy/admin-api.js';
import { planReleaseOrder } from '../deploy/engine/index.js';
import { SERVICE_NAMES, loadConfig } from '../kit/light.js';
import { createAdminClient, type AdminClient } from './admin-client.js';
import { DEFS, type ArgsOf } from './commands.js';
import { emit, progress } from './output.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';
import { setTimeout as sleep } from 'node:timers/promises';

const DONE = new Set(['promoted', 'rolled-back', 'failed']);
/** A number the user typed, sent as typed when it is not one: the server's validation names the flag. */
const num = (v: string | undefined): number | string | undefined => (v === undefined ? undefined : v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);
type AdminArgs = { values: { gateway?: string; as?: string; env?: string; json?: boolean } };
const client = (a: AdminArgs, flags: readonly string[] = []): AdminClient => createAdminClient({ gateway: a.values.gateway, as: a.values.as, env: a.values.env, flags });

function summary(d: DeploymentSummary): string {
  return [
    `${d.id}  ${d.service}  ${d.from ?? '-'} → ${d.to}  ${d.strategy}  ${d.phase}  step ${d.step + 1}/${d.steps.length} (${d.steps.join('→')}%)`,
    ...(d.reason ? [`  reason: ${d.reason}`] : []),
    ...(d.assessments ?? []).map((a) => `  ${a.verdict.padEnd(12)} ${a.ruleId}: ${a.reason}`),
  ].join('\n');
}

const elapsed = (since: string): string => `${Math.round((Date.now() - Date.parse(since)) / 1000)} s`;

/**
 * Polls a deployment until it ends, printing it whenever its phase, step or what holds it changes,
 * and a heartbeat (elapsed, what it waits for) every 10 s while a step is held.
 */
async function follow(client: AdminClient, id: string, json: boolean | undefined): Promise<DeploymentSummary> {
  let last = '';
  let shownAt = Date.now();
  for (;;) {
    const d = await client.call<DeploymentSummary>('GET', `/deployments/${id}`);
    const line = `${d.phase} ${d.step} ${d.reason ?? ''}`;
    if (line !== last) {
      progress(json, summary(d));
      last = line;
      shownAt = Date.now();
    } else if (Date.now() - shownAt >= 10_000) {
      progress(json, `  … ${d.phase}, step ${d.step + 1}/${d.steps.length}, ${elapsed(d.created_at)} since start${d.reason ? `; ${d.reason}` : ''}`);
      shownAt = Date.now();
    }
    if (DONE.has(d.phase) && !d.live) return d;
    await sleep(500);
  }
}

function reviewText(r: PlanReview): string {
  const out: string[] = [];
  const p = r.plan;
  out.push(`${r.order}. ${r.service}: ${p.fromVersion ?? '(none)'} → ${p.toVersion} by ${p.strategy}   plan ${r.planHash}`);
  out.push(
    `   steps ${p.steps.join(' → ')} %, ${p.stepMs / 1000} s each${p.strategy === 'blue-green' ? `, bake ${p.bakeMs / 1000} s` : ''}; warm-up ${(p.warmupMs ?? 0) / 1000} s before latency is judged`,
  );
  out.push(`   ${p.instances} instance(s) and ${p.workers ?? 0} worker(s) of ${p.toVersion}${(p.workers ?? 0) > 0 ? '; its workers run the jobs its instances accept' : ''}`);
  if (p.rolling !== undefined) {
    const r = p.rolling;
    out.push(
      `   rolling: ${p.instances} new over ${r.stableInstances} old, surge ${r.maxSurge}, unavailable ${r.maxUnavailable}: ${r.batches.map((b, i) => `batch ${i + 1} +${b.start} (${b.newInstances} new beside ${b.oldInstances} old at ${p.steps[i] ?? 0} %)${b.retireAfter > 0 ? `, then ${b.retireAfter} old retired` : ''}`).join('; ')}`,
    );
  }
  out.push(`   rules: ${p.rules.map((x) => `${x.id} (${x.metric} ${x.threshold}${x.forMs ? ` for ${x.forMs / 1000} s` : ''} → ${x.action})`).join('; ') || 'none'}`);
  out.push(`   gates: pre-deployment checks ${r.gates.preDeploymentChecks}; sign-offs ${r.gates.signoffs.map((x) => x.title).join(', ') || 'none required'}`);
  const gate = r.gates.promotion;
  out.push(`   promotion chain: ${gate.verdict === 'pass' ? 'ok' : gate.verdict === 'not-required' ? 'not required' : 'REFUSED'}: ${gate.reason}`);
  out.push(
    `   rollback target: ${r.rollbackTarget.version ?? 'none'}${r.rollbackTarget.present ? ' (present)' : ' (MISSING)'}${r.rollbackTarget.signoffs === null ? '' : `; ${r.rollbackTarget.signoffs}`}`,
  );
  out.push(`   budget: fastest promotion ${r.budget.fastestPromotionS} s; worst case to detect and roll back ${r.budget.worstDetectAndRollbackS} s (${r.budget.slowestRule ?? 'no rule'})`);
  for (const st of r.power.steps)
    out.push(`   power: step ${st.step} at ${st.weightPercent} %: ~${st.expectedRequests} requests, ${st.neededRequests} needed to see 1 % → 5 %: ${st.detectable ? 'ok' : 'TOO FEW'}`);
  for (const w of r.warnings) out.push(`   warning: ${w}`);
  return out.join('\n');
}

type PlanArgs = ArgsOf<'deployPlan'>;

function requestBody(a: PlanArgs, service: string): Record<string, unknown> {
  const v = a.values;
  return {
    service,
    version: v.version,
    strategy: v.strategy ?? 'canary',
    ...(v.steps === undefined ? {} : { steps: v.steps.split(',').map((s) => num(s)) }),
    stepMs: num(v['step-ms']),
    bakeMs: num(v['bake-ms']),
    warmupMs: num(v['warmup-ms']),
    instances: num(v.instances),
    workers: num(v.workers),
    maxSurge: num(v['max-surge']),
    maxUnavailable: num(v['max-unavailable']),
    faults: v.faults,
    env: v.env,
  };
}

/** `pitchey deploy plan …`: what would happen, with the hash `deploy --plan-hash` must match. */
export async function plan(a: PlanArgs): Promise<void> {
  const admin = client(a, Object.keys(DEFS.deployPlan.options));
  const reviews: PlanReview[] = [];
  const target = a.positionals[0]!;
  // `all` is one release: its plans in the declared waves (the server refuses an order that does not plan).
  const waves = target === 'all' ? wavesOf(a.values.order) : [[target]];
  const text: string[] = [];
  for (const [i, wave] of waves.entries()) {
    if (target === 'all') text.push(`wave ${i + 1}: ${wave.join(', ')}${i === waves.length - 1 ? '; then every service promotes together' : ''}`);
    for (const service of wave) {
      const review = await admin.call<PlanReview>('POST', '/plans', requestBody(a, service));
      reviews.push(review);
      text.push(reviewText(review));
    }
  }
  emit(a.values.json, reviews, () => text.join('\n'));
}

function wavesOf(order: string | undefined): string[][] {
  try {
    return planReleaseOrder(SERVICE_NAMES, releaseOrder(order));
  } catch (err) {
    throw new UsageError(`--order: ${(err as Error).message}`);
  }
}

/** `--order 'ai,code;video'`: waves split by `;`, services within one by `,`. */
const releaseOrder = (order: string | undefined): string[][] | undefined => order?.split(';').map((w) => w.split(',').map((s) => s.trim()));

export async function deploy(a: ArgsOf<'deploy'>): Promise<void> {
  const admin = client(a, Object.keys(DEFS.deploy.options));
  if (a.positionals[0] === 'all') return deployAll(a, admin);
  const started = await admin.call<DeploymentSummary>('POST', '/deployments', { ...requestBody(a, a.positionals[0]!), plan_hash: a.values['plan-hash'] });
  if (a.values.wait !== true) return emit(a.values.json, started, () => summary(started));
  const done = await follow(admin, started.id, a.values.json);
  const promoted = done.phase === 'promoted';
  emit(a.values.json, [done], () => (promoted ? '1 deployment promoted' : summary(done)));
  if (!promoted) throw new CheckFailed(`${done.service}: ${done.phase}: ${done.reason ?? ''}`);
}

function releaseText(r: ReleaseSummary): string {
  return [
    `${r.id}  platform release ${r.version}  ${r.phase}  waves ${r.waves.map((w) => w.join(',')).join(' → ')}${r.reason ? `: ${r.reason}` : ''}`,
    ...r.members.map(
      (m) =>
        `  ${m.service.padEnd(9)} ${m.refused !== null ? `refused: ${m.refused}` : m.deployment === null ? 'not started' : `${m.deployment.id} ${m.deployment.phase}${m.deployment.reason ? `: ${m.deployment.reason}` : ''}`}${m.revert === null ? '' : `; reverted by ${m.revert.id} (${m.revert.phase})`}`,
    ),
  ].join('\n');
}

/** `deploy all`: one platform release (a release train) in the declared waves, followed to its end (exit 1 unless promoted). */
async function deployAll(a: ArgsOf<'deploy'>, admin: AdminClient): Promise<void> {
  const { service: _service, ...body } = requestBody(a, 'all');
  const order = releaseOrder(a.values.order);
  const started = await admin.call<ReleaseSummary>('POST', '/release-trains', { ...body, faults: undefined, ...(order === undefined ? {} : { order }) });
  let last = '';
  for (;;) {
    const r = await admin.call<ReleaseSummary>('GET', `/release-trains/${started.id}`);
    const text = releaseText(r);
    if (text !== last) progress(a.values.json, text);
    last = text;
    if (!r.live) {
      emit(a.values.json, r, () => `platform release ${r.version}: ${r.phase}`);
      if (r.phase !== 'promoted') throw new CheckFailed(`release ${r.id} ${r.phase}: ${r.failure ?? r.reason ?? ''}`);
      return;
    }
    await sleep(500);
  }
}

export async function status(a: ArgsOf<'status'>): Promise<void> {
  const admin = client(a);
  const id = a.positionals[0];
  if (id !== undefined) {
    const d = a.values.watch === true ? await follow(admin, id, a.values.json) : await admin.call<DeploymentSummary>('GET', `/deployments/${encodeURIComponent(id)}`);
    // Followed in text: every change is printed already.
    if (a.values.watch !== true || a.values.json === true) emit(a.values.json, d, () => summary(d));
    return;
  }
  const { deployments } = await admin.call<DeploymentList>('GET', '/deployments');
  const live = deployments.filter((d) => !DONE.has(d.phase));
  const text = async (): Promise<string> => `${live.length === 0 ? 'no deployment in progress' : live.map(summary).join('\n')}\n\n${await budgetTable()}`;
  if (a.values.json === true) emit(true, live, () => '');
  else console.log(await text());
}

export async function history(a: ArgsOf<'history'>): Promise<void> {
  const { deployments } = await client(a).call<DeploymentList>('GET', '/deployments');
  emit(a.values.json, deployments, () =>
    formatTable(
      ['id', 'service', 'from', 'to', 'strategy', 'phase', 'by', 'started', 'reason'],
      deployments.map((d) => [d.id, d.service, d.from ?? '-', d.to, d.strategy, d.phase, d.author, d.created_at, d.reason ?? '']),
    ),
  );
}

export async function rollback(a: ArgsOf<'rollback'>): Promise<void> {
  const service = a.positionals[0]!;
  const reason = a.values.reason ?? 'operator rollback';
  const admin = client(a, Object.keys(DEFS.rollback.options));
  if (a.values.emergency === true) {
    const r = await admin.call<EmergencyRollbackAnswer>('POST', '/rollback', { service, emergency: true, reason });
    emit(a.values.json, r, () => `traffic on stable in ${r.switchMs.toFixed(3)} ms; aborted: ${r.aborted.join(', ') || 'none'}`);
    return;
  }
  const started = await admin.call<DeploymentSummary>('POST', '/rollback', { service, to: a.values.to, reason });
  const done = await follow(admin, started.id, a.values.json);
  if (a.values.json === true) emit(true, done, () => '');
  if (done.phase !== 'promoted') throw new CheckFailed(`rollback ${done.phase}: ${done.reason ?? ''}`);
}

export async function approve(a: ArgsOf<'approve'>): Promise<void> {
  const { role, name, comment } = a.values;
  const r = await client(a, Object.keys(DEFS.approve.options)).call<ApprovalAnswer>('POST', `/deployments/${encodeURIComponent(a.positionals[0]!)}/approvals`, { role, name, comment });
  emit(a.values.json, r, () => (r.complete ? 'sign-offs complete' : `signed; still missing: ${r.missing.join(', ')}`));
}

/** `pitchey promote|abort|resume <deployment>`: the operator's verbs on a live deployment; `abort rel-…` aborts a whole platform release. */
export async function operatorVerb(verb: 'promote' | 'abort' | 'resume', a: ArgsOf<'promote'>): Promise<void> {
  const id = a.positionals[0]!;
  if (verb === 'abort' && id.startsWith('rel-')) {
    const r = await client(a).call<ReleaseSummary>('POST', `/release-trains/${encodeURIComponent(id)}/abort`);
    return emit(a.values.json, r, () => releaseText(r));
  }
  const d = await client(a).call<DeploymentSummary>('POST', `/deployments/${encodeURIComponent(id)}/${verb}`);
  emit(a.values.json, d, () => summary(d));
}

/** Each service's availability error budget, read from this data dir's controller store (loaded only for the text view). */
async function budgetTable(): Promise<string> {
  const [{ readErrorBudgets }, { describeErrorBudget }] = await Promise.all([import('../deploy/budget-store.js'), import('../deploy/engine/index.js')]);
  const config = loadConfig();
  const budgets = readErrorBudgets(config.dataDir, config.deployEnv, SERVICE_NAMES, Date.now());
  const rows = budgets.map((b) => [b.service, b.budget.remaining === null ? '-' : `${(b.budget.remaining * 100).toFixed(1)} %`, describeErrorBudget(b.budget)]);
  return `availability error budget (99.9 % over 30 days, ${config.deployEnv}):\n${formatTable(['service', 'left', 'detail'], rows)}`;
}
