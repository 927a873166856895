// Workers as part of a release: `pitchey up --workers video=1` gives stable a worker; a canary of
// v2 brings its own, which runs the canary's jobs while stable's worker runs stable's; an abort
// stops the canary's worker and its jobs still finish; a promotion retires stable's worker and
// the canary's, retagged, runs the jobs. Who ran each job is its `job settled` log line; a worker
// counts the jobs it ran on its own /metrics. Runs the built CLI.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/deploy/releases.js';
import { TEST_KEY, makeTempDir, scrapeMetrics } from '../helpers.js';
import { makeClip } from '../support/media-fixtures.js';
import { ADMIN_HEADERS, alive, exited, settled, startUp, waitFor, type UpProcess } from './platform.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let up: UpProcess;
let clip: Blob;
const removers: Array<() => void> = [];

/** Who settled a job: the bindings of its `job settled` line. */
interface Runner {
  role?: string;
  version: string;
  track: string;
}

function settledBy(jobId: string): Runner | undefined {
  for (const line of up.output().split('\n')) {
    if (!line.startsWith('{') || !line.includes(jobId)) continue;
    const entry = JSON.parse(line) as Runner & { msg?: string; job?: string };
    if (entry.msg === 'job settled' && entry.job === jobId) return entry;
  }
  return undefined;
}

/** A transcode accepted on `track` (the admin key may pin one): its id and the release that accepted it. */
async function submit(track: 'stable' | 'canary'): Promise<{ id: string; version: string }> {
  const form = new FormData();
  form.append('operation', 'transcode');
  form.append('quality', 'low');
  form.append('file', clip, 'clip.avi');
  const res = await fetch(`${up.gateway}/api/video/process?async=true`, { method: 'POST', body: form, headers: { 'x-api-key': TEST_KEY, 'x-pitchey-track': track } });
  const body = (await res.json()) as { task_id?: string };
  if (res.status !== 202 || body.task_id === undefined) throw new Error(`submit on ${track}: ${res.status} ${JSON.stringify(body)}`);
  return { id: body.task_id, version: res.headers.get('x-pitchey-version') ?? '' };
}

const submitMany = (track: 'stable' | 'canary', n: number) => Promise.all(Array.from({ length: n }, () => submit(track)));

