// Reading a Trivy JSON report (`trivy image --format json`, SchemaVersion 2): severity counts, the
// critical findings by name, and which image it was made for (Metadata.ImageID, RepoDigests).
// Pure: text in, summary out; anything not shaped like Trivy's report throws, naming what is wrong.

export interface SeverityCounts {
  CRITICAL: number;
  HIGH: number;
  MEDIUM: number;
  LOW: number;
  UNKNOWN: number;
}

export interface TrivySummary {
  artifact: string | null;
  createdAt: string | null;
  /** The scanned image's ID (`sha256:…`, the config digest), when the report is of an image. */
  imageId: string | null;
  /** The scanned image's registry digests (`repo@sha256:…`); empty for an image never pushed. */
  repoDigests: string[];
  targets: number;
  counts: SeverityCounts;
  critical: string[];
}

/** A report's name field as text: a string or number as is, anything else (absent, an object) '?'. */
const named = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');
const textOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function readMetadata(metadata: unknown): { imageId: string | null; repoDigests: string[] } {
  if (metadata === undefined || metadata === null) return { imageId: null, repoDigests: [] };
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error('Metadata is not an object');
  const m = metadata as { ImageID?: unknown; RepoDigests?: unknown };
  if (m.RepoDigests !== undefined && m.RepoDigests !== null && !Array.isArray(m.RepoDigests)) throw new Error('Metadata.RepoDigests is not a list');
  const digests = Array.isArray(m.RepoDigests) ? m.RepoDigests.filter((d): d is string => typeof d === 'string') : [];
  return { imageId: textOrNull(m.ImageID), repoDigests: digests };
}

function countFindings(results: unknown[]): { counts: SeverityCounts; critical: string[] } {
  const counts: SeverityCounts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  const critical: string[] = [];
  results.forEach((r: unknown, i) => {
    if (typeof r !== 'object' || r === null) throw new Error(`Results[${i}] is not an object`);
    const { Vulnerabilities: vulns } = r as { Vulnerabilities?: unknown };
    if (vulns === undefined || vulns === null) return;
    if (!Array.isArray(vulns)) throw new Error(`Results[${i}].Vulnerabilities is not a list`);
    vulns.forEach((v: unknown, j) => {
      const vuln = (v ?? {}) as { Severity?: unknown; VulnerabilityID?: unknown; PkgName?: unknown };
      if (typeof vuln.Severity !== 'string') throw new Error(`Results[${i}].Vulnerabilities[${j}] has no Severity`);
      const sev = (vuln.Severity.toUpperCase() in counts ? vuln.Severity.toUpperCase() : 'UNKNOWN') as keyof SeverityCounts;
      counts[sev] += 1;
      if (sev === 'CRITICAL') critical.push(`${named(vuln.VulnerabilityID)} (${named(vuln.PkgName)})`);
    });
  });
  return { counts, critical };
}

/** Throws on anything that is not a Trivy report, naming what is wrong. */
export function summarizeTrivy(text: string): TrivySummary {
  const report = JSON.parse(text) as { Results?: unknown; ArtifactName?: unknown; CreatedAt?: unknown; Metadata?: unknown } | null;
  if (report === null || typeof report !== 'object' || Array.isArray(report)) throw new Error('not a JSON object');
  if (!Array.isArray(report.Results)) throw new Error('no Results list: nothing was scanned');
  return {
    artifact: textOrNull(report.ArtifactName),
    createdAt: textOrNull(report.CreatedAt),
    ...readMetadata(report.Metadata),
    targets: report.Results.length,
    ...countFindings(report.Results as unknown[]),
  };
}
