// Gateway settings: where a standalone gateway finds the services, and how long it waits for them.
import { integer, oneOf, text, SettingError } from './parsers.js';
import { redisUrl } from './jobs.js';
import { setting } from './setting.js';

/** `video=http://a:8081|http://b:8081,ai=http://c:8083` — the gateway's upstreams when run standalone. */
export function parseUpstreams(raw: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of text(raw)
    .split(',')
    .filter((e) => e.trim() !== '')) {
    const [name = '', urls = ''] = entry.trim().split('=');
    if (!/^[a-z]+$/.test(name)) throw new SettingError(`"${entry}" must look like name=http://host:port`);
    out[name] = urls.split('|').map((u) => {
      let url: URL;
      try {
        url = new URL(u);
      } catch {
        throw new SettingError(`"${u}" is not a URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError(`"${u}" must be http or https`);
      return url.origin;
    });
  }
  return out;
}

export const GATEWAY_SETTINGS = [
  setting({
    key: 'upstreams',
    env: 'PITCHEY_UPSTREAMS',
    area: 'gateway',
    doc: 'the upstreams of a standalone gateway: `video=http://host:8081|http://host2:8081,ai=…`',
    shown: 'each service on 127.0.0.1 at its home port',
    fallback: (): Record<string, string[]> => ({}),
    parse: parseUpstreams,
  }),
  /** How long the gateway holds an idempotent request while a service has no healthy instance. */
  setting({
    key: 'gatewayWaitMs',
    env: 'PITCHEY_GATEWAY_WAIT_MS',
    area: 'gateway',
    doc: 'how long an idempotent request without a body (GET, HEAD, …) waits for a healthy instance when a service has none (one restarting after a crash) before it is answered 502',
    fallback: () => 10_000,
    parse: integer(0, 60_000),
  }),
  setting({
    key: 'gatewayState',
    env: 'PITCHEY_GATEWAY_STATE',
    area: 'gateway',
    secret: true,
    doc: "share the gateway's state in Redis (`redis://host:6379/0`) so replicas behind one address act as one: per-track statistics summed over replicas, weights, stickiness and track tags applied by all within a second, rate limits counted together",
    shown: 'unset (each gateway keeps its own, in memory)',
    fallback: () => null,
    parse: redisUrl,
  }),
  setting({
    key: 'dataPlane',
    env: 'PITCHEY_DATA_PLANE',
    area: 'gateway',
    doc: 'what carries the proxied bytes: `auto` (nginx where its Lua module is installed and can reach the Redis of shared rate limits, if any, else node), `node` (the gateway itself) or `nginx` (nginx with the Lua module as a supervised child on the gateway port, the Node gateway behind it on loopback; refused with shared rate limits in a Redis its Lua cannot reach: TLS, a Unix socket, a host name; see "Data plane")',
    fallback: () => 'auto' as const,
    parse: oneOf(['auto', 'node', 'nginx'] as const),
  }),
];
