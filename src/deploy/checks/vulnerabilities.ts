// Vulnerabilities: a Trivy JSON report with zero CRITICAL findings passes (HIGH ones warn). A report
// that is missing, unreadable or not shaped like Trivy's is a failure: no evidence is never a pass.
import { readFile } from 'node:fs/promises';
import { createEvidence, guarded } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export interface SeverityCounts { CRITICAL: number; HIGH: number; MEDIUM: number; LOW: number; UNKNOWN: number }
export interface TrivySummary { artifact: string | null; createdAt: string | null; targets: number; counts: SeverityCounts; critical: string[] }

/** A report's name field as text: a string or number as is, anything else (absent, an object) '?'. */
const named = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');

/** Throws on anything that is not a Trivy report, naming what is wrong. */
export function summarizeTrivy(text: string): TrivySummary {
  const report = JSON.parse(text) as { Results?: unknown; ArtifactName?: unknown; CreatedAt?: unknown } | null;
  if (report === null || typeof report !== 'object' || Array.isArray(report)) throw new Error('not a JSON object');
  if (!Array.isArray(report.Results)) throw new Error('no Results list: nothing was scanned');
  const counts: SeverityCounts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  const critical: string[] = [];
  report.Results.forEach((r: unknown, i) => {
    const result = (r ?? {}) as { Target?: unknown; Vulnerabilities?: unknown };
    if (typeof r !== 'object' || r === null) throw new Error(`Results[${i}] is not an object`);
    if (result.Vulnerabilities === undefined || result.Vulnerabilities === null) return;
    if (!Array.isArray(result.Vulnerabilities)) throw new Error(`Results[${i}].Vulnerabilities is not a list`);
    result.Vulnerabilities.forEach((v: unknown, j) => {
      const vuln = (v ?? {}) as { Severity?: unknown; VulnerabilityID?: unknown; PkgName?: unknown };
      if (typeof vuln.Severity !== 'string') throw new Error(`Results[${i}].Vulnerabilities[${j}] has no Severity`);
      const sev = (vuln.Severity.toUpperCase() in counts ? vuln.Severity.toUpperCase() : 'UNKNOWN') as keyof SeverityCounts;
      counts[sev] += 1;
      if (sev === 'CRITICAL') critical.push(`${named(vuln.VulnerabilityID)} (${named(vuln.PkgName)})`);
    });
  });
  return { artifact: typeof report.ArtifactName === 'string' ? report.ArtifactName : null, createdAt: typeof report.CreatedAt === 'string' ? report.CreatedAt : null, targets: report.Results.length, counts, critical };
}

export function checkVulnerabilities(reportPath: string | null, now: Date): Promise<Evidence> {
  const threshold = '0 critical (high warns)';
  const source = reportPath ?? 'checks config vulnerabilities.report';
  return guarded('vulnerabilities', source, now, async () => {
    const fail = (observed: string): Evidence => createEvidence('vulnerabilities', { status: 'fail', observed, threshold, source }, now);
    if (reportPath === null) return fail('not configured: no Trivy report path');
    let summary: TrivySummary;
    try {
      summary = summarizeTrivy(await readFile(reportPath, 'utf8'));
    } catch (err) {
      return fail(`no usable Trivy report: ${(err as Error).message}`);
    }
    const { CRITICAL, HIGH } = summary.counts;
    return createEvidence('vulnerabilities', {
      status: CRITICAL > 0 ? 'fail' : HIGH > 0 ? 'warn' : 'pass',
      observed: `${CRITICAL} critical, ${HIGH} high${summary.artifact === null ? '' : ` in ${summary.artifact}`}`,
      threshold, source, details: { ...summary, critical: summary.critical.slice(0, 50) },
    }, now);
  });
}
