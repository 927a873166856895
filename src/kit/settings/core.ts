// Core settings: what every process (service, gateway, controller) reads about itself.
import { integer, oneOf, path, text, SettingError } from './parsers.js';
import { setting } from './setting.js';

export type Mode = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Fault injection for tests and game days: a share of 500s, added latency, a crash after N requests. */
export interface Faults {
  errorRate: number;
  latencyMs: number;
  crashAfter: number | null;
  after: number;
}

/** `errors=0.2,latencyMs=100,crashAfter=500,after=10` (any subset; `after`: healthy for the first N requests). */
export function parseFaults(raw: unknown): Faults | null {
  const spec = text(raw);
  if (spec === '' || spec === 'none') return null;
  const faults: Faults = { errorRate: 0, latencyMs: 0, crashAfter: null, after: 0 };
  for (const part of spec.split(',')) {
    const [name = '', value = ''] = part.trim().split('=');
    const n = Number(value);
    if (name === 'errors' && n >= 0 && n <= 1) faults.errorRate = n;
    else if (name === 'latencyMs' && Number.isInteger(n) && n >= 0 && n <= 600_000) faults.latencyMs = n;
    else if (name === 'crashAfter' && Number.isInteger(n) && n > 0) faults.crashAfter = n;
    else if (name === 'after' && Number.isInteger(n) && n >= 0) faults.after = n;
    else throw new SettingError(`"${part}" must be errors=<0..1>, latencyMs=<ms>, crashAfter=<n> or after=<n>`);
  }
  return faults;
}

export const CORE_SETTINGS = [
  setting({
    key: 'mode',
    env: 'PITCHEY_ENV',
    area: 'core',
    doc: '`development`, `test` or `production`; production refuses weak secrets and fault injection',
    fallback: () => 'development' as const,
    parse: oneOf<Mode>(['development', 'test', 'production']),
  }),
  setting({ key: 'host', env: 'PITCHEY_HOST', area: 'core', doc: 'address to listen on (`0.0.0.0` in containers)', fallback: () => '127.0.0.1', parse: text }),
  setting({
    key: 'port',
    env: 'PITCHEY_PORT',
    area: 'core',
    doc: 'port to listen on (`0` = any free port)',
    shown: "the role's home port; a worker's: `0`",
    fallback: () => null,
    parse: integer(0, 65535),
  }),
  setting({ key: 'dataDir', env: 'PITCHEY_DATA_DIR', area: 'core', doc: 'where jobs, uploads, outputs and controller state live', shown: './.pitchey', fallback: () => path('.pitchey'), parse: path }),
  setting({
    key: 'logLevel',
    env: 'PITCHEY_LOG_LEVEL',
    area: 'core',
    doc: 'pino level: fatal … trace, or silent',
    fallback: () => 'info' as const,
    parse: oneOf<LogLevel>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
  setting({
    key: 'logFormat',
    env: 'PITCHEY_LOG_FORMAT',
    area: 'core',
    doc: "`pitchey up`'s output: `pretty` (short coloured lines prefixed by service, compose style; `NO_COLOR` honoured), `json` (pino's lines), or `auto`: pretty on a terminal outside production, else JSON",
    fallback: () => 'auto' as const,
    parse: oneOf<LogFormat>(['auto', 'json', 'pretty']),
  }),
  setting({ key: 'version', env: 'PITCHEY_VERSION', area: 'core', doc: 'release version this instance reports in metrics and `/health`', fallback: () => 'dev', parse: text }),
  setting({
    key: 'drainTimeoutMs',
    env: 'PITCHEY_DRAIN_TIMEOUT_MS',
    area: 'core',
    doc: 'how long SIGTERM waits for in-flight requests and jobs; then requests still open are cut and jobs requeued (`pitchey up` SIGKILLs an instance still alive 2 s later)',
    fallback: () => 10_000,
    parse: integer(0, 600_000),
  }),
  setting({
    key: 'faults',
    env: 'PITCHEY_FAULTS',
    area: 'core',
    doc: 'fault injection for tests and game days: `errors=0.2,latencyMs=100,crashAfter=500,after=10` (`after`: the first N requests are served normally); refused in production',
    shown: 'unset',
    fallback: () => null,
    parse: parseFaults,
  }),
];
