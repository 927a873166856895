// The gateway's routing table, from the service contract: which prefix goes to which service,
// whether the prefix is stripped, and each route's body limit, upstream timeout and rate limit.
import type { ServiceName } from '../kit/index.js';
import type { RouteRateLimit } from './rate-limit.js';

export interface GatewayRoute {
  prefix: string;
  service: ServiceName;
  /** Strip the prefix before forwarding (the services serve their routes at `/`). */
  strip: boolean;
  maxBodyBytes: number;
  timeoutMs: number;
  /** Per client; null: none (stream files, which players fetch in quick runs of Range requests). */
  rateLimit: RouteRateLimit | null;
  /**
   * Answers a person waits on, held to the checklist's p95 < 2 s (objective critical-latency).
   * Uploads, downloads and AI generation are not: their time follows the bytes and tokens asked for.
   */
  critical?: boolean;
  /** The requests that are this route's operation, counted for its success objective (ai: inference). */
  operation?: { name: string; methods: readonly string[] };
}

export { GATEWAY_PORT } from '../kit/index.js';

const MB = 1024 * 1024;

export const GATEWAY_ROUTES: GatewayRoute[] = [
  { prefix: '/api/video/', service: 'video', strip: true, maxBodyBytes: 500 * MB, timeoutMs: 300_000, rateLimit: { zone: 'uploads', burst: 5 } },
  { prefix: '/api/document/', service: 'document', strip: true, maxBodyBytes: 100 * MB, timeoutMs: 180_000, rateLimit: { zone: 'uploads', burst: 5 } },
  { prefix: '/api/ai/', service: 'ai', strip: true, maxBodyBytes: 1 * MB, timeoutMs: 120_000, rateLimit: { zone: 'api', burst: 10 }, operation: { name: 'inference', methods: ['POST'] } },
  { prefix: '/api/media/', service: 'media', strip: true, maxBodyBytes: 1024 * MB, timeoutMs: 600_000, rateLimit: { zone: 'uploads', burst: 3 } },
  // Stream files are served by the media service under the same path: passed through as is.
  { prefix: '/streams/', service: 'media', strip: false, maxBodyBytes: 0, timeoutMs: 60_000, rateLimit: null, critical: true },
  { prefix: '/api/code/', service: 'code', strip: true, maxBodyBytes: 1 * MB, timeoutMs: 60_000, rateLimit: { zone: 'api', burst: 20 }, critical: true },
];
