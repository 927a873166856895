// TLS checks against certificates made with openssl at test time: files (expiry, chain, hostname)
// and a live node:tls endpoint on 127.0.0.1.
import { readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createServer, rootCertificates, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCertFile, checkEndpoint, checkTls } from '../../../src/deploy/checks/tls-expiry.js';
import { runProcess } from '../../../src/kit/index.js';
import { makeTempDir } from '../../helpers.js';

const DAY = 86_400_000;
const tmp = makeTempDir('pitchey-tls-');
const at = (name: string): string => join(tmp.dir, name);

async function openssl(args: string[]): Promise<void> {
  const run = await runProcess('openssl', args, { cwd: tmp.dir, timeoutMs: 20_000 });
  if (run.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${run.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed certificate for `host`, valid `days` from the real now. */
function selfSigned(name: string, host: string, days: number): Promise<void> {
  return openssl(['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', String(days), '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host},IP:127.0.0.1`]);
}

async function caAndLeaf(): Promise<void> {
  await openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '365',
    '-subj',
    '/CN=Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  await openssl(['req', '-new', ...EC, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost']);
  writeFileSync(at('leaf.ext'), 'subjectAltName=DNS:localhost\n');
  await openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '90', '-extfile', 'leaf.ext', '-out', 'leaf.pem']);
  writeFileSync(at('leaf-and-ca.pem'), readFileSync(at('leaf.pem'), 'utf8') + readFileSync(at('ca.pem'), 'utf8'));
}

beforeAll(async () => {
  await Promise.all([selfSigned('valid', 'localhost', 90), selfSigned('short', 'localhost', 10), selfSigned('day', 'localhost', 1), selfSigned('other', 'other.example', 90)]);
  await caAndLeaf();
});
afterAll(() => tmp.remove());

const file = (name: string, extra: { caFile?: string; hostname?: string | null } = {}) => ({
  path: at(name),
  caFile: extra.caFile ?? null,
  hostname: extra.hostname === undefined ? 'localhost' : extra.hostname,
});

describe('certificate files', () => {
  it('passes a self-signed 90-day certificate for its host when it is given as its own CA', async () => {
    const e = await checkCertFile(file('valid.pem', { caFile: at('valid.pem') }), 30, new Date());
    expect(e).toMatchObject({ check: 'tls-expiry', status: 'pass', source: at('valid.pem') });
    expect(e.observed).toMatch(/valid (89|90) more days; chain ok; host localhost ok/);
  });
  it('fails a certificate that has expired by `now`', async () => {
    const e = await checkCertFile(file('day.pem'), 30, new Date(Date.now() + 5 * DAY));
    expect(e.status).toBe('fail');
    expect(e.observed).toMatch(/leaf expired/);
  });
  it('fails a certificate with fewer than 30 days left', async () => {
    const e = await checkCertFile(file('short.pem'), 30, new Date());
    expect(e.status).toBe('fail');
    expect(e.observed).toMatch(/leaf expires in (9|10) days/);
    expect(e.threshold).toContain('≥ 30 days');
  });
  it('fails on a hostname mismatch', async () => {
    const e = await checkCertFile(file('other.pem'), 30, new Date());
    expect(e.status).toBe('fail');
    expect(e.observed).toContain('hostname localhost does not match DNS:other.example');
  });
  it('fails a self-signed certificate with no CA given: it is not in the system trust store', async () => {
    const e = await checkCertFile(file('valid.pem'), 30, new Date());
    expect([e.status, e.observed]).toEqual(['fail', expect.stringContaining('not trusted: the last certificate is self-signed, which is not in the system trust store')]);
  });
  it('trusts a certificate of the system trust store with no CA given', async () => {
    const root = rootCertificates.map((pem) => new X509Certificate(pem)).find((c) => Date.parse(c.validTo) > Date.now() + 365 * DAY)!;
    writeFileSync(at('store-root.pem'), root.toString());
    const e = await checkCertFile(file('store-root.pem', { hostname: null }), 30, new Date());
    expect([e.status, e.observed]).toEqual(['pass', expect.stringContaining('chain ok')]);
  });
  it('checks the chain: leaf issued by the CA file, or carried in the file up to a root the CA file or the trust store holds', async () => {
    expect((await checkCertFile(file('leaf.pem', { caFile: at('ca.pem') }), 30, new Date())).status).toBe('pass');
    expect((await checkCertFile(file('leaf-and-ca.pem', { caFile: at('ca.pem') }), 30, new Date())).status).toBe('pass');
    const carried = await checkCertFile(file('leaf-and-ca.pem'), 30, new Date());
    expect([carried.status, carried.observed]).toEqual(['fail', expect.stringContaining('is self-signed, which is not in the system trust store')]);
    const noAnchor = await checkCertFile(file('leaf.pem'), 30, new Date());
    expect(noAnchor.observed).toMatch(/not trusted: the last certificate is issued by .*not in the system trust store/);
    const wrongCa = await checkCertFile(file('leaf.pem', { caFile: at('valid.pem') }), 30, new Date());
    expect(wrongCa.status).toBe('fail');
    expect(wrongCa.observed).toContain('not issued by the CA');
  });
  it('fails a missing or non-PEM file instead of skipping it', async () => {
    writeFileSync(at('junk.pem'), 'not a certificate');
    expect((await checkCertFile(file('absent.pem'), 30, new Date())).status).toBe('fail');
    expect((await checkCertFile(file('junk.pem'), 30, new Date())).observed).toContain('no PEM certificate');
  });
  it('warns, not passes, when nothing is configured', async () => {
    const [e] = await checkTls({ files: [], endpoints: [], minDays: 30, timeoutMs: 1000, now: new Date() });
    expect(e?.status).toBe('warn');
  });
});

describe('live endpoint', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer({ key: readFileSync(at('valid.key')), cert: readFileSync(at('valid.pem')) }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const endpoint = (caFile: string | null) => ({ host: '127.0.0.1', port, servername: 'localhost', caFile });

  it('reads the peer certificate and passes when trusted, valid and for the servername', async () => {
    const e = await checkEndpoint(endpoint(at('valid.pem')), { minDays: 30, timeoutMs: 5000, now: new Date() });
    expect(e.status, e.observed).toBe('pass');
    expect(e.details).toMatchObject({ authorized: true, authorizationError: null });
    expect(e.source).toBe(`tls://127.0.0.1:${port} (servername localhost)`);
  });
  it('reports an untrusted chain with its authorization error', async () => {
    const e = await checkEndpoint(endpoint(null), { minDays: 30, timeoutMs: 5000, now: new Date() });
    expect(e.status).toBe('fail');
    expect(e.details).toMatchObject({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
  it('applies the 30-day rule to the live certificate at `now`', async () => {
    const e = await checkEndpoint(endpoint(at('valid.pem')), { minDays: 30, timeoutMs: 5000, now: new Date(Date.now() + 75 * DAY) });
    expect(e.status).toBe('fail');
    expect(e.observed).toMatch(/leaf expires in 1[45] days/);
  });
  it('fails an endpoint that does not answer', async () => {
    const e = await checkEndpoint({ host: '127.0.0.1', port: 1, servername: 'localhost', caFile: null }, { minDays: 30, timeoutMs: 2000, now: new Date() });
    expect(e.status).toBe('fail');
    expect(e.observed).toMatch(/^error: .*ECONNREFUSED/);
  });
});
