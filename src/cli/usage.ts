// The CLI's exit codes (sysexits.h where one fits) and the errors that choose them: the one table
// main.ts reads. Errors are matched by name, so main loads no module just to know its error class.

export const EXIT = { ok: 0, failed: 1, usage: 64, internal: 70, config: 78 } as const;

/** Error name → exit code; the message alone is printed (no stack) for these. */
const EXIT_BY_ERROR: Record<string, number> = {
  UsageError: EXIT.usage,
  ConfigError: EXIT.config,
  CheckFailed: EXIT.failed,
  RequestRefused: EXIT.failed,
  ReleaseError: EXIT.failed,
  BackupError: EXIT.failed,
};

/** The exit code an error stands for, or null for an unexpected error (internal, 70, with its stack). */
export function exitCodeOf(err: unknown): number | null {
  return err instanceof Error && Object.hasOwn(EXIT_BY_ERROR, err.name) ? EXIT_BY_ERROR[err.name]! : null;
}

/** The RFC 9457 problem the platform answered with, kept for `--json` output. */
export type ProblemAnswer = Record<string, unknown> & { code?: string; detail?: string };

/**
 * A command line that cannot be run as typed, found by the parser or by the server's validation
 * (`problem`): main prints it with a pointer to the command's help and exits 64.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly problem?: ProblemAnswer,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command ran and found something wrong (an unhealthy service): exit 1 after printing. */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

/** The platform refused a well-formed request (release not found, lock held): exit 1 with its problem. */
export class RequestRefused extends Error {
  constructor(
    message: string,
    readonly problem: ProblemAnswer,
  ) {
    super(message);
    this.name = 'RequestRefused';
  }
}
