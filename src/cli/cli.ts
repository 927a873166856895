// The `pitchey` command: runs the command line (run.ts) and turns every failure into one exit code
// (usage.ts's table). Each command's module is imported only when it runs (commands.ts), so
// `pitchey health` loads no server, database or service.
import { resultPrinted } from './output.js';
import { commandName, runCli } from './run.js';
import { EXIT, RequestRefused, UsageError, exitCodeOf, type ProblemAnswer } from './usage.js';

/** `--json` asked for and nothing printed yet: the failure itself goes on stdout as JSON, so stdout always parses. */
function printJsonFailure(argv: string[], message: string, exitCode: number, problem: ProblemAnswer | undefined): void {
  const end = argv.indexOf('--');
  if (!(end < 0 ? argv : argv.slice(0, end)).includes('--json') || resultPrinted()) return;
  process.stdout.write(`${JSON.stringify({ error: { message, exitCode, ...(problem ? { problem } : {}) } }, null, 2)}\n`);
}

const argv = process.argv.slice(2);
runCli(argv).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    const code = exitCodeOf(err);
    if (code === null) {
      console.error(err);
      printJsonFailure(argv, String((err as Error)?.message ?? err), EXIT.internal, undefined);
      process.exit(EXIT.internal);
    }
    const message = (err as Error).message;
    printJsonFailure(argv, message, code, err instanceof UsageError || err instanceof RequestRefused ? err.problem : undefined);
    const name = commandName(argv);
    const hint = err instanceof UsageError ? `\n(run "pitchey ${name === '' ? '' : `${name} `}--help" for usage)` : '';
    console.error(`pitchey: ${message}${hint}`);
    process.exit(code);
  },
);
