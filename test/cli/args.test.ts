// The parser helper (cli/args.ts) and the command table it reads: typos, missing values and extra
// arguments are usage errors naming what was wrong; help comes from the same declaration.
import { describe, expect, it } from 'vitest';
import { formatHelp, parseCommand, wantsHelp, type CommandDef } from '../../src/cli/args.js';
import { COMMANDS, DEFS } from '../../src/cli/commands.js';
import { UsageError } from '../../src/cli/usage.js';

const plan = DEFS.deployPlan;
const usageMessage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

describe('parseCommand', () => {
  it('reads options and positionals as declared', () => {
    const a = parseCommand('deploy plan', plan, ['video', '--version', '1.3.0', '--strategy', 'blue-green', '--json']);
    expect(a.positionals).toEqual(['video']);
    expect(a.values).toMatchObject({ version: '1.3.0', strategy: 'blue-green', json: true });
  });
  it.each([
    [['video', '--version', '1.3.0', '--stratgey', 'blue-green'], 'deploy plan: unknown option --stratgey (did you mean --strategy?)'],
    [['video', '--version'], 'deploy plan: --version needs a value'],
    [['video', '--version', '--json'], 'deploy plan: --version needs a value'],
    [['video', '--json=yes', '--version', '1'], 'deploy plan: --json takes no value'],
    [['video'], 'deploy plan: --version is required'],
    [['--version', '1'], 'deploy plan: missing <service|all>'],
    [['video', 'audio', '--version', '1'], 'deploy plan: unexpected argument "audio"'],
    [['video', '--version', '1', '-x'], 'deploy plan: unknown option -x'],
    [['video', '--version', '1', '--strategy', 'bleu-green'], 'deploy plan: --strategy must be one of canary, blue-green, rolling (not "bleu-green")'],
  ])('%j → %s', (argv, message) => {
    expect(usageMessage(() => parseCommand('deploy plan', plan, argv))).toBe(message);
  });
  it('collects a repeatable option as a list', () => {
    expect(parseCommand('image build', DEFS.imageBuild, ['--role', 'video', '--role', 'ai']).values.role).toEqual(['video', 'ai']);
    expect(usageMessage(() => parseCommand('image build', DEFS.imageBuild, ['--role', 'video', '--role', 'web']))).toBe(
      'image build: --role must be one of video, document, ai, media, code, gateway (not "web")',
    );
  });
});

describe('help', () => {
  it('is asked for by -h or --help anywhere before --', () => {
    expect(wantsHelp(['video', '--version', '1', '-h'])).toBe(true);
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['video'])).toBe(false);
  });
  it('lists every declared option with its help, marks required ones, and adds -h', () => {
    const def: CommandDef = {
      summary: 'does a thing',
      positionals: ['<x>', '[y]'],
      options: { name: { type: 'string', arg: 'N', required: true, help: 'who' }, loud: { type: 'boolean', short: 'l', help: 'shout' } },
    };
    expect(formatHelp('thing', def)).toBe(
      [
        'usage: pitchey thing <x> [y] --name N [--loud]',
        '',
        'does a thing',
        '',
        'options:',
        '      --name N  who',
        '  -l, --loud    shout',
        '  -h, --help    print this help and do nothing else',
      ].join('\n'),
    );
  });
  it('every command and subcommand has a summary, and every option a help line', () => {
    const commands = Object.values(COMMANDS).flatMap((c) => (c.kind === 'command' ? [c] : [...Object.values(c.subcommands), ...(c.fallback ? [c.fallback] : [])]));
    expect(commands.length).toBeGreaterThanOrEqual(30);
    for (const c of commands) {
      expect(c.def.summary).not.toBe('');
      for (const o of Object.values(c.def.options)) expect(o.help).not.toBe('');
    }
  });
});
