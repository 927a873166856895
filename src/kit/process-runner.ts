// The one way to run an external tool: argv (never a shell string), a deadline, capped output,
// and on timeout or abort the whole process group is killed, not just the direct child.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { OutputCapture } from './output-capture.js';

// A tool must not outlive the process that started it, even one killed with SIGKILL, whose
// handlers never run (an ffmpeg would encode on under init for minutes). setpriv (util-linux) asks
// the kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG, kept across its exec of the
// tool), which Node cannot ask for itself. Without setpriv, tools are spawned as they are.
const SETPRIV = '/usr/bin/setpriv';
const DIE_WITH_PARENT = existsSync(SETPRIV) ? ['--pdeathsig', 'SIGKILL', '--'] : null;
// What setpriv prints when it cannot exec the tool; its exit code says why, as a shell's would.
const EXEC_FAILED = 'setpriv: failed to execute ';
const EXEC_ERRORS: Record<number, string> = { 126: 'EACCES', 127: 'ENOENT' };

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the whole tree after this long. Default 60 s. */
  timeoutMs?: number;
  /** Stdout kept in full up to this many bytes; beyond it the run is killed. Default 8 MiB. */
  maxStdoutBytes?: number;
  /** Only the last this-many bytes of stderr are kept (the failure reason lives there). Default 64 KiB. */
  stderrTailBytes?: number;
  input?: string | Buffer;
  signal?: AbortSignal | undefined;
  /** Called with each stderr chunk (progress parsers). */
  onStderr?: (chunk: Buffer) => void;
  onStdout?: (chunk: Buffer) => void;
  /** False: stdout only goes to `onStdout` (long runs that stream progress); default true. */
  keepStdout?: boolean;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  outputExceeded: boolean;
  durationMs: number;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError: string | null;
}

/** Sends a signal to the whole process group led by `pid` (children are spawned detached). */
export function killTree(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is already gone */
  }
}

/** Runs `command args` and resolves when the whole process has exited; never rejects. */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const stdout = new OutputCapture(options.maxStdoutBytes ?? 8 * 1024 * 1024, 'head');
  const stderr = new OutputCapture(options.stderrTailBytes ?? 64 * 1024, 'tail');
  let timedOut = false;
  let aborted = false;
  let outputExceeded = false;
  return new Promise((resolve) => {
    const [file, argv] = DIE_WITH_PARENT === null ? [command, args] : [SETPRIV, [...DIE_WITH_PARENT, command, ...args]];
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const stop = (): void => killTree(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs ?? 60_000);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => {
      options.onStdout?.(c);
      if (options.keepStdout === false) return;
      if (!stdout.add(c) && !outputExceeded) {
        outputExceeded = true;
        stop();
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      options.onStderr?.(c);
      stderr.add(c);
    });
    child.stdin.on('error', () => {
      /* the program may exit before reading its input */
    });
    child.stdin.end(options.input);
    let spawnError: string | null = null;
    child.on('error', (err) => {
      spawnError = err.message;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it left behind in its group lingers.
      killTree(child.pid);
      const errText = stderr.value().toString('utf8');
      const execError = exitCode === null || !errText.startsWith(EXEC_FAILED) ? undefined : EXEC_ERRORS[exitCode];
      resolve({
        exitCode,
        signal,
        stdout: stdout.value(),
        stderr: execError === undefined ? errText : '',
        timedOut,
        aborted,
        outputExceeded,
        durationMs: Date.now() - started,
        spawnError: spawnError ?? (execError === undefined ? null : `spawn ${command} ${execError}`),
      });
    });
  });
}
