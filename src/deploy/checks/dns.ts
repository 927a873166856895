// DNS: each configured name resolves (the system resolver, as clients see it) to the addresses
// expected — the same set, only expected ones (`subset`), or at least the expected ones (`includes`).
import { lookup } from 'node:dns/promises';
import type { DnsExpectation, DnsMatch } from './checks-config.js';
import { createEvidence, guarded } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export type Resolver = (name: string) => Promise<string[]>;

export const SYSTEM_RESOLVER: Resolver = async (name) => (await lookup(name, { all: true })).map((a) => a.address);

/** Pure: does `resolved` meet `expected` under `match`? Returns the offending addresses. */
export function assessAddresses(resolved: string[], expected: string[], match: DnsMatch): { ok: boolean; unexpected: string[]; missing: string[] } {
  const unexpected = [...new Set(resolved)].filter((a) => !expected.includes(a));
  const missing = [...new Set(expected)].filter((a) => !resolved.includes(a));
  const ok = resolved.length > 0 && (match === 'equal' ? unexpected.length === 0 && missing.length === 0 : match === 'subset' ? unexpected.length === 0 : missing.length === 0);
  return { ok, unexpected, missing };
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

const MATCH_WORDS: Record<DnsMatch, string> = { equal: 'exactly', subset: 'only among', includes: 'at least' };

export function checkDnsName(e: DnsExpectation, options: { timeoutMs: number; now: Date; resolve?: Resolver | undefined }): Promise<Evidence> {
  const source = `lookup ${e.name}`;
  return guarded('dns', source, options.now, async () => {
    const resolved = await withDeadline((options.resolve ?? SYSTEM_RESOLVER)(e.name), options.timeoutMs, source);
    const r = assessAddresses(resolved, e.addresses, e.match);
    const gaps = [r.unexpected.length > 0 ? `unexpected ${r.unexpected.join(', ')}` : '', r.missing.length > 0 ? `missing ${r.missing.join(', ')}` : ''].filter(Boolean);
    return createEvidence(
      'dns',
      {
        status: r.ok ? 'pass' : 'fail',
        observed: `${e.name} → ${resolved.join(', ') || 'nothing'}${r.ok || gaps.length === 0 ? '' : ` (${gaps.join('; ')})`}`,
        threshold: `${MATCH_WORDS[e.match]} ${e.addresses.join(', ')}`,
        source,
        details: { name: e.name, resolved, expected: e.addresses, match: e.match, ...r },
      },
      options.now,
    );
  });
}

export async function checkDns(expectations: DnsExpectation[], options: { timeoutMs: number; now: Date; resolve?: Resolver | undefined }): Promise<Evidence[]> {
  if (expectations.length === 0) {
    return [createEvidence('dns', { status: 'warn', observed: 'not configured: no names to check', threshold: 'names resolve as expected', source: 'checks config dns' }, options.now)];
  }
  return Promise.all(expectations.map((e) => checkDnsName(e, options)));
}
