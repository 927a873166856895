// The gateway's routing table, from the service contract: which prefix goes to which service,
// whether the prefix is stripped, and each route's body limit and upstream timeout.
import type { ServiceName } from '../kit/index.js';

export interface GatewayRoute {
  prefix: string;
  service: ServiceName;
  /** Strip the prefix before forwarding (the services serve their routes at `/`). */
  strip: boolean;
  maxBodyBytes: number;
  timeoutMs: number;
}

/** The gateway's home port (80/443 sit in front of it in production). */
export const GATEWAY_PORT = 8080;

const MB = 1024 * 1024;

export const GATEWAY_ROUTES: GatewayRoute[] = [
  { prefix: '/api/video/', service: 'video', strip: true, maxBodyBytes: 500 * MB, timeoutMs: 300_000 },
  { prefix: '/api/document/', service: 'document', strip: true, maxBodyBytes: 100 * MB, timeoutMs: 180_000 },
  { prefix: '/api/ai/', service: 'ai', strip: true, maxBodyBytes: 1 * MB, timeoutMs: 120_000 },
  { prefix: '/api/media/', service: 'media', strip: true, maxBodyBytes: 1024 * MB, timeoutMs: 600_000 },
  // Stream files are served by the media service under the same path: passed through as is.
  { prefix: '/streams/', service: 'media', strip: false, maxBodyBytes: 0, timeoutMs: 60_000 },
  { prefix: '/api/code/', service: 'code', strip: true, maxBodyBytes: 1 * MB, timeoutMs: 60_000 },
];
