// TLS certificates: PEM files judged offline, and live endpoints read over TLS (the peer's chain is
// taken even when untrusted, and the trust verdict reported) — one Evidence per file or endpoint.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import type { CertFileSpec, EndpointSpec } from './checks-config.js';
import { createEvidence, guarded } from './create-evidence.js';
import type { Evidence } from './evidence.js';
import { judgeChain, parsePemChain } from './tls-chain.js';

export interface TlsOptions {
  files: CertFileSpec[];
  endpoints: EndpointSpec[];
  minDays: number;
  timeoutMs: number;
  now: Date;
}

async function readCa(path: string | null): Promise<X509Certificate | null> {
  if (path === null) return null;
  return parsePemChain(await readFile(path, 'utf8'), path)[0] as X509Certificate;
}

export function checkCertFile(spec: CertFileSpec, minDays: number, now: Date): Promise<Evidence> {
  return guarded('tls-expiry', spec.path, now, async () => {
    const chain = parsePemChain(await readFile(spec.path, 'utf8'), spec.path);
    const finding = judgeChain({ chain, now, minDays, hostname: spec.hostname, ca: await readCa(spec.caFile) });
    return createEvidence('tls-expiry', { ...finding, source: spec.path }, now);
  });
}

/** The peer's chain as sent (plus what the local store completed), leaf first, each once. */
function peerChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = peer; c?.raw !== undefined && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    chain.push(new X509Certificate(c.raw));
  }
  return chain;
}

interface Handshake {
  chain: X509Certificate[];
  authorized: boolean;
  error: string | null;
}

function handshake(spec: EndpointSpec, ca: string | undefined, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: spec.host, port: spec.port, servername: spec.servername ?? (isIP(spec.host) ? undefined : spec.host), ca, rejectUnauthorized: false });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const chain = peerChain(socket.getPeerCertificate(true));
      const error = socket.authorizationError === null || socket.authorizationError === undefined ? null : String(socket.authorizationError);
      socket.end();
      if (chain.length === 0) reject(new Error('the peer sent no certificate'));
      else resolve({ chain, authorized: socket.authorized, error });
    });
  });
}

export function checkEndpoint(spec: EndpointSpec, options: { minDays: number; timeoutMs: number; now: Date }): Promise<Evidence> {
  const source = `tls://${spec.host}:${spec.port} (servername ${spec.servername ?? spec.host})`;
  return guarded('tls-expiry', source, options.now, async () => {
    const ca = spec.caFile === null ? undefined : await readFile(spec.caFile, 'utf8');
    const seen = await handshake(spec, ca, options.timeoutMs);
    const finding = judgeChain({
      chain: seen.chain,
      now: options.now,
      minDays: options.minDays,
      hostname: spec.servername ?? spec.host,
      ca: null,
      authorized: { authorized: seen.authorized, error: seen.error },
    });
    return createEvidence('tls-expiry', { ...finding, source }, options.now);
  });
}

/** Nothing configured is a warning, not a pass: the checklist asks for certificates to be validated. */
export async function checkTls(options: TlsOptions): Promise<Evidence[]> {
  if (options.files.length === 0 && options.endpoints.length === 0) {
    return [
      createEvidence(
        'tls-expiry',
        { status: 'warn', observed: 'not configured: no certificate files or endpoints', threshold: `≥ ${options.minDays} days left`, source: 'checks config tls' },
        options.now,
      ),
    ];
  }
  return Promise.all([...options.files.map((f) => checkCertFile(f, options.minDays, options.now)), ...options.endpoints.map((e) => checkEndpoint(e, options))]);
}
