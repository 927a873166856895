// `pitchey up` on a terminal: every process's pino lines as one short line each, prefixed by who
// said it in its own colour (compose style), with the level coloured and request lines reduced to
// `GET /path → 200 (3 ms)`. JSON stays the default off a terminal (PITCHEY_LOG_FORMAT).
// Small on purpose: pino-pretty would be a dependency for what these ~100 lines do.

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', blue: '\x1b[34m', magenta: '\x1b[35m', cyan: '\x1b[36m' } as const;
/** Prefix colours, handed out in order of first appearance (compose's palette). */
const PALETTE = [ANSI.cyan, ANSI.yellow, ANSI.green, ANSI.magenta, ANSI.blue] as const;
const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: ANSI.dim },
  20: { name: 'DEBUG', colour: ANSI.dim },
  30: { name: 'INFO', colour: ANSI.green },
  40: { name: 'WARN', colour: ANSI.yellow },
  50: { name: 'ERROR', colour: ANSI.red },
  60: { name: 'FATAL', colour: ANSI.red },
};
/** Fields every line carries or that the short form already says. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'version', 'track', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

export interface PrettyOptions {
  colour: boolean;
  write: (text: string) => void;
  /** The prefix column's width (the longest instance id). Default 12. */
  width?: number;
}

type LogLine = Record<string, unknown> & { level?: number; time?: string; msg?: string };

const clock = (time: unknown): string => (typeof time === 'string' && time.length >= 19 ? time.slice(11, 19) : new Date().toISOString().slice(11, 19));

function extras(line: LogLine): string {
  const parts = Object.entries(line)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const text = parts.join(' ');
  return text === '' ? '' : ` ${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
}

/** Requests seen coming in and not yet completed, by request id: `GET /path`. Bounded. */
export type InFlight = Map<string, string>;
const IN_FLIGHT_MAX = 1_000;

/**
 * The message part of one pino line, or null for a line the short form leaves out. Fastify logs each
 * request twice, the method and path only on the way in: that line is held back (under its request
 * id) and told with the status and time when the request completes.
 */
export function describe(line: LogLine, inFlight: InFlight = new Map()): string | null {
  const req = line.req as { method?: string; url?: string } | undefined;
  const res = line.res as { statusCode?: number } | undefined;
  const err = line.err as { message?: string; stack?: string } | undefined;
  const id = typeof line.reqId === 'string' ? line.reqId : '';
  if (line.msg === 'incoming request') {
    if (inFlight.size >= IN_FLIGHT_MAX) inFlight.delete(inFlight.keys().next().value ?? '');
    inFlight.set(id, `${req?.method ?? ''} ${req?.url ?? ''}`);
    return null;
  }
  if (line.msg === 'request completed' && res !== undefined) {
    const what = inFlight.get(id) ?? '';
    inFlight.delete(id);
    const ms = typeof line.responseTime === 'number' ? ` (${line.responseTime.toFixed(line.responseTime < 10 ? 1 : 0)} ms)` : '';
    return `${what} → ${res.statusCode ?? '?'}${ms}`.trim();
  }
  const error = err?.message !== undefined && err.message !== line.msg ? `: ${err.message}` : '';
  return `${line.msg ?? ''}${error}${extras(line)}`;
}

/** One formatted line (ending in a newline), or '' when the short form drops it. */
export function formatLine(prefix: string, raw: string, options: { colour: boolean; prefixColour: string; width: number; inFlight?: InFlight }): string {
  const c = (code: string, text: string): string => (options.colour ? `${code}${text}${ANSI.reset}` : text);
  const label = c(options.prefixColour, prefix.padEnd(options.width));
  let parsed: LogLine | null = null;
  if (raw.startsWith('{')) {
    try {
      parsed = JSON.parse(raw) as LogLine;
    } catch {
      parsed = null;
    }
  }
  if (parsed === null || typeof parsed.level !== 'number') return `${label} | ${c(ANSI.dim, clock(undefined))} ${raw}\n`;
  const text = describe(parsed, options.inFlight);
  if (text === null) return '';
  const level = LEVELS[parsed.level] ?? { name: String(parsed.level), colour: '' };
  const body = parsed.level >= 50 ? c(ANSI.red, text) : text;
  return `${label} | ${c(ANSI.dim, clock(parsed.time))} ${c(level.colour, level.name.padEnd(5))} ${body}\n`;
}

/**
 * A printer shared by every source: `source(name)` gives a sink for that name's output chunks,
 * which it splits into lines (holding a partial last line until its end arrives).
 */
export function createPrettyPrinter(options: PrettyOptions): { source(name: string): (chunk: Buffer | string) => void; line(name: string, text: string): void } {
  const colours = new Map<string, string>();
  const inFlight = new Map<string, InFlight>();
  const width = options.width ?? 12;
  const colourOf = (name: string): string => {
    const key = name.replace(/-[^-]+-\d+$/, ''); // an instance id (`video-v2-3`) shares its service's colour
    if (!colours.has(key)) colours.set(key, PALETTE[colours.size % PALETTE.length]!);
    return colours.get(key)!;
  };
  const line = (name: string, text: string): void => {
    if (!inFlight.has(name)) inFlight.set(name, new Map());
    const out = formatLine(name, text, { colour: options.colour, prefixColour: colourOf(name), width, inFlight: inFlight.get(name)! });
    if (out !== '') options.write(out);
  };
  return {
    line,
    source(name) {
      let partial = '';
      return (chunk) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) if (l.trim() !== '') line(name, l);
      };
    },
  };
}

/** Whether `pitchey up` prints pretty lines: asked for, or `auto` on a terminal outside production. */
export function wantsPretty(format: 'auto' | 'json' | 'pretty', isTty: boolean, production: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTty && !production);
}

/** NO_COLOR (no-color.org): any non-empty value turns colour off; so does a pipe. */
export const wantsColour = (env: NodeJS.ProcessEnv, isTty: boolean): boolean => isTty && (env.NO_COLOR ?? '') === '';
