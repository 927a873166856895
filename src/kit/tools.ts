// The system tools the platform shells out to, what each one enables, and how to find its version.
// `pitchey doctor`, readiness checks and catalog endpoints all read this one table.
import { runProcess } from './process-runner.js';

export interface ToolSpec {
  name: string;
  command: string;
  versionArgs: string[];
  /** What goes dark without it, as an operator should read it. */
  disables: string;
  /** Debian package that provides it. */
  debianPackage: string;
}

export const TOOLS: ToolSpec[] = [
  { name: 'ffmpeg', command: 'ffmpeg', versionArgs: ['-version'], disables: 'video transcode/compress/thumbnail, HLS/DASH, live streams', debianPackage: 'ffmpeg' },
  { name: 'ffprobe', command: 'ffprobe', versionArgs: ['-version'], disables: 'video analysis and progress/ETA', debianPackage: 'ffmpeg' },
  { name: 'tesseract', command: 'tesseract', versionArgs: ['--version'], disables: 'OCR of scanned PDFs and images', debianPackage: 'tesseract-ocr' },
  { name: 'pdftotext', command: 'pdftotext', versionArgs: ['-v'], disables: 'native PDF text extraction', debianPackage: 'poppler-utils' },
  {
    name: 'pdfinfo',
    command: 'pdfinfo',
    versionArgs: ['-v'],
    disables: 'checking uploaded PDFs (pages, encryption, damage) before the document processor touches them',
    debianPackage: 'poppler-utils',
  },
  { name: 'pdftoppm', command: 'pdftoppm', versionArgs: ['-v'], disables: 'rendering PDF pages for OCR', debianPackage: 'poppler-utils' },
  // The services merge, split and rotate with pdf-lib; qpdf makes the tests' linearised, rotated and encrypted PDFs.
  { name: 'qpdf', command: 'qpdf', versionArgs: ['--version'], disables: 'nothing in the services; the document tests make their odd PDFs with it', debianPackage: 'qpdf' },
  { name: 'bwrap', command: 'bwrap', versionArgs: ['--version'], disables: 'the code sandbox (code execution refuses with 503)', debianPackage: 'bubblewrap' },
  { name: 'python3', command: 'python3', versionArgs: ['--version'], disables: 'Python code execution', debianPackage: 'python3' },
  { name: 'sqlite3', command: 'sqlite3', versionArgs: ['--version'], disables: 'the SQLite shell for operators (the platform embeds SQLite)', debianPackage: 'sqlite3' },
  // Optional: jobs always use the embedded SQLite store; only the AI response cache can use a Redis server.
  {
    name: 'redis-server',
    command: 'redis-server',
    versionArgs: ['--version'],
    disables: 'nothing: a local Redis for the AI response cache (PITCHEY_AI_CACHE_REDIS_URL); without it the cache is in memory',
    debianPackage: 'redis-server',
  },
  {
    name: 'prometheus',
    command: 'prometheus',
    versionArgs: ['--version'],
    disables: 'nothing in the platform (the controller reads metrics from the gateway); a server to scrape it with ops/prometheus/',
    debianPackage: 'prometheus',
  },
  { name: 'promtool', command: 'promtool', versionArgs: ['--version'], disables: 'the alert-rule tests of ops/prometheus/ (npm test)', debianPackage: 'prometheus' },
  {
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    versionArgs: ['--version'],
    disables: 'routing ops/prometheus/ alerts locally (pitchey check asks any Alertmanager by its URL)',
    debianPackage: 'prometheus-alertmanager',
  },
];

export interface ToolStatus {
  name: string;
  present: boolean;
  version: string | null;
  disables: string;
  debianPackage: string;
}

const VERSION = /(\d+\.\d+(?:\.\d+)?(?:[-~+][\w.]+)?)/;

/**
 * A cold start of a big tool (ffmpeg maps ~100 libraries) on a loaded host or a fresh container's
 * overlay can take seconds: a probe that times out is not an answer, and is asked again next time.
 */
const PROBE_TIMEOUT_MS = 15_000;

async function probe(spec: ToolSpec, timeoutMs: number): Promise<ToolStatus & { timedOut: boolean }> {
  const run = await runProcess(spec.command, spec.versionArgs, { timeoutMs, maxStdoutBytes: 64 * 1024 });
  const present = run.spawnError === null && !run.timedOut;
  const firstLine = `${run.stdout.toString('utf8')}\n${run.stderr}`.split('\n').find((l) => VERSION.test(l)) ?? '';
  return { name: spec.name, present, version: present ? (VERSION.exec(firstLine)?.[1] ?? 'unknown') : null, disables: spec.disables, debianPackage: spec.debianPackage, timedOut: run.timedOut };
}

const cache = new Map<string, Promise<ToolStatus>>();

/** Probes tools once per process (versions do not change under a running service); a probe that timed out is retried on the next call. */
export function detectTool(name: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ToolStatus> {
  const spec = TOOLS.find((t) => t.name === name);
  if (spec === undefined) throw new Error(`unknown tool "${name}"`);
  let status = cache.get(name);
  if (status === undefined) {
    status = probe(spec, timeoutMs).then(({ timedOut, ...found }) => {
      if (timedOut) cache.delete(name);
      return found;
    });
    cache.set(name, status);
  }
  return status;
}

export function detectTools(names: string[] = TOOLS.map((t) => t.name)): Promise<ToolStatus[]> {
  return Promise.all(names.map((n) => detectTool(n)));
}
