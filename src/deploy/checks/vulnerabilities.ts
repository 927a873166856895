// Vulnerabilities: the Trivy JSON report of the image being deployed, with zero CRITICAL findings,
// passes (HIGH ones warn). When the release is an image (docker driver), the report must be of that
// very image — its Metadata.ImageID (or a registry digest) the deployed image's — else it fails: a
// clean report of another build proves nothing. A report that is missing, unreadable or not shaped
// like Trivy's is a failure too: no evidence is never a pass.
import { readFile } from 'node:fs/promises';
import { runProcess } from '../../kit/index.js';
import { createEvidence } from './create-evidence.js';
import { sameImage, shortDigest, type DeployedImage } from './deployed-image.js';
import type { Evidence } from './evidence.js';
import { summarizeTrivy, type TrivySummary } from './trivy-report.js';

export { summarizeTrivy, type SeverityCounts, type TrivySummary } from './trivy-report.js';

const SEVERITY_THRESHOLD = '0 critical (high warns)';
/** A scan downloads Trivy's database the first time: minutes, not the checks' network deadline. */
const TRIVY_TIMEOUT_MS = 10 * 60_000;

export interface VulnerabilityCheckOptions {
  /** The report file, `{service}` and `{version}` already filled in; null: none configured. */
  reportPath: string | null;
  /** The image being deployed (docker driver); null when releases are not images (local driver). */
  image: DeployedImage | null;
  now: Date;
  /** Where `trivy image` may scan `image` when no report is configured (default `trivy` on PATH). */
  trivy?: { command: string; dockerHost: string | null };
}

/** `reports/trivy-{service}-{version}.json` for the deployment of `service` at `version`. */
export function fillReportPath(template: string | null, target: { service: string; version: string } | undefined): string | null {
  if (template === null || target === undefined) return template;
  return template.replaceAll('{service}', target.service).replaceAll('{version}', target.version);
}

/** The report's text and where it came from, or why there is none. */
async function readReport(o: VulnerabilityCheckOptions): Promise<{ text: string; source: string } | { missing: string; source: string }> {
  if (o.reportPath !== null) {
    try {
      return { text: await readFile(o.reportPath, 'utf8'), source: o.reportPath };
    } catch (err) {
      return { missing: `no usable Trivy report: ${(err as Error).message}`, source: o.reportPath };
    }
  }
  if (o.image === null) return { missing: 'not configured: no Trivy report path', source: 'checks config vulnerabilities.report' };
  return scanImage(o.image, o.trivy ?? { command: 'trivy', dockerHost: null });
}

/** Runs `trivy image --format json` on the deployed image, where the binary exists. */
async function scanImage(image: DeployedImage, trivy: { command: string; dockerHost: string | null }): Promise<{ text: string; source: string } | { missing: string; source: string }> {
  const args = ['image', '--format', 'json', '--quiet', image.ref];
  const source = `${trivy.command} ${args.join(' ')}`;
  const env = { ...process.env, ...(trivy.dockerHost === null ? {} : { DOCKER_HOST: trivy.dockerHost }) };
  const run = await runProcess(trivy.command, args, { env, timeoutMs: TRIVY_TIMEOUT_MS, maxStdoutBytes: 64 * 1024 * 1024 });
  if (run.spawnError !== null) return { missing: `not configured: no Trivy report path, and no ${trivy.command} binary to scan ${image.ref} (${run.spawnError})`, source };
  if (run.exitCode !== 0) return { missing: `${trivy.command} could not scan ${image.ref}${run.timedOut ? ' (timed out)' : ''}: ${run.stderr.trim().slice(-500)}`, source };
  return { text: run.stdout.toString('utf8'), source };
}

/** Pure: the verdict on a parsed report, for the deployed image when there is one. */
export function assessReport(summary: TrivySummary, image: DeployedImage | null): Pick<Evidence, 'status' | 'observed' | 'threshold'> {
  const { CRITICAL, HIGH } = summary.counts;
  const scanned = summary.imageId === null ? (summary.artifact ?? 'an unnamed artifact') : `${summary.artifact ?? 'image'} ${shortDigest(summary.imageId)}`;
  if (image === null) {
    return { status: CRITICAL > 0 ? 'fail' : HIGH > 0 ? 'warn' : 'pass', observed: `${CRITICAL} critical, ${HIGH} high in ${scanned}`, threshold: SEVERITY_THRESHOLD };
  }
  const threshold = `a report of the deployed image ${image.ref} ${shortDigest(image.id)}; ${SEVERITY_THRESHOLD}`;
  if (!sameImage(summary, image)) {
    return { status: 'fail', observed: `the report is of ${scanned}, not of the deployed image ${image.ref} ${shortDigest(image.id)}`, threshold };
  }
  return { status: CRITICAL > 0 ? 'fail' : HIGH > 0 ? 'warn' : 'pass', observed: `${CRITICAL} critical, ${HIGH} high in ${image.ref} ${shortDigest(image.id)}`, threshold };
}

export async function checkVulnerabilities(o: VulnerabilityCheckOptions): Promise<Evidence> {
  const report = await readReport(o);
  const deployed = o.image === null ? {} : { deployedImage: { ref: o.image.ref, id: o.image.id, repoDigests: o.image.repoDigests } };
  if ('missing' in report) {
    const threshold = o.image === null ? SEVERITY_THRESHOLD : `a report of the deployed image ${o.image.ref} ${shortDigest(o.image.id)}; ${SEVERITY_THRESHOLD}`;
    return createEvidence('vulnerabilities', { status: 'fail', observed: report.missing, threshold, source: report.source, details: o.image === null ? undefined : deployed }, o.now);
  }
  let summary: TrivySummary;
  try {
    summary = summarizeTrivy(report.text);
  } catch (err) {
    return createEvidence(
      'vulnerabilities',
      { status: 'fail', observed: `no usable Trivy report: ${(err as Error).message}`, threshold: SEVERITY_THRESHOLD, source: report.source, details: o.image === null ? undefined : deployed },
      o.now,
    );
  }
  // The record names the image the report was made for, beside the one deployed.
  const details = { ...summary, critical: summary.critical.slice(0, 50), reportImageId: summary.imageId, ...deployed };
  return createEvidence('vulnerabilities', { ...assessReport(summary, o.image), source: report.source, details }, o.now);
}
