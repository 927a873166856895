// The nginx data plane's configuration, generated from the gateway's routing table: one location
// per route whose instance the Lua picks from pushed state, everything else proxied to the Node
// gateway on loopback, and a loopback-only control server the Node side pushes to and reads from.
// Nothing in it changes with weights, instances or health, so those never need a reload.
import { Problem, REQUEST_ID, SECURITY_HEADERS, formatBytes } from '../../kit/index.js';
import { RATE_ZONES } from '../rate-limit.js';
import type { GatewayRoute } from '../routes.js';
import { requestLogFormats, requestLogServer } from './request-log.js';

export interface NginxConfOptions {
  /** nginx's own directory: pid, temp files. */
  prefix: string;
  /** Where pitchey.lua is. */
  luaDir: string;
  listenHost: string;
  listenPort: number;
  /** The Node gateway, on loopback. */
  nodePort: number;
  /** The control server, on loopback. */
  controlPort: number;
  /** What the control server's callers must send as X-Pitchey-Control: another local process cannot steer the traffic. */
  controlToken: string;
  /** Random, new at each start: begins the request ids nginx makes (see REQUEST_ID_MADE). */
  requestIdPrefix: string;
  routes: readonly GatewayRoute[];
  /** Named on the answers nginx makes itself, as the Node gateway names its own. */
  version: string;
  /** The contract's per-client rate limits (PITCHEY_RATE_LIMIT). */
  rateLimit: boolean;
  /** Peers whose X-Forwarded-For is believed (PITCHEY_TRUSTED_PROXIES): the client is the address they name. */
  trustedProxies: readonly string[];
  /**
   * With the gateway's logger fields (pino's bindings), each request nginx answers is logged as the
   * Node gateway logs one, into the FIFO the gateway reads; null: none is (a log level above info).
   */
  requestLog: Record<string, unknown> | null;
}

/**
 * What every proxied request carries, as the Node proxy forwards it. nginx inherits
 * proxy_set_header only into a block that sets none, so the routes repeat these beside their own.
 */
const FORWARDED = [
  'proxy_set_header Connection "";',
  'proxy_set_header Host $http_host;',
  'proxy_set_header X-Forwarded-For $pitchey_forwarded_for;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Forwarded-Host $http_host;',
  'proxy_set_header X-Request-Id $pitchey_request_id;',
];

/** A Lua long string: the JSON never holds `]==]`. */
const luaString = (s: string): string => `[==[${s}]==]`;

/** The fixed part of a problem's body, left open for the Lua to add the path and request id. */
function problemHead(problem: Problem): string {
  return JSON.stringify(problem.toBody()).replace(/}$/, '');
}

/** An error page's location (`@name`, or `= /uri` with `internal`) answering as the Node gateway would: its headers, and a body from `call` (pitchey.lua). */
function errorLocation(match: string, call: string, version: string): string {
  const headers = [...Object.entries({ ...SECURITY_HEADERS, 'x-pitchey-version': version }).map(([k, v]) => `add_header ${k} "${v}" always;`), 'add_header x-request-id $pitchey_request_id always;'];
  const internal = match.startsWith('@') ? '' : 'internal; ';
  return `    location ${match} { ${internal}${headers.join(' ')} content_by_lua_block { require("pitchey").${call} } }`;
}

/** `problem`'s call: its status and the fixed part of its body. */
function problemCall(problem: Problem, retryAfter?: string): string {
  const args = [String(problem.status), luaString(problemHead(problem)), ...(retryAfter === undefined ? [] : [`"${retryAfter}"`])];
  return `problem(${args.join(', ')})`;
}

/**
 * What nginx refuses before any route sees the request: a malformed request line or header, a
 * request line too long. Their pages are internal URIs, not named locations: a request whose path
 * did not parse has no URI to take to a named one.
 */
