// Video job traffic from the test process through the gateway: a few clients, each submitting a
// transcode (`?async=true`, as a batch client does) and polling its status until it settles, then
// the next. Every job is recorded with the release version that accepted it and how it ended.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_KEY } from '../helpers.js';

export interface JobRun {
  /** The release that accepted the upload (its answer's x-pitchey-version); null when the submit failed. */
  version: string | null;
  /** completed, failed, cancelled; `submit-<status>` when no job was accepted; `unsettled` when polling gave up. */
  status: string;
  /** The failed job's error code. */
  code?: string;
}

export interface JobTraffic {
  runs: JobRun[];
  stop(): Promise<JobRun[]>;
}

const HEADERS = { 'x-api-key': TEST_KEY };
const POLL_MS = 250;
/** A job of a tiny clip settles in well under this even on a busy machine; one that does not is recorded as unsettled. */
const SETTLE_MS = 60_000;

async function oneJob(gateway: string, clip: Blob, name: string): Promise<JobRun> {
  const form = new FormData();
  form.append('operation', 'transcode');
  form.append('quality', 'low');
  form.append('file', clip, name);
  const res = await fetch(`${gateway}/api/video/process?async=true`, { method: 'POST', body: form, headers: HEADERS, signal: AbortSignal.timeout(SETTLE_MS) });
  const version = res.headers.get('x-pitchey-version');
  const body = (await res.json()) as { task_id?: string; status?: string };
  if (res.status !== 202 || body.task_id === undefined) return { version, status: `submit-${res.status}` };
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const s = await fetch(`${gateway}/api/video/status/${body.task_id}`, { headers: HEADERS, signal: AbortSignal.timeout(SETTLE_MS) });
    const job = (await s.json()) as { status?: string; error?: { code?: string } };
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') {
      return { version, status: job.status, ...(job.error?.code === undefined ? {} : { code: job.error.code }) };
    }
  }
  return { version, status: 'unsettled' };
}

/** `clients` loops of one job at a time until `stop()`, which waits for the jobs in flight to settle. */
export function startJobs(options: { gateway: string; clip: string; clients: number }): JobTraffic {
  const runs: JobRun[] = [];
  let stopped = false;
  const loops = (async () => {
    const clip = new Blob([await readFile(options.clip)]);
    const name = basename(options.clip);
    await Promise.all(
      Array.from({ length: options.clients }, async () => {
        while (!stopped) runs.push(await oneJob(options.gateway, clip, name).catch((err: Error) => ({ version: null, status: `error ${err.message}` })));
      }),
    );
  })();
  return {
    runs,
    async stop() {
      stopped = true;
      await loops;
      return runs;
    },
  };
}
