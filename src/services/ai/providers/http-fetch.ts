// The one HTTP client for provider calls: WHATWG fetch semantics (what the SDKs expect) on top of
// undici's request(), which costs a fraction of Node's bundled fetch per call — the largest part
// of the latency this service adds in front of a fast model server.
import { Readable } from 'node:stream';
import { request } from 'undici';

const NO_BODY = new Set([101, 204, 205, 304]);

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  return headers as Record<string, string>;
}

export async function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request) return fetch(input, init);
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) return fetch(input, init);
  const res = await request(input, {
    method: (init.method ?? 'GET') as 'GET',
    headers: headerRecord(init.headers),
    ...(body === undefined || body === null ? {} : { body }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of [value].flat()) if (v !== undefined) headers.append(name, v);
  }
  if (NO_BODY.has(res.statusCode) || init.method === 'HEAD') {
    res.body.resume();
    return new Response(null, { status: res.statusCode, headers });
  }
  // Streams (SSE, NDJSON) stay streams; a whole JSON answer is read at once, cheaper than a web stream.
  const streaming = /event-stream|ndjson/.test(headers.get('content-type') ?? '');
  const payload = streaming ? (Readable.toWeb(res.body) as ReadableStream<Uint8Array>) : await res.body.arrayBuffer();
  return new Response(payload, { status: res.statusCode, headers });
}