const REFUSED_BY_NGINX = [
  { status: 400, problem: new Problem('BAD_REQUEST', 'The request line or a header is malformed (a bad percent-encoding in the path, for one).') },
  { status: 414, problem: new Problem('URI_TOO_LONG', 'The request line is longer than the gateway reads (8 KiB).') },
];
const refusedUri = (status: number): string => `/_pitchey/refused/${status}`;
const REFUSED_PAGES = REFUSED_BY_NGINX.map((r) => `error_page ${r.status} ${refusedUri(r.status)};`).join(' ');

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The headers the Node gateway sets on every proxied answer, over the upstream's own. */
function answerHeaders(): string {
  const own = Object.entries(SECURITY_HEADERS).map(([k, v]) => `proxy_hide_header ${k}; add_header ${k} "${v}" always;`);
  return [...own, 'proxy_hide_header x-request-id; add_header x-request-id $pitchey_request_id always;'].join('\n      ');
}

function routeLocation(route: GatewayRoute, index: number, version: string): string {
  const service = route.service;
  const name = `r${index}`;
  // nginx reads 0 as "no limit"; a route that takes no body allows none.
  const maxBody = route.maxBodyBytes === 0 ? '1' : String(route.maxBodyBytes);
  const timeoutS = Math.ceil(route.timeoutMs / 1000);
  return `    location ${route.prefix} {
      client_max_body_size ${maxBody};
      # A location's own error_page replaces the server's: nginx's refusals are repeated here.
      ${REFUSED_PAGES}
      error_page 413 @${name}_413;
      error_page 502 = @${name}_502;
      error_page 504 @${name}_504;
      access_by_lua_block { require("pitchey").access(${index + 1}) }
      proxy_pass http://pitchey_pool$pitchey_uri;
      ${FORWARDED.join('\n      ')}
      proxy_set_header X-Pitchey-Track "";
      ${route.strip ? `proxy_set_header X-Forwarded-Prefix "${route.prefix.replace(/\/$/, '')}";` : ''}
      proxy_connect_timeout 2s;
      proxy_read_timeout ${timeoutS}s;
      proxy_send_timeout ${timeoutS}s;
      ${answerHeaders()}
    }
${errorLocation(`@${name}_413`, problemCall(new Problem('BODY_TOO_LARGE', `Bodies on ${route.prefix} may be at most ${formatBytes(route.maxBodyBytes)}.`)), version)}
${errorLocation(`@${name}_502`, `unavailable(${luaString(problemHead(new Problem('UPSTREAM_UNAVAILABLE', `The ${service} instance could not be reached.`)))})`, version)}
${errorLocation(`@${name}_504`, problemCall(new Problem('UPSTREAM_TIMEOUT', `${service} did not answer within ${route.timeoutMs / 1000} s.`)), version)}`;
}

/** The routes as pitchey.lua knows them (by index from 1), with their limit and its 429's body. */
function luaRoutes(o: NginxConfOptions): string {
  const entries = o.routes.map((r) => {
    const fields = [`service = "${r.service}"`, `prefix = "${r.prefix}"`, `strip = ${r.strip}`, `version = ${luaString(o.version)}`];
    if (o.rateLimit && r.rateLimit !== null) {
      const rate = RATE_ZONES[r.rateLimit.zone];
      const limited = new Problem('RATE_LIMITED', `This client is over ${rate} requests per second (burst ${r.rateLimit.burst}) on this route; retry in %WAIT% s.`);
      fields.push(`zone = "${r.rateLimit.zone}"`, `rate = ${rate}`, `burst = ${r.rateLimit.burst}`, `limited = ${luaString(problemHead(limited))}`);
    }
    return `{ ${fields.join(', ')} }`;
  });
  return `{\n    ${entries.join(',\n    ')}\n  }`;
}

/**
 * The client's address as the Node gateway takes it: the peer's, or behind a trusted proxy, the
 * one it names ($remote_addr); and the X-Forwarded-For passed on: a trusted peer's chain with the
 * peer added, else only the client's address.
 */
function forwardedFor(trusted: readonly string[]): string {
  const realIp = trusted.length === 0 ? [] : [...trusted.map((t) => `set_real_ip_from ${t};`), 'real_ip_header X-Forwarded-For;', 'real_ip_recursive on;'];
  return [
    ...realIp,
    `geo $realip_remote_addr $pitchey_trusted_peer { default 0; ${trusted.map((t) => `${t} 1;`).join(' ')} }`,
    'map $pitchey_trusted_peer$http_x_forwarded_for $pitchey_forwarded_for { "~^1(?<chain>.+)$" "$chain, $realip_remote_addr"; default $remote_addr; }',
  ].join('\n  ');
}