/** Waits for each job's `job settled` line (its record is then final), and for it to have completed. */
async function runners(jobs: Array<{ id: string }>): Promise<Runner[]> {
  const found = await waitFor('every job settled', () => {
    const all = jobs.map((j) => settledBy(j.id));
    return all.every((r) => r !== undefined) ? all : undefined;
  });
  for (const j of jobs) {
    const res = await fetch(`${up.gateway}/api/video/status/${j.id}`, { headers: { 'x-api-key': TEST_KEY } });
    expect(((await res.json()) as { status: string }).status, j.id).toBe('completed');
  }
  return found;
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, { method, headers: ADMIN_HEADERS, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Waits until the deployment's canary takes traffic (its instances and workers are up). */
const progressing = (id: string) => waitFor(`${id} to take traffic`, async () => ((await admin<{ phase: string }>('GET', `/deployments/${id}`)).phase === 'progressing' ? true : undefined), 90_000);

/** The video workers the driver runs now: id, version, track (the logs answer names every process). */
async function workers(): Promise<Array<{ id: string; version: string; track: string }>> {
  const logs = await admin<{ instances: Array<{ id: string; version: string; track: string }> }>('GET', '/logs/video?tail=1');
  return logs.instances.filter((i) => i.id.startsWith('video-worker-')).map(({ id, version, track }) => ({ id, version, track }));
}

/** `up`'s children running `worker video`. */
function workerPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(up.proc.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => / worker video$/.test(line.trim()))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

beforeAll(async () => {
  const tmp = makeTempDir('pitchey-release-workers-');
  removers.push(tmp.remove);
  clip = new Blob([await readFile(await makeClip(tmp.dir, { name: 'clip', seconds: 2, width: 160, height: 120, fps: 15, container: 'avi', codec: 'mpeg4', audio: false }))]);
  // One job at a time per instance, so the workers get their share of a burst; info level for the `job settled` lines.
  up = await startUp({ args: ['--workers', 'video=1'], env: { PITCHEY_VERSION: 'v1', PITCHEY_JOB_CONCURRENCY: '1', PITCHEY_LOG_LEVEL: 'info', PITCHEY_ANALYSIS_INTERVAL_MS: '250' } });
  // A failed test's leftovers: the workers (not in the run state up.remove reads), then the platform.
  const pids = (): number[] => (up.proc.exitCode === null ? workerPids() : []);
  removers.push(up.remove, () => pids().forEach((pid) => process.kill(pid, 'SIGKILL')));
  buildRelease({ projectRoot: ROOT, releasesDir: `${up.dataDir}/releases`, version: 'v2' });
  await waitFor('the workers line', () => (/workers +video-worker-v1-\d+/.test(up.output()) ? true : undefined));
}, 120_000);
afterAll(() => removers.reverse().forEach((r) => r()));

describe('a release with workers', () => {
  it('runs canary jobs on the canary worker, hands them back on abort, and retires stable worker on promotion', async () => {
    expect(await workers()).toEqual([expect.objectContaining({ version: 'v1', track: 'stable' })]);
    const plan = await admin<{ plan: { workers?: number } }>('POST', '/plans', { service: 'video', version: 'v2', strategy: 'canary' });
    expect(plan.plan.workers).toBe(1); // as many as stable runs

    // A canary at 50 % for long enough: its worker runs v2's jobs, stable's worker v1's.
    const first = await admin<{ id: string }>('POST', '/deployments', { service: 'video', version: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 600_000 });
    await progressing(first.id);
    expect(await workers()).toContainEqual(expect.objectContaining({ version: 'v2', track: 'canary' }));
    const [canaryJobs, stableJobs] = await Promise.all([submitMany('canary', 5), submitMany('stable', 5)]);
    expect(canaryJobs.every((j) => j.version === 'v2') && stableJobs.every((j) => j.version === 'v1')).toBe(true);
    const ranCanary = await runners(canaryJobs);
    const ranStable = await runners(stableJobs);
    expect(ranCanary.map((r) => r.version)).toEqual(canaryJobs.map(() => 'v2'));
    expect(ranStable.map((r) => r.version)).toEqual(stableJobs.map(() => 'v1'));
    expect(ranCanary).toContainEqual(expect.objectContaining({ role: 'worker', version: 'v2', track: 'canary' }));
    expect(ranStable).toContainEqual(expect.objectContaining({ role: 'worker', version: 'v1', track: 'stable' }));
    // Stable's worker counts what it ran on its own /metrics (`up` prints where), as the analysis reads it.
    const workerUrl = /workers +video-worker-v1-\d+ \(metrics (\S+)\)/.exec(up.output())?.[1] ?? '';
    const byWorker = ranStable.filter((r) => r.role === 'worker').length;
    const counted = (text: string): number => Number(/pitchey_jobs_settled_total\{service="video",job_type="process",outcome="completed"\} (\d+)/.exec(text)?.[1] ?? 0);
    await waitFor("the stable worker's count", async () => (counted((await scrapeMetrics(workerUrl, TEST_KEY)).text) === byWorker ? true : undefined), 10_000);

    // Abort with canary jobs queued and running: the canary's worker goes, and every job still completes.
    const canaryWorkerPids = workerPids();
    const pending = await submitMany('canary', 6);
    await admin('POST', `/deployments/${first.id}/abort`, {});
    expect((await settled(up.gateway, first.id)).phase).toBe('rolled-back');
    expect(await workers()).toEqual([expect.objectContaining({ version: 'v1', track: 'stable' })]);
    expect(workerPids()).toHaveLength(1);
    expect(canaryWorkerPids.filter(alive)).toHaveLength(1);
    // Those v2's runners had not finished were handed back, and stable's ran them.
    expect((await runners(pending)).map((r) => r.version)).toContain('v1');

    // Promotion: the canary's worker turns stable, stable's old one retires, and v2's jobs go on.
    const second = await admin<{ id: string }>('POST', '/deployments', { service: 'video', version: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 600_000 });
    await progressing(second.id);
    await admin('POST', `/deployments/${second.id}/promote`, {});
    expect((await settled(up.gateway, second.id)).phase).toBe('promoted');
    const after = await workers();
    expect(after).toEqual([expect.objectContaining({ version: 'v2', track: 'stable' })]);
    const now = await submitMany('stable', 5);
    expect(now.every((j) => j.version === 'v2')).toBe(true);
    const ranAfter = await runners(now);
    expect(ranAfter.map((r) => r.version)).toEqual(now.map(() => 'v2'));
    expect(ranAfter).toContainEqual(expect.objectContaining({ role: 'worker', version: 'v2' }));

    // Stopping the platform stops its workers too.
    const left = workerPids();
    up.proc.kill('SIGTERM');
    expect(await exited(up.proc)).toBe(0);
    expect(left.filter(alive)).toEqual([]);
  }, 240_000);
});
