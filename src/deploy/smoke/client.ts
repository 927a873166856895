// The HTTP side of a smoke journey: requests through the gateway (or straight at a service) with
// a key and, for a new release's instances, the track header; every step timed and bounded.
import { request, FormData } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SmokeTarget {
  /** Gateway base URL, e.g. http://127.0.0.1:8080 (no trailing slash). */
  baseUrl: string;
  apiKey: string;
  /** Send requests to this track's instances (`X-Pitchey-Track`, needs an admin key); null = normal routing. */
  track: string | null;
  /** Per request. */
  timeoutMs: number;
}

export interface StepRecord {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface SmokeResponse {
  status: number;
  type: string;
  body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export class StepFailed extends Error {}

/** A JSON answer's field as text: strings and numbers as they are, anything else ''. */
export function textOf(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

export type FormValue = string | { data: Buffer; filename: string; type: string };

const RATE_LIMITED_ATTEMPTS = 4;
const MAX_RETRY_AFTER_S = 10;

/** A fresh body per attempt: a FormData stream is spent once sent. */
function encodeBody(body: { json?: unknown; form?: Record<string, FormValue> } | undefined): string | FormData | null {
  if (body?.json !== undefined) return JSON.stringify(body.json);
  if (body?.form === undefined) return null;
  const form = new FormData();
  for (const [k, v] of Object.entries(body.form)) {
    if (typeof v === 'string') form.append(k, v);
    else form.append(k, new Blob([v.data], { type: v.type }), v.filename);
  }
  return form;
}

export class SmokeClient {
  readonly steps: StepRecord[] = [];

  constructor(private readonly target: SmokeTarget) {}

  url(path: string): string {
    return `${this.target.baseUrl}${path}`;
  }

  private async send(method: string, path: string, body?: { json?: unknown; form?: Record<string, FormValue> }): Promise<SmokeResponse> {
    const headers: Record<string, string> = { 'x-api-key': this.target.apiKey };
    if (this.target.track !== null) headers['x-pitchey-track'] = this.target.track;
    if (body?.json !== undefined) headers['content-type'] = 'application/json';
    // A journey is a client like any other: told to slow down (the gateway's rate limits), it waits
    // as long as Retry-After says and asks again, a few times, rather than failing the release.
    for (let attempt = 1; ; attempt++) {
      const res = await request(this.url(path), { method: method as 'GET', headers, body: encodeBody(body), headersTimeout: this.target.timeoutMs, bodyTimeout: this.target.timeoutMs });
      const waitS = Number(res.headers['retry-after']);
      if (res.statusCode === 429 && attempt < RATE_LIMITED_ATTEMPTS && waitS > 0 && waitS <= MAX_RETRY_AFTER_S) {
        await res.body.dump();
        await sleep(waitS * 1000);
        continue;
      }
      const buf = Buffer.from(await res.body.arrayBuffer());
      const type = String(res.headers['content-type'] ?? '');
      return { status: res.statusCode, type, body: buf, json: <T>() => JSON.parse(buf.toString('utf8')) as T };
    }
  }

  /** One named step: the request, then `check` on its answer; timed, recorded, thrown on failure. */
  async step<T>(name: string, method: string, path: string, body: { json?: unknown; form?: Record<string, FormValue> } | undefined, check: (res: SmokeResponse) => T): Promise<T> {
    const started = performance.now();
    const ms = (): number => Math.round(performance.now() - started);
    try {
      const res = await this.send(method, path, body);
      if (res.status >= 400) throw new StepFailed(`${method} ${path} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
      const value = check(res);
      this.steps.push({ name, ok: true, ms: ms(), detail: `${res.status} ${res.type.split(';')[0]}` });
      return value;
    } catch (err) {
      const detail = err instanceof StepFailed ? err.message : `${method} ${path}: ${(err as Error).message}`;
      this.steps.push({ name, ok: false, ms: ms(), detail });
      throw new StepFailed(detail);
    }
  }

  /** A job answered 202: poll its status URL until it settles (bounded), then return the final status body. */
  async settle(name: string, statusPath: string, deadlineMs: number): Promise<Record<string, unknown>> {
    const started = performance.now();
    const ms = (): number => Math.round(performance.now() - started);
    const until = Date.now() + deadlineMs;
    for (;;) {
      const res = await this.send('GET', statusPath);
      const body = res.status < 400 ? res.json() : {};
      const status = textOf(body.status);
      if (status === 'completed') {
        this.steps.push({ name, ok: true, ms: ms(), detail: 'job completed' });
        return body;
      }
      if (res.status >= 400 || status === 'failed' || status === 'cancelled' || Date.now() > until) {
        const why =
          res.status >= 400 ? `status ${res.status}` : status === 'failed' || status === 'cancelled' ? `job ${status}: ${JSON.stringify(body.error ?? '')}` : `not done within ${deadlineMs} ms`;
        this.steps.push({ name, ok: false, ms: ms(), detail: why });
        throw new StepFailed(`${name}: ${why}`);
      }
      await sleep(200);
    }
  }
}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailed(message);
}