/**
 * A request that brings no usable X-Request-Id gets `<prefix>-<connection>-<request on it>`: nginx's
 * connection counter lives as long as its master, and the prefix is new at each start, so ids do
 * not repeat across restarts or replicas. nginx's own $request_id (16 random bytes) cost a tenth
 * of the worker's user time per request (OpenSSL 3's RAND_bytes and a getpid each).
 */
export const REQUEST_ID_MADE = /^[0-9a-f]{8}-\d+-\d+$/;

/** How nginx reads an upstream's answer (see the config's comment); bench/gateway-overhead.mjs gives nginx the same. */
export const PROXY_BUFFERS = 'proxy_buffer_size 8k; proxy_buffers 8 8k;';

export function nginxConf(o: NginxConfOptions): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${o.prefix}/${t};`).join(' ');
  return `# Generated by the Pitchey gateway (PITCHEY_DATA_PLANE=nginx) at each start; edits are lost.
worker_processes 1;
daemon off;
pid ${o.prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  ${temp}
  lua_package_path "${o.luaDir}/?.lua;;";
  lua_shared_dict pitchey_state 4m;
  lua_shared_dict pitchey_stats 32m;
  lua_shared_dict pitchey_limits 16m;
  # A Redis that cannot be reached is logged once by pitchey_limits.lua, not by each socket error.
  lua_socket_log_errors off;
  init_by_lua_block { require("pitchey").init(${luaRoutes(o)}, ${o.requestLog !== null}) }
  ${forwardedFor(o.trustedProxies)}
  ${o.requestLog === null ? '' : requestLogFormats(o.requestLog)}
  map $http_x_request_id $pitchey_request_id { "~${REQUEST_ID.source}" $http_x_request_id; default "${o.requestIdPrefix}-$connection-$connection_requests"; }
  proxy_http_version 1.1;
  ${FORWARDED.join('\n  ')}
  proxy_request_buffering off;
  # An answer up to 64 KiB read from the upstream whole, in one pass: with nginx's default (8
  # buffers of a page) a 64 KiB answer took half again as much system time per request
  # (bench/gateway-overhead.mjs). Larger answers stream through the same 72 KiB per request.
  ${PROXY_BUFFERS}
  proxy_next_upstream error timeout;
  upstream pitchey_pool {
    server 0.0.0.1;
    balancer_by_lua_block { require("pitchey").balance() }
    keepalive 64;
  }
  upstream pitchey_node { server 127.0.0.1:${o.nodePort}; keepalive 16; }
  server {
    listen ${hostPort(o.listenHost, o.listenPort)} reuseport;
    # What access() picked, in variables that outlive a redirect to an error page, for log().
    set $pitchey_uri "";
    set $pitchey_pick "";
    log_by_lua_block { require("pitchey").log() }
    ${o.requestLog === null ? '' : requestLogServer(o.prefix)}
    # A request refused before the server's variables were set reads them empty, as log() expects.
    uninitialized_variable_warn off;
    ${REFUSED_PAGES}
${REFUSED_BY_NGINX.map((r) => errorLocation(`= ${refusedUri(r.status)}`, problemCall(r.problem), o.version)).join('\n')}
    # Each route's own error pages: what nginx answers itself (a body too large, no instance
    # reachable) is the Node gateway's problem, body and headers.
${o.routes.map((r, i) => routeLocation(r, i, o.version)).join('\n')}
    # The Node gateway logs what it answers itself.
    location / { proxy_pass http://pitchey_node; client_max_body_size 0; access_log off; }
    # What the Lua does not decide (a pinned track, sticky clients, no instance): the Node gateway.
    location @node { proxy_pass http://pitchey_node; client_max_body_size 0; access_log off; }
  }
  server {
    listen 127.0.0.1:${o.controlPort};
    if ($http_x_pitchey_control != "${o.controlToken}") { return 403; }
    location = /state { client_body_buffer_size 1m; client_max_body_size 1m; content_by_lua_block { require("pitchey").push() } }
    location = /stats { content_by_lua_block { require("pitchey").drain_stats() } }
    location / { return 404; }
  }
}
`;
}
