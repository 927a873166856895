// The `pitchey` command line, run in-process: finds the command (and subcommand), answers
// -h/--help and --version without running anything, parses the rest strictly (args.ts) and runs it.
// main.ts turns the outcome into an exit code; tests call runCli directly.
import { readFileSync } from 'node:fs';
import { formatHelp, parseCommand, wantsHelp } from './args.js';
import { COMMANDS, type Command, type Group } from './commands.js';
import { EXIT, UsageError } from './usage.js';

const FOOTER = `Run "pitchey <command> --help" for a command's options.
Admin commands reach the running platform: --gateway URL, else the platform recorded in
$PITCHEY_DATA_DIR/run/instances.json, else http://127.0.0.1:$PITCHEY_PORT (README, "Which gateway").`;

function topHelp(): string {
  const rows = Object.entries(COMMANDS).flatMap(([name, c]): Array<[string, string]> =>
    c.kind === 'command'
      ? [[[name, ...(c.def.positionals ?? [])].join(' '), c.def.summary]]
      : [
          ...(c.fallback ? [[`${name} ${(c.fallback.def.positionals ?? []).join(' ')}`, c.summary] as [string, string]] : []),
          ...Object.entries(c.subcommands).map(([sub, s]): [string, string] => [[name, sub, ...(s.def.positionals ?? [])].join(' '), s.def.summary]),
        ],
  );
  const width = Math.max(...rows.map(([l]) => l.length));
  return ['usage: pitchey <command> [options]', '       pitchey --version | --help', '', 'commands:', ...rows.map(([l, s]) => `  ${l.padEnd(width)}  ${s}`), '', FOOTER].join('\n');
}

function groupHelp(name: string, group: Group): string {
  const rows: Array<[string, string]> = [
    ...(group.fallback ? [[`pitchey ${name} ${(group.fallback.def.positionals ?? []).join(' ')}`, group.fallback.def.summary] as [string, string]] : []),
    ...Object.entries(group.subcommands).map(([sub, s]): [string, string] => [`pitchey ${name} ${sub}`, s.def.summary]),
  ];
  const width = Math.max(...rows.map(([l]) => l.length));
  return [
    `usage: pitchey ${name} <${Object.keys(group.subcommands).join('|')}>${group.fallback ? ' | …' : ''}`,
    '',
    group.summary,
    '',
    ...rows.map(([l, s]) => `  ${l.padEnd(width)}  ${s}`),
    '',
    `Run "pitchey ${name} <subcommand> --help" for its options.`,
  ].join('\n');
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The command the words name, its name as typed, and the arguments left for it; or the help to print. */
function resolve(argv: string[]): { command: Command; name: string; rest: string[] } | { help: string } {
  const [word = '', ...rest] = argv;
  const entry = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
  if (entry === undefined) throw new UsageError(`unknown command "${word}"`);
  if (entry.kind === 'command') return { command: entry, name: word, rest };
  const [sub = '', ...subRest] = rest;
  const named = Object.hasOwn(entry.subcommands, sub) ? entry.subcommands[sub] : undefined;
  if (named !== undefined) return { command: named, name: `${word} ${sub}`, rest: subRest };
  if (entry.fallback !== undefined && sub !== '' && !sub.startsWith('-')) return { command: entry.fallback, name: word, rest };
  if (wantsHelp(rest)) return { help: groupHelp(word, entry) };
  throw new UsageError(sub === '' ? `${word}: which one? ${Object.keys(entry.subcommands).join(' | ')}` : `${word}: unknown subcommand "${sub}"`, undefined);
}

/** Runs one command line in this process: its exit code, or a throw main turns into one. */
export async function runCli(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === '--version' || first === '-V') {
    console.log(packageVersion());
    return EXIT.ok;
  }
  if (first === '__complete') {
    // The completion scripts' question (completion.ts): not a command people type, so not in the help.
    for (const candidate of (await import('./completion.js')).complete(argv.slice(1))) console.log(candidate);
    return EXIT.ok;
  }
  if (first === undefined) {
    console.error(topHelp());
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(argv[1] === undefined || first !== 'help' ? topHelp() : helpFor(argv.slice(1)));
    return EXIT.ok;
  }
  const found = resolve(argv);
  if ('help' in found) {
    console.log(found.help);
    return EXIT.ok;
  }
  if (wantsHelp(found.rest)) {
    console.log(formatHelp(found.name, found.command.def));
    return EXIT.ok;
  }
  await found.command.run(parseCommand(found.name, found.command.def, found.rest));
  return EXIT.ok;
}

/** `pitchey help deploy plan`: the same as `pitchey deploy plan --help`. */
function helpFor(words: string[]): string {
  const found = resolve([...words, '--help']);
  return 'help' in found ? found.help : formatHelp(found.name, found.command.def);
}

/** The command's name as typed (`deploy plan`), for the pointer to its help; '' when there is none. */
export function commandName(argv: readonly string[]): string {
  const [word = '', sub = ''] = argv;
  const entry = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
  if (entry === undefined) return '';
  return entry.kind === 'group' && Object.hasOwn(entry.subcommands, sub) ? `${word} ${sub}` : word;
}
