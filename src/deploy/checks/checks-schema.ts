// The checks settings file as a JSON Schema (TypeBox): the one declaration of its shape, ranges and
// defaults. The parser validates against it and `pitchey check --schema` prints it for editors
// (docs/checks-config.schema.json is that output). Errors come back one per bad value, named by
// path (`tls.files[1].path`) in the words an operator reads.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value, ValuePointer } from '@sinclair/typebox/value';
import { CHECKS, type CheckId } from './catalogue.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const text = (description: string) => Type.String({ pattern: '\\S', description, errorMessage: 'must be a non-empty string' });
const num = (min: number, max: number, fallback: number, description: string) => Type.Number({ minimum: min, maximum: max, default: fallback, description });
const texts = (description: string, atLeastOne = false) =>
  Type.Array(Type.String({ pattern: '\\S' }), {
    description,
    ...(atLeastOne ? { minItems: 1 } : {}),
    errorMessage: 'must be a list of non-empty strings',
  });
/** One of `values` (a union of constants: TypeBox's checker knows it, and editors offer the choices). */
function oneOf<T extends string>(values: readonly T[], options: { default?: T; description?: string } = {}) {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { ...options, errorMessage: `must be one of ${values.join(', ')}` },
  );
}
const closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description === undefined ? {} : { description }) });

export const ChecksConfigFile = closed(
  {
    $schema: Type.Optional(Type.String({ description: 'this schema, for editors' })),
    timeoutMs: Type.Optional(num(100, 120_000, 5_000, 'network deadline of each probe, connection and lookup (ms)')),
    capacity: Type.Optional(
      closed({
        cpuPercent: Type.Optional(num(0, 100, 70, 'CPU used must stay below (%)')),
        memoryPercent: Type.Optional(num(0, 100, 80, 'memory used must stay below (%)')),
        diskPercent: Type.Optional(num(0, 100, 85, 'disk used must stay below (%)')),
        cpuMethod: Type.Optional(oneOf(['sample', 'loadavg'] as const, { default: 'sample', description: 'sample /proc/stat for 200 ms, or read the load average' })),
      }),
    ),
    tls: Type.Optional(
      closed({
        minDays: Type.Optional(num(0, 3650, 30, 'days every certificate must stay valid')),
        files: Type.Optional(
          Type.Array(
            closed({
              path: text('PEM file: the leaf first, then its chain (relative to this file)'),
              caFile: Type.Optional(text('the CA the chain must end in; default the system trust store')),
              hostname: Type.Optional(text('the name the leaf must be valid for')),
            }),
          ),
        ),
        endpoints: Type.Optional(
          Type.Array(
            closed({
              host: text('address to connect to'),
              port: Type.Optional(num(1, 65535, 443, 'TLS port')),
              servername: Type.Optional(text('SNI name, and the name the leaf must be valid for; default host')),
              caFile: Type.Optional(text('the CA the chain must end in; default the system trust store')),
            }),
          ),
        ),
      }),
    ),
    dns: Type.Optional(
      Type.Array(
        closed({
          name: text('name to resolve'),
          addresses: texts('expected addresses', true),
          match: Type.Optional(
            oneOf(['equal', 'subset', 'includes'] as const, { default: 'equal', description: 'equal: the same set; subset: every resolved one expected; includes: every expected one resolves' }),
          ),
        }),
      ),
    ),
    backups: Type.Optional(
      closed({
        dir: Type.Optional(text("folder of backups, one folder each with a manifest.json; default the data dir's")),
        maxAgeHours: Type.Optional(num(0.01, 24 * 366, 24, 'newest backup at most this old')),
        restoreTestMaxAgeHours: Type.Optional(num(0.01, 24 * 366, 24, 'last restore test at most this old; default maxAgeHours')),
      }),
    ),
    vulnerabilities: Type.Optional(
      closed({
        report: Type.Optional(text('Trivy JSON report (`trivy image --format json`)')),
      }),
    ),
    requiredEnv: Type.Optional(texts('environment variables that must be set')),
    alertmanagerUrl: Type.Optional(Type.String({ pattern: '^https?://\\S+$', description: 'Alertmanager to ask for firing critical alerts', errorMessage: 'must be an http(s) URL' })),
    window: Type.Optional(
      closed(
        {
          days: Type.Array(oneOf(WEEKDAYS), { minItems: 1, description: 'local days deployments may start' }),
          from: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, inclusive', errorMessage: 'must be HH:MM' }),
          to: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, exclusive, after from', errorMessage: 'must be HH:MM' }),
          tz: Type.Optional(text('IANA time zone; default UTC')),
        },
        'when deployments may start',
      ),
    ),
    waivers: Type.Optional(
      Type.Array(
        closed({
          check: oneOf(Object.keys(CHECKS) as CheckId[], { description: 'the check waived' }),
          approver: text('who accepted the risk'),
          reason: text('why'),
          expires: Type.String({ pattern: '^\\d{4}-\\d\\d-\\d\\d', description: 'ISO 8601 time the waiver ends', errorMessage: 'must be an ISO 8601 time' }),
        }),
        { description: 'failing checks accepted for now: shown as warn with the approver until expires' },
      ),
    ),
  },
  'Pitchey pre-deployment checks (`pitchey check --config FILE`, or `<data dir>/checks.json`)',
);

