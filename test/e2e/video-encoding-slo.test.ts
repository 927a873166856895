// The video encoding objective (95 %) end to end, on a genuinely broken build: its encoder hands
// ffmpeg a bad argument every tenth transcode (test/support/broken-build.ts), so 10 % of its jobs
// fail. Real video jobs (tiny clips, asked for async as a batch client does, so the failures show
// only in the job outcomes and no other rule sees them) run through the gateway while the build is
// a canary beside stable: the objective fails it, it is rolled back, and stable's jobs all succeed.
//
// How many jobs it takes is the rule's own statistics, not a setting: a window breaks the
// objective when an exact binomial test puts the shortfall beyond chance (p < 0.001). With 1 in 10
// failing, 25 of 250 is p = 0.0009: about 250 canary jobs, whatever the plan. So the analysis
// window (PITCHEY_ANALYSIS_WINDOW_MS) covers the whole step, where the canary's jobs add up, and
// the step is longer than the test: from 30 jobs on, the shortfall holds the step (inconclusive)
// until it is significant, so the outcome depends on the jobs run, never on how fast this machine
// runs them. A shorter step could end before 30 jobs on a busy machine, and an objective of work
// too little asked for is not judged (README): the canary would move on unjudged.
//
// A good build under the same traffic and plan passes every rule, the objective included, once its
// canary has run 30 jobs: only the step's clock holds it then, and the test aborts it there rather
// than wait out the hour.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentSummary } from '../../src/deploy/admin-api.js';
import type { DeploymentRecord } from '../../src/deploy/record.js';
import { buildRelease } from '../../src/deploy/releases.js';
import { makeTempDir } from '../helpers.js';
import { brokenProject } from '../support/broken-build.js';
import { makeClip } from '../support/media-fixtures.js';
import { ADMIN_HEADERS as admin, settled, startUp, waitFor, type UpProcess } from './platform.js';
import { startJobs, type JobTraffic } from './video-jobs.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const cleanups: Array<() => void> = [];
/** Jobs in flight at once: enough to keep both instances' two job slots busy. */
const CLIENTS = 4;
/**
 * Half the jobs to the canary. The rule needs its 250 whatever the share, so a larger one would
 * mean fewer jobs in all (about 310 at 80 %), but one instance doing four times the other's uploads
 * answers slower, and the side-by-side latency rule rolls it back for that first. A step longer
 * than the test (see above).
 */
const PLAN = { service: 'video', strategy: 'canary', steps: [50, 100], stepMs: 3_600_000, warmupMs: 3_000 };
/** About 500 jobs of about 0.5 CPU-s each (ffprobe at upload, ffmpeg in the job): some two minutes on two quiet cores, far longer on a loaded machine. */
const SETTLE_MS = 540_000;
let up: UpProcess;
let clip = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${up.gateway}/_pitchey/admin${path}`, { method, headers: admin, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as T };
}

/** Starts the job traffic, then the canary of `version` under it. */
async function canaryUnderJobs(version: string): Promise<{ traffic: JobTraffic; id: string }> {
  const traffic = startJobs({ gateway: up.gateway, clip, clients: CLIENTS });
  const started = await call<{ id: string }>('POST', '/deployments', { ...PLAN, version });
  expect(started.status, JSON.stringify(started.json)).toBe(201);
  return { traffic, id: started.json.id };
}

beforeAll(async () => {
  const tmp = makeTempDir('pitchey-video-slo-');
  cleanups.push(tmp.remove);
  // mpeg4 in AVI: every job re-encodes to H.264 (none can be a remux); 0.4 s at 64x48 keeps each a few ffmpeg milliseconds.
  clip = await makeClip(tmp.dir, { name: 'tiny', seconds: 0.4, width: 64, height: 48, fps: 10, container: 'avi', codec: 'mpeg4', audio: false });
  up = await startUp({ env: { PITCHEY_VERSION: 'v1', PITCHEY_ANALYSIS_INTERVAL_MS: '500', PITCHEY_ANALYSIS_WINDOW_MS: '600000', PITCHEY_DRAIN_TIMEOUT_MS: '2000' } });
  cleanups.push(up.remove);
  const broken = brokenProject({ bug: 'video-encode' });
  cleanups.push(broken.remove);
  buildRelease({ projectRoot: broken.root, releasesDir: join(up.dataDir, 'releases'), version: 'v2-encodes-broken' });
  buildRelease({ projectRoot: ROOT, releasesDir: join(up.dataDir, 'releases'), version: 'v2' });
}, 180_000);
afterAll(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

describe('the video encoding objective', () => {
  it(
    'rolls back a build that fails 1 in 10 encodes, on that objective, while stable keeps succeeding',
    async () => {
      const { traffic, id } = await canaryUnderJobs('v2-encodes-broken');
      const done = await settled(up.gateway, id, SETTLE_MS);
      const jobs = await traffic.stop();
      const record = (await call<DeploymentRecord>('GET', `/deployments/${id}/record`)).json;
      expect(done.phase, done.reason ?? '').toBe('rolled-back');
      const verdict = record.rollback?.verdict;
      expect(verdict?.ruleId, done.reason ?? '').toBe('slo-video-encoding');
      expect(verdict?.verdict).toBe('fail');
      expect(verdict?.evidence.statistic?.pValue).toBeLessThan(0.001);
      expect(verdict?.evidence.observed).toBeLessThan(0.95);
      expect(verdict?.evidence.samples.candidate).toBeGreaterThanOrEqual(200);

      const canary = jobs.filter((j) => j.version === 'v2-encodes-broken');
      const stable = jobs.filter((j) => j.version === 'v1');
      expect(stable.length).toBeGreaterThanOrEqual(100);
      expect(stable.filter((j) => j.status !== 'completed')).toEqual([]);
      // The canary's failures are ffmpeg refusing the broken build's arguments: our fault (JOB_FAILED), not the client's.
      const failed = canary.filter((j) => j.status === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(new Set(failed.map((j) => j.code))).toEqual(new Set(['JOB_FAILED']));
      expect(canary.every((j) => j.status === 'completed' || j.status === 'failed')).toBe(true);
      expect(jobs.filter((j) => j.version === null)).toEqual([]);
    },
    SETTLE_MS + 30_000,
  );

  it(
    'passes a good build on every rule under the same jobs and plan',
    async () => {
      const { traffic, id } = await canaryUnderJobs('v2');
      const judged = await waitFor(
        'every rule to pass the good canary, the objective judged',
        async () => {
          const d = (await call<DeploymentSummary>('GET', `/deployments/${id}`)).json;
          if (!d.live) throw new Error(`the good build ended ${d.phase}: ${d.reason ?? ''}`);
          const objective = d.assessments.find((a) => a.ruleId === 'slo-video-encoding');
          // Held by nothing but the step's clock: no rule is failing or inconclusive.
          return objective?.verdict === 'pass' && !(d.reason ?? '').includes('held by') ? { d, objective } : undefined;
        },
        SETTLE_MS,
      );
      expect((await call('POST', `/deployments/${id}/abort`, {})).status).toBe(200);
      await settled(up.gateway, id, 60_000);
      const jobs = await traffic.stop();
      expect(judged.objective.evidence).toMatchObject({ observed: 1, samples: { candidate: expect.any(Number) as unknown } });
      expect(judged.objective.evidence.samples.candidate).toBeGreaterThanOrEqual(30);
      expect(judged.d.assessments.filter((a) => a.verdict !== 'pass')).toEqual([]);
      expect(jobs.filter((j) => j.status !== 'completed')).toEqual([]);
    },
    SETTLE_MS + 90_000,
  );
});
