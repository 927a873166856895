// Exit codes live in one table (cli/usage.ts), matched by error name: every error class it names
// must really carry that name, or a renamed class would silently turn into exit 70.
import { describe, expect, it } from 'vitest';
import { EXIT, UsageError, CheckFailed, exitCodeOf } from '../../src/cli/usage.js';
import { ReleaseError } from '../../src/deploy/releases.js';
import { BackupError } from '../../src/deploy/backup/index.js';
import { ConfigError } from '../../src/kit/index.js';

describe('exit codes', () => {
  it.each([
    [new UsageError('x'), EXIT.usage],
    [new ConfigError(['x']), EXIT.config],
    [new CheckFailed('x'), EXIT.failed],
    [new ReleaseError('x'), EXIT.failed],
    [new BackupError('x'), EXIT.failed],
  ])('%s exits %i', (err, code) => {
    expect(exitCodeOf(err)).toBe(code);
  });

  it('an unexpected error is internal (null: main prints its stack and exits 70)', () => {
    expect(exitCodeOf(new TypeError('boom'))).toBeNull();
    expect(exitCodeOf('not an error')).toBeNull();
    expect(EXIT.internal).toBe(70);
  });
});