export type ChecksConfigFileShape = Static<typeof ChecksConfigFile>;

/** The JSON Schema document editors use (draft 2020-12 keywords TypeBox emits). */
export function checksConfigJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://pitchey.dev/schemas/checks-config.json',
    ...(JSON.parse(JSON.stringify(ChecksConfigFile)) as Record<string, unknown>),
  };
}

/** `/tls/files/1/path` → `tls.files[1].path`. */
function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`), '');
}

function describe(schema: TSchema, value: unknown): string {
  const s = schema as TSchema & { errorMessage?: string; minimum?: number; maximum?: number; enum?: string[]; type?: string; minItems?: number };
  if (s.type === 'array' && Array.isArray(value) && value.length === 0 && s.minItems !== undefined) return 'must list at least one';
  if (s.errorMessage !== undefined) return s.errorMessage;
  if (s.enum !== undefined) return `must be one of ${s.enum.join(', ')}`;
  if (s.type === 'number') return `must be a number from ${s.minimum} to ${s.maximum}`;
  if (s.type === 'object') return 'must be an object';
  if (s.type === 'array') return 'must be a list';
  return 'is invalid';
}

/** Every structural problem of `raw`, one line per path, in the file's own words. */
export function schemaIssues(raw: unknown): string[] {
  const seen = new Map<string, string>();
  for (const e of Value.Errors(ChecksConfigFile, raw)) {
    // An array item's own error is reported on the list (one message for `addresses: [1, 2]`).
    const itemOfTexts = /\/\d+$/.test(e.path) && e.schema.type === 'string' && !('errorMessage' in e.schema) && !('enum' in e.schema);
    const path = dotted(itemOfTexts ? e.path.replace(/\/\d+$/, '') : e.path);
    if (seen.has(path)) continue;
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      seen.set(path, `${path}: unknown setting`);
      continue;
    }
    if (e.type === ValueErrorType.ObjectRequiredProperty) {
      seen.set(path, `${path}: is required`);
      continue;
    }
    const parentSchema = itemOfTexts ? ({ type: 'array', errorMessage: 'must be a list of non-empty strings' } as unknown as TSchema) : e.schema;
    const value: unknown = itemOfTexts ? ValuePointer.Get(raw, e.path.replace(/\/\d+$/, '')) : e.value;
    seen.set(path, `${path}: ${describe(parentSchema, value)} (got ${JSON.stringify(value)})`);
  }
  return [...seen.values()];
}

/** The file with every default filled in (call after schemaIssues found none). */
export function withDefaults(raw: Record<string, unknown>): ChecksConfigFileShape {
  // Absent sections are made empty first, so the defaults inside them are filled too.
  const sections = { capacity: {}, tls: {}, backups: {}, vulnerabilities: {} };
  return Value.Default(ChecksConfigFile, { ...sections, ...Value.Clone(raw) }) as ChecksConfigFileShape;
}
