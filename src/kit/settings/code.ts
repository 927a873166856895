// Code executor settings: how many programs run and wait, each run's limits, and where its sandbox lives.
import { availableParallelism, tmpdir } from 'node:os';
import { integer, pairsText, path, text, SettingError } from './parsers.js';
import { setting } from './setting.js';

/** Per-run sandbox limits, in the units the API uses. */
export interface CodeLimits {
  cpu_ms: number;
  wall_ms: number;
  memory_mb: number;
  output_kb: number;
  processes: number;
}

const CODE_LIMIT_RANGES: Record<keyof CodeLimits, [number, number]> = {
  cpu_ms: [100, 600_000],
  wall_ms: [100, 600_000],
  memory_mb: [16, 65_536],
  output_kb: [1, 65_536],
  processes: [1, 4_096],
};

const CODE_DEFAULT_LIMITS: CodeLimits = { cpu_ms: 10_000, wall_ms: 30_000, memory_mb: 256, output_kb: 1024, processes: 64 };
const CODE_MAX_LIMITS: CodeLimits = { cpu_ms: 30_000, wall_ms: 50_000, memory_mb: 1024, output_kb: 4096, processes: 256 };

/** `cpu_ms=10000,wall_ms=30000,memory_mb=256,output_kb=1024,processes=64` (any subset over `base`). */
function codeLimits(base: CodeLimits) {
  return (raw: unknown): CodeLimits => {
    const out = { ...base };
    for (const part of text(raw)
      .split(',')
      .filter((p) => p.trim() !== '')) {
      const [name = '', value = ''] = part.trim().split('=');
      const range = CODE_LIMIT_RANGES[name as keyof CodeLimits];
      if (range === undefined) throw new SettingError(`unknown limit "${name}" (cpu_ms, wall_ms, memory_mb, output_kb, processes)`);
      out[name as keyof CodeLimits] = integer(range[0], range[1])(value, name);
    }
    return out;
  };
}

/** An absolute cgroup path that cannot climb out of its hierarchy. */
function cgroupPath(raw: unknown): string {
  const v = text(raw);
  if (!/^\/[\w./-]*$/.test(v) || v.includes('..')) throw new SettingError('must be an absolute cgroup path like /pitchey/code');
  return v;
}

export const CODE_SETTINGS = [
  setting({
    key: 'codeConcurrency',
    env: 'PITCHEY_CODE_CONCURRENCY',
    area: 'code',
    doc: 'programs run at once per instance',
    shown: 'the number of cores',
    fallback: () => availableParallelism(),
    parse: integer(1, 256),
  }),
  setting({
    key: 'codeQueue',
    env: 'PITCHEY_CODE_QUEUE',
    area: 'code',
    doc: 'runs that may wait for a free slot; beyond it 429 `QUEUE_FULL` with `Retry-After`',
    fallback: () => 32,
    parse: integer(0, 10_000),
  }),
  /** Limits a run gets when the request names none. */
  setting({
    key: 'codeLimits',
    env: 'PITCHEY_CODE_LIMITS',
    area: 'code',
    doc: 'per-run limits when a request names none (any subset)',
    shown: pairsText({ ...CODE_DEFAULT_LIMITS }),
    fallback: () => CODE_DEFAULT_LIMITS,
    parse: codeLimits(CODE_DEFAULT_LIMITS),
  }),
  /** The most a request may ask for. */
  setting({
    key: 'codeMaxLimits',
    env: 'PITCHEY_CODE_MAX_LIMITS',
    area: 'code',
    doc: 'the most a request may ask for, in the same form; above it 422 naming the maximum',
    shown: pairsText({ ...CODE_MAX_LIMITS }),
    fallback: () => CODE_MAX_LIMITS,
    parse: codeLimits(CODE_MAX_LIMITS),
  }),
  /** A delegated cgroup (path inside each hierarchy) to nest run groups under; null = the service's own + /pitchey-code. */
  setting({
    key: 'codeCgroup',
    env: 'PITCHEY_CODE_CGROUP',
    area: 'code',
    doc: "a delegated cgroup path (inside each hierarchy) for the sandbox's run groups",
    shown: '`<own cgroup>/pitchey-code`',
    fallback: () => null,
    parse: cgroupPath,
  }),
  setting({
    key: 'codeWorkDir',
    env: 'PITCHEY_CODE_WORK_DIR',
    area: 'code',
    doc: 'where the sandbox makes its run folders (each removed after its run); every ancestor must be searchable by the sandbox uid 65534',
    shown: 'the system temp dir',
    fallback: () => tmpdir(),
    parse: path,
  }),
  setting({ key: 'codeTypecheckMs', env: 'PITCHEY_CODE_TYPECHECK_MS', area: 'code', doc: 'deadline of a TypeScript type check in `/validate`', fallback: () => 5_000, parse: integer(100, 120_000) }),
];
