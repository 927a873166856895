// A redis:// URL as a plain TCP target, for a client that is not node-redis (the nginx data plane's
// Lua, which connects by address: nginx resolves names only with a `resolver` configured).

export interface RedisTcpTarget {
  host: string;
  port: number;
  db: number;
  username: string;
  password: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * `redis://[user[:password]@]host[:port][/db]` with an IP address (or `localhost`) as its host;
 * null for what a plain connection cannot reach: TLS (`rediss://`), a Unix socket, a host name.
 */
export function redisTcpTarget(url: string): RedisTcpTarget | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'redis:') return null;
  const bracketed = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : null;
  const host = u.hostname === 'localhost' ? '127.0.0.1' : (bracketed ?? u.hostname);
  if (!IPV4.test(host) && bracketed === null) return null;
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0) return null;
  return { host, port: u.port === '' ? 6379 : Number(u.port), db, username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** Whether rate limits are shared in a Redis such a client cannot reach (so nginx's Lua cannot count them). */
export function sharedLimitsOutOfReach(config: { gatewayState: string | null; rateLimit: boolean }): boolean {
  return config.gatewayState !== null && config.rateLimit && redisTcpTarget(config.gatewayState) === null;
}
