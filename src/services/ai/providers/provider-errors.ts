// Turns whatever a provider call threw (an SDK APIError, a fetch failure, an abort) into a
// ProviderError with a reason fit for a client and a retry decision.
import { ProviderError, type ProviderName } from './provider.js';

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const CALLER_FAULT_STATUS = new Set([400, 404, 413, 422]);

/** `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function short(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

export function httpStatusError(provider: ProviderName, status: number, message: string, headers?: { get(name: string): string | null }): ProviderError {
  const retryAfter = retryAfterMs(headers);
  return new ProviderError(provider, `HTTP ${status}: ${short(message)}`, {
    status,
    retryable: RETRYABLE_STATUS.has(status) || status >= 500,
    providerFault: !CALLER_FAULT_STATUS.has(status),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });
}

interface SdkLikeError {
  status?: unknown;
  headers?: unknown;
  message?: unknown;
  error?: unknown;
  name?: unknown;
  cause?: unknown;
  code?: unknown;
}

function sdkMessage(e: SdkLikeError): string {
  const body = e.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const inner = body?.error?.message ?? body?.message;
  if (typeof inner === 'string') return inner;
  return typeof e.message === 'string' ? e.message : 'error';
}

/** Classifies an error thrown by an SDK or fetch. `timedOut` tells an own deadline from a caller abort. */
export function toProviderError(provider: ProviderName, err: unknown, context: { timedOut: boolean; timeoutMs: number }): ProviderError {
  // Our own deadline explains whatever the aborted call threw (an SDK may just end the stream).
  if (context.timedOut) return new ProviderError(provider, `no answer within ${context.timeoutMs} ms`, { retryable: false, providerFault: true });
  if (err instanceof ProviderError) return err;
  const e = (err ?? {}) as SdkLikeError;
  if (typeof e.status === 'number') {
    const headers = e.headers instanceof Headers ? e.headers : undefined;
    return httpStatusError(provider, e.status, sdkMessage(e), headers);
  }
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e.code === 'string' ? e.code : typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = code ?? String(cause?.message ?? e.message ?? err);
  return new ProviderError(provider, `connection failed: ${short(detail)}`, { retryable: true, providerFault: true });
}
