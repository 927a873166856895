// Shell completion from the one declaration of every command (commands.ts), the way cobra and
// yargs do it: the script a shell sources only asks `pitchey __complete <words…>` for candidates,
// so it never goes stale when a command or flag is added. Loads nothing beyond commands.ts.
import type { CommandDef, OptionDef } from './args.js';
import { COMMANDS } from './commands.js';
import { PLATFORM_ROLES, SERVICE_NAMES } from '../kit/roles.js';
import { UsageError } from './usage.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** What a positional placeholder can be, where the CLI knows it without asking the platform. */
const POSITIONAL_VALUES: Record<string, readonly string[]> = {
  '<service>': SERVICE_NAMES,
  '<service|all>': [...SERVICE_NAMES, 'all'],
  '<role>': PLATFORM_ROLES,
  '<shell>': SHELLS,
};

const SCRIPTS: Record<(typeof SHELLS)[number], string> = {
  bash: `# pitchey completion for bash: source <(pitchey completion bash)
_pitchey() {
  local IFS=$'\\n'
  COMPREPLY=($(pitchey __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _pitchey pitchey
`,
  zsh: `#compdef pitchey
# pitchey completion for zsh: source <(pitchey completion zsh), or save as _pitchey on $fpath
_pitchey() {
  local -a candidates
  candidates=("\${(@f)$(pitchey __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates[@]} > 0 )) && [[ -n "\${candidates[1]}" ]]; then compadd -a candidates; else _files; fi
}
if (( $+functions[compdef] )); then compdef _pitchey pitchey; fi
`,
  fish: `# pitchey completion for fish: pitchey completion fish > ~/.config/fish/completions/pitchey.fish
complete -c pitchey -f -a '(pitchey __complete (commandline -opc)[2..-1] (commandline -ct))'
`,
};

export function completionScript(shell: string | undefined): string {
  if (!(SHELLS as readonly string[]).includes(shell ?? '')) throw new UsageError(`completion: <shell> is one of ${SHELLS.join(', ')}, not "${shell ?? ''}"`);
  return SCRIPTS[shell as (typeof SHELLS)[number]];
}

/** The option a word names (`--strategy`, `-f`), if the command has it. */
function optionOf(def: CommandDef, word: string): OptionDef | undefined {
  if (word.startsWith('--')) return Object.hasOwn(def.options, word.slice(2)) ? def.options[word.slice(2)] : undefined;
  return word.startsWith('-') ? Object.values(def.options).find((o) => o.short === word.slice(1)) : undefined;
}

/** The command the words before the one being typed name, with the arguments given to it so far. */
function commandOf(before: readonly string[]): { def: CommandDef; args: readonly string[] } | { candidates: string[] } | null {
  const [word = '', sub = ''] = before;
  const entry = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
  if (entry === undefined) return null;
  if (entry.kind === 'command') return { def: entry.def, args: before.slice(1) };
  if (before.length === 1) return { candidates: [...Object.keys(entry.subcommands), ...(entry.fallback ? positionalValues(entry.fallback.def, 0) : [])] };
  if (Object.hasOwn(entry.subcommands, sub)) return { def: entry.subcommands[sub]!.def, args: before.slice(2) };
  return entry.fallback ? { def: entry.fallback.def, args: before.slice(1) } : null;
}

const positionalValues = (def: CommandDef, index: number): readonly string[] => POSITIONAL_VALUES[def.positionals?.[index] ?? ''] ?? [];

/**
 * Candidates for the last of `words` (the words after `pitchey`, the last one being typed, '' for
 * a new one). Nothing when the CLI cannot know (a deployment id, a file: the shell offers files).
 */
export function complete(words: readonly string[]): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const matching = (xs: Iterable<string>): string[] => [...new Set(xs)].filter((x) => x.startsWith(current));
  if (before[0] === 'help') return complete(words.slice(1)).filter((w) => !w.startsWith('-'));
  if (before.length === 0) return matching([...Object.keys(COMMANDS), 'help', '--help', '--version']);
  const found = commandOf(before);
  if (found === null) return [];
  if ('candidates' in found) return matching(found.candidates);
  const { def, args } = found;
  const previous = optionOf(def, args.at(-1) ?? '');
  if (previous?.type === 'string') return matching(previous.choices ?? []);
  const given = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2)));
  if (current.startsWith('-')) {
    return matching([
      ...Object.entries(def.options)
        .filter(([name, o]) => o.multiple === true || !given.has(name))
        .map(([name]) => `--${name}`),
      '--help',
    ]);
  }
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const option = optionOf(def, args[i]!);
    if (option?.type === 'string')
      i++; // its value
    else if (option === undefined && !args[i]!.startsWith('-')) positional++;
  }
  return matching(positionalValues(def, positional));
}
