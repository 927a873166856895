// Judges one certificate chain at `now`: every certificate valid for at least `minDays` more, each
// issued by the next, the last issued by the given CA or by a root of the system trust store (a
// self-signed certificate is trusted only when given as its own CA), and the leaf valid for the host.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { Finding } from './create-evidence.js';

const DAY_MS = 86_400_000;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in order; none is an error, not an empty chain. */
export function parsePemChain(pem: string, source: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error(`${source}: no PEM certificate found`);
  return blocks.map((b) => new X509Certificate(b));
}

export interface ChainJudgement {
  chain: X509Certificate[];
  now: Date;
  minDays: number;
  hostname: string | null;
  /** The trust anchor for the last certificate (files); null: the system trust store. */
  ca: X509Certificate | null;
  /** Live endpoints: TLS already judged the chain; its verdict is reported instead of the link checks. */
  authorized?: { authorized: boolean; error: string | null };
}

const issuedBy = (cert: X509Certificate, issuer: X509Certificate): boolean => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/** Debian's bundle (the ca-certificates package), where the host has it. */
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
let systemRoots: X509Certificate[] | null = null;

/** The roots TLS trusts by default (Node's bundled store) and the host's own bundle, read once. */
function trustStore(): X509Certificate[] {
  if (systemRoots === null) {
    const host = existsSync(SYSTEM_BUNDLE) ? (readFileSync(SYSTEM_BUNDLE, 'utf8').match(PEM_BLOCK) ?? []) : [];
    systemRoots = [...rootCertificates, ...host].map((pem) => new X509Certificate(pem));
  }
  return systemRoots;
}

const anchoredIn = (cert: X509Certificate, roots: X509Certificate[]): boolean => roots.some((root) => root.fingerprint256 === cert.fingerprint256 || issuedBy(cert, root));

function validityIssues(j: ChainJudgement): string[] {
  return j.chain.flatMap((c, i) => {
    const label = i === 0 ? 'leaf' : `chain #${i}`;
    const msLeft = Date.parse(c.validTo) - j.now.getTime();
    if (Date.parse(c.validFrom) > j.now.getTime()) return [`${label} not valid before ${c.validFrom}`];
    if (msLeft <= 0) return [`${label} expired ${c.validTo}`];
    return msLeft < j.minDays * DAY_MS ? [`${label} expires in ${Math.floor(msLeft / DAY_MS)} days (${c.validTo})`] : [];
  });
}

function trustIssues(j: ChainJudgement): string[] {
  if (j.authorized !== undefined) return j.authorized.authorized ? [] : [`not trusted: ${j.authorized.error ?? 'unknown reason'}`];
  const issues: string[] = [];
  j.chain.slice(0, -1).forEach((c, i) => {
    if (!issuedBy(c, j.chain[i + 1] as X509Certificate)) issues.push(`chain #${i} is not issued by chain #${i + 1}`);
  });
  const last = j.chain[j.chain.length - 1] as X509Certificate;
  if (j.ca !== null && !issuedBy(last, j.ca) && last.fingerprint256 !== j.ca.fingerprint256) issues.push(`last certificate is not issued by the CA (${j.ca.subject.replace(/\n/g, ', ')})`);
  if (j.ca === null && !anchoredIn(last, trustStore())) {
    const what = issuedBy(last, last) ? 'is self-signed' : `is issued by ${last.issuer.replace(/\n/g, ', ')}`;
    issues.push(`not trusted: the last certificate ${what}, which is not in the system trust store; give its CA as caFile`);
  }
  return issues;
}

export function judgeChain(j: ChainJudgement): Finding {
  const leaf = j.chain[0] as X509Certificate;
  const matches = (h: string): boolean => (isIP(h) ? leaf.checkIP(h) : leaf.checkHost(h)) !== undefined;
  const hostIssue = j.hostname !== null && !matches(j.hostname) ? [`hostname ${j.hostname} does not match ${leaf.subjectAltName ?? leaf.subject}`] : [];
  const issues = [...validityIssues(j), ...trustIssues(j), ...hostIssue];
  const daysLeft = Math.min(...j.chain.map((c) => Math.floor((Date.parse(c.validTo) - j.now.getTime()) / DAY_MS)));
  const ok = `valid ${daysLeft} more days; chain ok; ${j.hostname === null ? 'hostname not checked' : `host ${j.hostname} ok`}`;
  return {
    status: issues.length === 0 ? 'pass' : 'fail',
    observed: issues.length === 0 ? ok : issues.join('; '),
    threshold: `≥ ${j.minDays} days left, trusted chain, hostname matches`,
    source: '',
    details: {
      issues,
      certificates: j.chain.map((c) => ({
        subject: c.subject.replace(/\n/g, ', '),
        issuer: c.issuer.replace(/\n/g, ', '),
        validFrom: c.validFrom,
        validTo: c.validTo,
        fingerprint256: c.fingerprint256,
      })),
      ...(j.authorized === undefined ? {} : { authorized: j.authorized.authorized, authorizationError: j.authorized.error }),
    },
  };
}
