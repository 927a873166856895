// Runs service instances as child processes: each reports its port over IPC once listening (a
// worker: that its job runner started, and the port of its /metrics), is
// restarted with backoff when it crashes, and is stopped with SIGTERM (drain) then SIGKILL. Their
// output goes on to this process's (or to the given sink) and its last lines are kept per child (`pitchey logs`).
// Children sit in their own process group; those still alive when the supervisor exits (even
// forced out by its deadline) are SIGKILLed, and one whose supervisor is SIGKILLed exits when the
// IPC channel drops, so no instance outlives its supervisor.
import { fork, type ChildProcess } from 'node:child_process';
import { killTree } from '../kit/index.js';
import { LogRing } from './log-ring.js';

export interface ChildSpec {
  id: string;
  /** Module run with `node`, and its arguments. */
  modulePath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  onListening(port: number, pid: number): void;
  /** A worker's runner started; `port`: where it serves /metrics, /health and /ready (null from a worker that does not say). */
  onStarted?(pid: number, port: number | null): void;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

interface Supervised {
  spec: ChildSpec;
  child: ChildProcess | null;
  restarts: number;
  startedAt: number;
  stopping: boolean;
  timer: NodeJS.Timeout | null;
  output: LogRing;
}

export interface ListeningMessage {
  type: 'listening';
  port: number;
}

export function isListeningMessage(m: unknown): m is ListeningMessage {
  return typeof m === 'object' && m !== null && (m as ListeningMessage).type === 'listening' && typeof (m as ListeningMessage).port === 'number';
}

/** What `pitchey worker` sends its supervisor once its job runner has started, with its listener's `port`. */
export const STARTED_MESSAGE = { type: 'started' } as const;

export interface StartedMessage {
  type: typeof STARTED_MESSAGE.type;
  port?: number;
}

function isStartedMessage(m: unknown): m is StartedMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === STARTED_MESSAGE.type;
}

/** Where a child's output goes: its id, a chunk, and which stream it came on. */
export type OutputSink = (id: string, chunk: Buffer, stream: 'stdout' | 'stderr') => void;

/** Written through to this process's own stdout or stderr, as it came. */
const writeThrough: OutputSink = (_id, chunk, stream) => {
  (stream === 'stdout' ? process.stdout : process.stderr).write(chunk);
};

export class Supervisor {
  private readonly children = new Map<string, Supervised>();
  /** Every child started and not yet exited, stopping or not: what an exit must take down. */
  private readonly alive = new Set<ChildProcess>();
  // Runs on the process's 'exit', where only synchronous work is done: a signal, no drain.
  private readonly killAlive = (): void => {
    for (const child of this.alive) killTree(child.pid);
  };

  constructor(private readonly options: { maxBackoffMs?: number; log?: (msg: string) => void; output?: OutputSink } = {}) {}

  start(spec: ChildSpec): void {
    const entry: Supervised = { spec, child: null, restarts: 0, startedAt: 0, stopping: false, timer: null, output: new LogRing() };
    if (!process.listeners('exit').includes(this.killAlive)) process.on('exit', this.killAlive);
    this.children.set(spec.id, entry);
    this.spawn(entry);
  }

  /**
   * The child's last `tail` lines of stdout and stderr, across its restarts (empty once it is
   * stopped); after a `cursor` from an earlier call, only the whole lines written since. A
   * follower (`following`) gets whole lines only from the start too: a line still waiting for its
   * newline comes in a later answer, once.
   */
  logs(id: string, tail: number, after?: number, following = after !== undefined): { lines: string[]; cursor: number } {
    const ring = this.children.get(id)?.output;
    if (ring === undefined) return { lines: [], cursor: after ?? 0 };
    return { lines: after === undefined ? ring.tail(tail, !following) : ring.since(after, tail), cursor: ring.cursor };
  }

  pids(): number[] {
    return [...this.children.values()].map((e) => e.child?.pid).filter((p): p is number => p !== undefined);
  }

  private spawn(entry: Supervised): void {
    const { spec } = entry;
    entry.startedAt = Date.now();
    const child = fork(spec.modulePath, spec.args, { env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    entry.child = child;
    // Interleaved in one ring, as a terminal would show them; still written through as before.
    const output = this.options.output ?? writeThrough;
    child.stdout?.on('data', (c: Buffer) => {
      entry.output.push(c);
      output(spec.id, c, 'stdout');
    });
    child.stderr?.on('data', (c: Buffer) => {
      entry.output.push(c, 'stderr');
      output(spec.id, c, 'stderr');
    });
    this.alive.add(child);
    child.on('message', (m) => {
      if (child.pid === undefined) return;
      if (isListeningMessage(m)) spec.onListening(m.port, child.pid);
      else if (isStartedMessage(m)) spec.onStarted?.(child.pid, typeof m.port === 'number' ? m.port : null);
    });
    child.on('exit', (code, signal) => {
      this.alive.delete(child);
      entry.child = null;
      spec.onExit(code, signal);
      if (entry.stopping) return;
      // A child that stayed up a minute has recovered: start the backoff over.
      if (Date.now() - entry.startedAt > 60_000) entry.restarts = 0;
      const delay = Math.min(this.options.maxBackoffMs ?? 30_000, 500 * 2 ** entry.restarts++);
      this.options.log?.(`${spec.id} exited (${signal ?? code}); restarting in ${delay} ms`);
      entry.timer = setTimeout(() => {
        entry.timer = null;
        if (!entry.stopping) this.spawn(entry);
      }, delay);
    });
  }

  /** SIGTERM one child (no restart), wait up to `graceMs` for it to drain, then SIGKILL its group. */
  stop(id: string, graceMs: number): Promise<void> {
    const entry = this.children.get(id);
    if (entry === undefined) return Promise.resolve();
    this.children.delete(id);
    entry.stopping = true;
    if (entry.timer !== null) clearTimeout(entry.timer);
    const child = entry.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => killTree(child.pid), graceMs);
      child.once('exit', () => {
        clearTimeout(kill);
        killTree(child.pid);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Stops every child as `stop` does, all at once. */
  async stopAll(graceMs: number): Promise<void> {
    await Promise.all([...this.children.keys()].map((id) => this.stop(id, graceMs)));
    process.off('exit', this.killAlive);
  }
}
