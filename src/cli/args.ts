// Every command's arguments, declared once: `node:util` parseArgs in strict mode reads them, and the
// same declaration prints the command's help. A flag it does not know, a value it lacks or an
// argument too many is a UsageError (exit 64) naming it.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage.js';

export interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
  /** May be given more than once (`--role video --role ai`): the values come as a list. */
  multiple?: boolean;
  /** The value's placeholder in help (`--version V`). */
  arg?: string;
  /** Absent → a usage error naming it. */
  required?: boolean;
  /** The only values it takes: another is a usage error listing them (and shell completion offers them). */
  choices?: readonly string[];
  help: string;
}
export type OptionDefs = Record<string, OptionDef>;

export interface CommandDef<O extends OptionDefs = OptionDefs> {
  summary: string;
  /** Positional arguments as help shows them: `<required>`, `[optional]`; one more is a usage error. */
  positionals?: readonly string[];
  options: O;
  /** Longer notes printed under the options. */
  notes?: string;
}

type ValueOf<D extends OptionDef> = D['type'] extends 'boolean' ? boolean : D['multiple'] extends true ? string[] : string;
/** What a command receives: its options by name (absent when not given) and its positionals. */
export interface Args<O extends OptionDefs> {
  values: { [K in keyof O]?: ValueOf<O[K]> };
  positionals: string[];
}

export const HELP_OPTION = { type: 'boolean', short: 'h', help: 'print this help and do nothing else' } as const satisfies OptionDef;

/** `-h`/`--help` anywhere before a `--`: checked before parsing, so a half-typed command line still gets its help. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}

const flagOf = (message: string): string => /'(-[^' ]+)/.exec(message)?.[1] ?? '';

/** Levenshtein distance, for "did you mean" on a mistyped flag. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

function suggestion(flag: string, options: OptionDefs): string {
  const name = flag.replace(/^-+/, '');
  const near = Object.keys(options).find((o) => distance(o, name) <= Math.max(1, Math.floor(o.length / 4)));
  return near === undefined ? '' : ` (did you mean --${near}?)`;
}

/** parseArgs' errors in the user's words, each naming the flag or argument. */
function usageErrorOf(err: Error & { code?: string }, command: string, options: OptionDefs): UsageError {
  const flag = flagOf(err.message);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`${command}: unknown option ${flag}${suggestion(flag, options)}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(`${command}: ${flag} ${/argument missing|ambiguous/.test(err.message) ? 'needs a value' : 'takes no value'}`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`${command}: unexpected argument "${/'([^']*)'/.exec(err.message)?.[1] ?? ''}"`);
    default:
      return new UsageError(`${command}: ${err.message}`);
  }
}

/** Parses `argv` for `command` (its name as typed, `deploy plan`); `--help` is the caller's to check first. */
export function parseCommand<O extends OptionDefs>(command: string, def: CommandDef<O>, argv: readonly string[]): Args<O> {
  const options: OptionDefs = { ...def.options, help: HELP_OPTION };
  const config: ParseArgsConfig = {
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }])),
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    throw usageErrorOf(err as Error & { code?: string }, command, options);
  }
  const slots = def.positionals ?? [];
  const extra = parsed.positionals[slots.length];
  if (extra !== undefined) throw new UsageError(`${command}: unexpected argument "${extra}"`);
  const missing = slots.find((s, i) => s.startsWith('<') && parsed.positionals[i] === undefined);
  if (missing !== undefined) throw new UsageError(`${command}: missing ${missing}`);
  for (const [name, o] of Object.entries(def.options)) {
    const value = parsed.values[name];
    if (o.required && value === undefined) throw new UsageError(`${command}: --${name} is required`);
    const wrong = o.choices === undefined ? undefined : [value ?? []].flat().find((v) => typeof v === 'string' && !o.choices!.includes(v));
    if (wrong !== undefined) throw new UsageError(`${command}: --${name} must be one of ${o.choices!.join(', ')} (not "${String(wrong)}")`);
  }
  return { values: parsed.values as Args<O>['values'], positionals: parsed.positionals };
}

const optionLabel = (name: string, o: OptionDef): string => `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;

/** The command's help, from its declaration: usage line, summary, one line per option. */
export function formatHelp(command: string, def: CommandDef): string {
  const options = { ...def.options, help: HELP_OPTION } as OptionDefs;
  const usageParts = Object.entries(def.options).map(([name, o]) =>
    o.required
      ? optionLabel(name, o).trim()
      : `[${optionLabel(name, o)
          .trim()
          .replace(/^-\w, /, '')}]`,
  );
  const labels = Object.entries(options).map(([name, o]) => [optionLabel(name, o), `${o.help}${o.multiple ? ' (repeatable)' : ''}`] as const);
  const width = Math.max(...labels.map(([l]) => l.length));
  return [
    `usage: pitchey ${[command, ...(def.positionals ?? []), ...usageParts].join(' ')}`,
    '',
    def.summary,
    '',
    'options:',
    ...labels.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`),
    ...(def.notes ? ['', def.notes] : []),
  ].join('\n');
}
