// Shell completion: candidates come from the one command table, and the bash script really
// completes in bash, calling the built CLI as a user's shell would.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complete, completionScript } from '../../src/cli/completion.js';
import { makeTempDir } from '../helpers.js';
import { builtFile } from '../support/build.js';

describe('complete', () => {
  it.each([
    [['dep'], ['deploy']],
    [['deploy', 'p'], ['plan']],
    [['deploy', 'video', '--str'], ['--strategy']],
    [
      ['deploy', 'video', '--strategy', ''],
      ['canary', 'blue-green', 'rolling'],
    ],
    [
      ['deploy', 'plan', 'a'],
      ['ai', 'all'],
    ],
    [['logs', 'v'], ['video']],
    [['serve', 'g'], ['gateway']],
    [['record', 'dep-1', '--format', 'h'], ['html']],
    [['image', 'build', '--role', 'co'], ['code']],
    [
      ['completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
    [['help', 'back'], ['backup']],
    [['nope', ''], []],
  ])('%j → %j', (words, expected) => {
    expect(complete(words)).toEqual(expected);
  });
  it('offers the options not given yet (a repeatable one again), and --help', () => {
    const offered = complete(['logs', 'ai', '--tail', '5', '--']);
    expect(offered).toContain('--follow');
    expect(offered).toContain('--help');
    expect(offered).not.toContain('--tail');
    expect(complete(['image', 'build', '--role', 'ai', '--r'])).toEqual(['--role']);
  });
  it("offers nothing where only the platform or the file system knows (the shell's file completion takes over)", () => {
    expect(complete(['approve', ''])).toEqual([]);
    expect(complete(['check', '--config', ''])).toEqual([]);
    expect(complete(['logs', 'ai', 'extra', ''])).toEqual([]);
  });
  it('refuses a shell it has no script for', () => {
    expect(() => completionScript('tcsh')).toThrow(/bash, zsh, fish/);
  });
});

describe('the shell scripts', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('pitchey-completion-');
    // `pitchey` on PATH, as an installed CLI is: the script calls it by name.
    const bin = join(tmp.dir, 'pitchey');
    writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${builtFile('cli/main.js').pathname}" "$@"\n`);
    chmodSync(bin, 0o755);
  });
  afterAll(() => tmp.remove());

  const bash = (line: string[]): string[] => {
    const script = [
      `source <("${join(tmp.dir, 'pitchey')}" completion bash)`,
      `COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}`,
      '_pitchey',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = spawnSync('bash', ['--norc', '-c', script], { env: { PATH: `${tmp.dir}:${process.env.PATH ?? ''}` }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  };

  const run = (shell: string, args: string[]): string[] => {
    const r = spawnSync(shell, args, { env: { PATH: `${tmp.dir}:${process.env.PATH ?? ''}`, HOME: tmp.dir }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  };

  // fish's own completion machinery: `complete -C` completes a command line as the prompt would.
  const fish = (line: string): string[] => run('fish', ['--no-config', '-c', `pitchey completion fish | source; complete -C ${JSON.stringify(line)}`]).map((c) => c.split('\t')[0] ?? c);

  // zsh's completion widgets need a terminal; the script's function runs here as the widget would,
  // in a real zsh, with `words`/`CURRENT` set and compadd and _files standing in for the builtins.
  const zsh = (line: string[]): string[] =>
    run('zsh', [
      '-f',
      '-c',
      [
        'compadd() { print -l -- "${(@P)2}" }',
        '_files() { print -- "<files>" }',
        'source <(pitchey completion zsh)',
        `words=(${line.map((w) => `'${w}'`).join(' ')}); CURRENT=${line.length}`,
        '_pitchey',
      ].join('\n'),
    ]);

  it('completes commands, flags and their values in a real bash', () => {
    expect(bash(['pitchey', 'ro'])).toEqual(['rollback']);
    expect(bash(['pitchey', 'deploy', 'video', '--strategy', 'b'])).toEqual(['blue-green']);
    expect(bash(['pitchey', 'logs', 'ai', '-'])).toContain('--follow');
  });

  it('completes commands, flags and their values in a real fish', () => {
    expect(fish('pitchey ro')).toEqual(['rollback']);
    expect(fish('pitchey deploy video --strategy b')).toEqual(['blue-green']);
    expect(fish('pitchey logs ai -')).toContain('--follow');
  });

  it('completes in zsh, and falls back to file names where the CLI knows no values', () => {
    expect(zsh(['pitchey', 'ro'])).toEqual(['rollback']);
    expect(zsh(['pitchey', 'deploy', 'video', '--strategy', 'b'])).toEqual(['blue-green']);
    expect(zsh(['pitchey', 'logs', 'ai', '-'])).toContain('--follow');
    expect(zsh(['pitchey', 'backup', 'verify', '--backup', ''])).toEqual(['<files>']);
  });
});
