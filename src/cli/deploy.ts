// `pitchey deploy`, `status`, `history`, `rollback`: parse, call the controller's admin API, print.
import { SERVICE_NAMES } from '../kit/index.js';
import { createAdminClient, option } from './admin-client.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

interface Summary { id: string; live: boolean; service: string; strategy: string; from: string | null; to: string; phase: string; step: number; steps: number[]; reason: string | null; author: string; created_at: string; assessments: Array<{ ruleId: string; verdict: string; reason: string }> }

const DONE = new Set(['promoted', 'rolled-back', 'failed']);
const num = (argv: string[], name: string): number | undefined => { const v = option(argv, name); return v === undefined ? undefined : Number(v); };

function print(d: Summary): void {
  console.log(`${d.id}  ${d.service}  ${d.from ?? '-'} → ${d.to}  ${d.strategy}  ${d.phase}  step ${d.step + 1}/${d.steps.length} (${d.steps.join('→')}%)`);
  if (d.reason) console.log(`  reason: ${d.reason}`);
  for (const a of d.assessments ?? []) console.log(`  ${a.verdict.padEnd(12)} ${a.ruleId}: ${a.reason}`);
}

async function follow(client: ReturnType<typeof createAdminClient>, id: string): Promise<Summary> {
  let last = '';
  for (;;) {
    const d = await client.call<Summary>('GET', `/deployments/${id}`);
    const line = `${d.phase} ${d.step}`;
    if (line !== last) { print(d); last = line; }
    if (DONE.has(d.phase) && !d.live) return d;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function deploy(argv: string[]): Promise<void> {
  const target = argv[0];
  const version = option(argv, 'version');
  const strategy = option(argv, 'strategy') ?? 'canary';
  if (target === undefined || version === undefined) throw new UsageError('deploy <service|all> --version V [--strategy canary|blue-green|rolling]');
  const services = target === 'all' ? [...SERVICE_NAMES] : [target];
  const client = createAdminClient(argv);
  const steps = option(argv, 'steps')?.split(',').map(Number);
  for (const service of services) {
    const body = { service, version, strategy, ...(steps ? { steps } : {}), stepMs: num(argv, 'step-ms'), bakeMs: num(argv, 'bake-ms'), instances: num(argv, 'instances'), faults: option(argv, 'faults'), env: option(argv, 'env') };
    const started = await client.call<Summary>('POST', '/deployments', body);
    if (!argv.includes('--wait') && services.length === 1) { print(started); return; }
    const done = await follow(client, started.id);
    if (done.phase !== 'promoted') throw new CheckFailed(`${service}: ${done.phase}: ${done.reason ?? ''}`);
  }
}

export async function status(argv: string[]): Promise<void> {
  const client = createAdminClient(argv);
  const id = argv[0] !== undefined && !argv[0].startsWith('--') ? argv[0] : undefined;
  if (id !== undefined) { print(await client.call<Summary>('GET', `/deployments/${id}`)); return; }
  const { deployments } = await client.call<{ deployments: Summary[] }>('GET', '/deployments');
  const live = deployments.filter((d) => !DONE.has(d.phase));
  if (live.length === 0) console.log('no deployment in progress');
  live.forEach(print);
}

export async function history(argv: string[]): Promise<void> {
  const { deployments } = await createAdminClient(argv).call<{ deployments: Summary[] }>('GET', '/deployments');
  console.log(formatTable(['id', 'service', 'from', 'to', 'strategy', 'phase', 'by', 'started', 'reason'],
    deployments.map((d) => [d.id, d.service, d.from ?? '-', d.to, d.strategy, d.phase, d.author, d.created_at, d.reason ?? ''])));
}

export async function rollback(argv: string[]): Promise<void> {
  const service = argv[0];
  if (service === undefined || service.startsWith('--')) throw new UsageError('rollback <service> [--emergency] [--to V] [--reason R]');
  const reason = option(argv, 'reason') ?? 'operator rollback';
  const client = createAdminClient(argv);
  if (argv.includes('--emergency')) {
    const r = await client.call<{ switchMs: number; aborted: string[] }>('POST', '/rollback', { service, emergency: true, reason });
    console.log(`traffic on stable in ${r.switchMs.toFixed(3)} ms; aborted: ${r.aborted.join(', ') || 'none'}`);
    return;
  }
  const started = await client.call<Summary>('POST', '/rollback', { service, to: option(argv, 'to'), reason });
  const done = await follow(client, started.id);
  if (done.phase !== 'promoted') throw new CheckFailed(`rollback ${done.phase}: ${done.reason ?? ''}`);
}

export async function approve(argv: string[]): Promise<void> {
  const id = argv[0];
  const role = option(argv, 'role');
  const name = option(argv, 'name');
  if (id === undefined || role === undefined || name === undefined) throw new UsageError('approve <deployment> --role R --name N [--comment C]');
  const r = await createAdminClient(argv).call<{ complete: boolean; missing: string[] }>('POST', `/deployments/${id}/approvals`, { role, name, comment: option(argv, 'comment') });
  console.log(r.complete ? 'sign-offs complete' : `signed; still missing: ${r.missing.join(', ')}`);
}
