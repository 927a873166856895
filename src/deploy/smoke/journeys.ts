// One critical journey per service, as a user makes it through the gateway: each checks that the
// answer is real (a probed duration, a JPEG, text read back from a generated PDF, a playlist, 42).
import { randomBytes } from 'node:crypto';
import type { ServiceName } from '../../kit/index.js';
import { expect, textOf, type SmokeClient } from './client.js';
import { smokeClip } from './clip.js';

export interface Journey {
  title: string;
  run(client: SmokeClient, budgetMs: number): Promise<void>;
}

const nonce = (): string => `smoke${randomBytes(4).toString('hex')}`;

/** The job route waits for the result up to its bound (200); past it (202) the status is polled: the finished job either way. */
async function jobResult(c: SmokeClient, name: string, submitted: Record<string, unknown>, prefix: string, budgetMs: number): Promise<Record<string, unknown>> {
  if (submitted.status === 'completed') return submitted;
  const id = textOf(submitted.task_id ?? submitted.id);
  expect(id !== '', `${name}: the job answer has no task id`);
  return c.settle(`${name} (job)`, `${prefix}status/${encodeURIComponent(id)}`, budgetMs);
}

const resultOf = (job: Record<string, unknown>): Record<string, unknown> => (job.result ?? job) as Record<string, unknown>;

export const JOURNEYS: Record<ServiceName, Journey> = {
  video: {
    title: 'video: analyze a clip, then take a thumbnail',
    async run(c) {
      const clip = { data: await smokeClip(), filename: 'smoke.mp4', type: 'video/mp4' };
      await c.step('analyze', 'POST', '/api/video/analyze', { form: { file: clip } }, (res) => {
        const a = res.json<{ analysis?: { duration?: number; width?: number } }>().analysis;
        expect(a !== undefined && Number(a.duration) > 1 && a.width === 320, `analyze: expected a 2 s 320-wide clip, got ${res.body.toString('utf8').slice(0, 200)}`);
      });
      await c.step('thumbnail', 'POST', '/api/video/thumbnail?timestamp=1&width=160', { form: { file: clip } }, (res) => {
        expect(res.type.startsWith('image/jpeg') && res.body[0] === 0xff && res.body[1] === 0xd8, `thumbnail: expected a JPEG, got ${res.type} (${res.body.length} bytes)`);
      });
    },
  },
  document: {
    title: 'document: generate a PDF, then extract its text',
    async run(c) {
      const word = nonce();
      const data = JSON.stringify({ title: `Smoke ${word}`, sections: [{ heading: 'Check', content: `The smoke word is ${word}.` }] });
      const pdf = await c.step('generate-pdf', 'POST', '/api/document/generate-pdf', { form: { template: 'basic', data } }, (res) => {
        expect(res.body.subarray(0, 5).toString('latin1') === '%PDF-', `generate-pdf: expected a PDF, got ${res.type}`);
        return res.body;
      });
      await c.step('extract-text', 'POST', '/api/document/extract-text', { form: { method: 'native', file: { data: pdf, filename: 'smoke.pdf', type: 'application/pdf' } } }, (res) => {
        const text = textOf(res.json().text);
        expect(text.includes(word), `extract-text: the generated word ${word} was not read back`);
      });
    },
  },
  ai: {
    title: 'ai: classify a sentence, then moderate it',
    async run(c) {
      await c.step('classify', 'POST', '/api/ai/classify', { json: { text: 'I love how fast and friendly this service is.' } }, (res) => {
        const top = res.json<{ classification?: Array<{ label: string; score: number }> }>().classification?.[0];
        expect(top?.label === 'positive', `classify: expected "positive" first, got ${JSON.stringify(top)}`);
      });
      await c.step('moderate', 'POST', '/api/ai/moderate', { json: { content: 'Thanks for the help, have a good day.' } }, (res) => {
        expect(res.json().approved === true, `moderate: a polite sentence was not approved: ${res.body.toString('utf8').slice(0, 200)}`);
      });
    },
  },
  media: {
    title: 'media: an HLS rendition of a short clip, its playlist served, then deleted',
    async run(c, budgetMs) {
      const clip = { data: await smokeClip(), filename: 'smoke.mp4', type: 'video/mp4' };
      const submitted = await c.step('hls-transcode', 'POST', '/api/media/hls-transcode', { form: { file: clip, qualities: 'mobile', stream_name: nonce() } }, (res) => res.json());
      const result = resultOf(await jobResult(c, 'hls-transcode', submitted, '/api/media/', budgetMs));
      const master = textOf(result.master_playlist);
      expect(master.startsWith('/streams/'), `hls-transcode: no master playlist in ${JSON.stringify(result).slice(0, 200)}`);
      await c.step('master playlist', 'GET', master, undefined, (res) => {
        expect(res.body.toString('utf8').startsWith('#EXTM3U') && res.body.includes('#EXT-X-STREAM-INF'), 'master playlist: not an HLS master playlist');
      });
      const id = master.split('/')[2] ?? '';
      await c.step('delete stream', 'DELETE', `/api/media/stream/${encodeURIComponent(id)}`, undefined, () => undefined);
    },
  },
  code: {
    title: 'code: run a Python program in the sandbox',
    async run(c) {
      await c.step('execute', 'POST', '/api/code/execute', { json: { language: 'python', code: 'print(6 * 7)' } }, (res) => {
        const body = res.json();
        expect(body.status === 'completed' && String(body.stdout).trim() === '42', `execute: expected "42", got ${JSON.stringify(body).slice(0, 300)}`);
      });
    },
  },
};
