// The sandbox every submitted program runs in. Per run: a fresh host folder holding only the files
// we wrote (with O_EXCL, before the program starts) mounted read-only at /code; bubblewrap with every
// namespace unshared (no network, own PID/IPC/UTS/mount/user space), run as an unprivileged host
// uid; a read-only /usr, private /proc /dev /tmp and a size-capped tmpfs /work as the writable
// working dir; a cgroup for memory and process count that the starter joins before exec; rlimits
// for CPU time, file size, open files and core dumps. The host never reads anything the program
// could have written: output comes from pipes only, and the folder is removed without following links.
import { spawn } from 'node:child_process';
import { constants, existsSync, lstatSync, readlinkSync } from 'node:fs';
import { chmod, chown, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputCapture, killTree } from '../kit/index.js';
import { prepareCgroups, RunGroup, type CgroupLayout } from './cgroup.js';

/** `processes`: the program's own tasks (threads count); bubblewrap's are added by the sandbox. */
export interface SandboxLimits {
  cpuMs: number;
  wallMs: number;
  memoryMb: number;
  outputKb: number;
  processes: number;
}

/** bubblewrap's own two processes, in the run's group beside the program. */
const BWRAP_TASKS = 2;

export interface SandboxRunSpec {
  /** Written into the run's folder before the program starts; visible read-only under /code. */
  files: Array<{ name: string; content: string | Buffer }>;
  /** The command inside the sandbox (absolute paths). */
  argv: string[];
  stdin?: string | undefined;
  env?: Record<string, string>;
  limits: SandboxLimits;
  /** Open fd 3 as a channel to us (the launcher must close it before running submitted code). */
  control?: boolean;
  /** The run is stopped (its whole group killed) when this aborts: nobody waits for its result. */
  signal?: AbortSignal;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  /** What the run's launcher wrote on fd 3 (a channel the program itself never sees). */
  control: string;
  wallMs: number;
  cpuMs: number | null;
  peakMemoryBytes: number | null;
  oomKilled: boolean;
  timeLimit: 'cpu' | 'wall' | null;
  outputExceeded: 'stdout' | 'stderr' | null;
  /** The sandbox itself failed (not the program): the reason. */
  setupError: string | null;
}

export interface SandboxInfo {
  available: boolean;
  reason: string | null;
  cgroups: CgroupLayout['mode'] | null;
  uid: number;
  bwrap: string | null;
}

export interface Sandbox {
  info: SandboxInfo;
  /** The folder run folders are made in (each is removed after its run). */
  workRoot: string;
  run(spec: SandboxRunSpec): Promise<SandboxResult>;
  close(): Promise<void>;
}

const BWRAP = '/usr/bin/bwrap';
const SETPRIV = '/usr/bin/setpriv';
/**
 * The starter: sets the rlimits (CPU seconds soft/hard, file size in 512-byte blocks, open files,
 * no core dumps), joins every cgroup given, then becomes the command, so the sandbox starts inside
 * its group and under its limits. Arguments: cpu fsize-blocks count cgroup-files… command…
 * bubblewrap is the sandbox's pid 1, so its environment is the program's to read in /proc/1/environ:
 * the shell's exported PWD goes, leaving it empty (the program's own is set by --clearenv/--setenv).
 */
const STARTER =
  'unset PWD; ulimit -S -t $1 && ulimit -H -t $(($1 + 1)) && ulimit -f $2 && ulimit -n 256 && ulimit -c 0 || exit 125; n=$3; shift 3; ' +
  'while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';
/** The starter's exit code when it cannot set a limit or join a group (the program never started). */
const SETUP_FAILED = 125;
const CPU_POLL_MS = 25;

let binds: string[] | null = null;

/** The read-only view of the host system: /usr, and /bin /lib /lib64 /sbin as the host has them (read once). */
function systemBinds(): string[] {
  binds ??= hostBinds();
  return binds;
}

function hostBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib64', '/lib32']) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  // Only the /etc files programs need to start; never the rest (shadow, service config).
  for (const file of ['/etc/ld.so.cache', '/etc/localtime']) args.push('--ro-bind-try', file, file);
  if (!process.execPath.startsWith('/usr/')) args.push('--ro-bind', process.execPath, process.execPath);
  return args;
}

function bwrapArgs(uid: number, limits: SandboxLimits, env: Record<string, string>): string[] {
  const tmpfsBytes = String(limits.memoryMb * 1024 * 1024);
  return [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--uid',
    String(uid),
    '--gid',
    String(uid),
    '--hostname',
    'sandbox',
    ...systemBinds(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--size',
    tmpfsBytes,
    '--tmpfs',
    '/tmp',
    '--perms',
    '0777',
    '--size',
    tmpfsBytes,
    '--tmpfs',
    '/work',
    '--ro-bind-fd',
    '4',
    '/code',
    '--remount-ro',
    '/',
    '--json-status-fd',
    '5',
    '--chdir',
    '/work',
    '--clearenv',
    ...Object.entries({ PATH: '/usr/bin:/bin', HOME: '/work', LANG: 'C.UTF-8', TMPDIR: '/tmp', ...env }).flatMap(([k, v]) => ['--setenv', k, v]),
  ];
}

function rlimitArgs(limits: SandboxLimits): string[] {
  return [String(Math.ceil(limits.cpuMs / 1000)), String(limits.memoryMb * 2048)];
}

/** A fresh folder only root and the sandbox's group can read; each file created exclusively (never through a link). */
async function writeRunFolder(root: string, files: SandboxRunSpec['files'], gid: number): Promise<string> {
  const dir = await mkdtemp(join(root, 'run-'));
  await chown(dir, 0, gid);
  await chmod(dir, 0o750);
  for (const f of files) {
    if (!/^[\w.-]+$/.test(f.name) || f.name.startsWith('.')) throw new Error(`bad sandbox file name ${f.name}`);
    const handle = await open(join(dir, f.name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o640);
    try {
      await handle.chown(0, gid);
      await handle.writeFile(f.content);
    } finally {
      await handle.close();
    }
  }
  return dir;
}

class SandboxRun {
  private timeLimit: SandboxResult['timeLimit'] = null;
  private outputExceeded: SandboxResult['outputExceeded'] = null;

  constructor(
    private readonly group: RunGroup,
    private readonly spec: SandboxRunSpec,
    private readonly uid: number,
  ) {}

  async execute(dirFd: number): Promise<Omit<SandboxResult, 'cpuMs' | 'peakMemoryBytes' | 'oomKilled' | 'setupError'> & { started: boolean }> {
    const { limits } = this.spec;
    const capLimit = limits.outputKb * 1024;
    const stdout = new OutputCapture(capLimit);
    const stderr = new OutputCapture(capLimit);
    const control = new OutputCapture(64 * 1024);
    const started = performance.now();
    const argv = [
      ...rlimitArgs(limits),
      String(this.group.procsFiles.length),
      ...this.group.procsFiles,
      SETPRIV,
      `--reuid=${this.uid}`,
      `--regid=${this.uid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      BWRAP,
      ...bwrapArgs(this.uid, limits, this.spec.env ?? {}),
      '--',
      ...this.spec.argv,
    ];
    const child = spawn('/bin/sh', ['-c', STARTER, 'sh', ...argv], {
      // Started from / with nothing of ours: not the service's working dir, not its environment.
      env: {},
      cwd: '/',
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', this.spec.control ? 'pipe' : 'ignore', dirFd, 'pipe'],
    });
    // bubblewrap reports {"child-pid": …} on fd 5 once the program is started: before that, any failure is the sandbox's.
    const status = new OutputCapture(16 * 1024);
    (child.stdio as unknown as Array<NodeJS.ReadableStream | null>)[5]?.on('data', (c: Buffer) => status.add(c));
    const stop = (): void => {
      killTree(child.pid);
      void this.group.killAll();
    };
    const wall = setTimeout(() => {
      this.timeLimit ??= 'wall';
      stop();
    }, limits.wallMs);
    const gone = this.spec.signal;
    if (gone?.aborted === true) stop();
    gone?.addEventListener('abort', stop, { once: true });
    const cpuPoll = setInterval(() => {
      void this.group.cpuMs().then((ms) => {
        if (ms !== null && ms > limits.cpuMs) {
          this.timeLimit ??= 'cpu';
          stop();
        }
      });
    }, CPU_POLL_MS);
    const watch =
      (capture: OutputCapture, name: 'stdout' | 'stderr') =>
      (chunk: Buffer): void => {
        if (!capture.add(chunk) && this.outputExceeded === null) {
          this.outputExceeded = name;
          stop();
        }
      };
    child.stdout!.on('data', watch(stdout, 'stdout'));
    child.stderr!.on('data', watch(stderr, 'stderr'));
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (c: Buffer) => control.add(c));
    child.stdin!.on('error', () => {
      /* the program need not read its input */
    });
    child.stdin!.end(this.spec.stdin ?? '');
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on('error', () => resolve([SETUP_FAILED, null]));
      child.on('close', (code, sig) => resolve([code, sig]));
    });
    clearTimeout(wall);
    clearInterval(cpuPoll);
    gone?.removeEventListener('abort', stop);
    return {
      exitCode,
      signal,
      stdout: stdout.value(),
      stderr: stderr.value(),
      control: control.value().toString('utf8'),
      started: status.value().toString('utf8').includes('"child-pid"'),
      wallMs: Math.round(performance.now() - started),
      timeLimit: this.timeLimit,
      outputExceeded: this.outputExceeded,
    };
  }
}

export interface SandboxOptions {
  /**
   * Where this sandbox's root folder (0711, made fresh by mkdtemp, removed on close) is created; the
   * run folders inside it are removed after each run. Every ancestor must be searchable by the
   * sandbox uid (bubblewrap resolves the bind as that uid): the default is the system temp dir.
   */
  workParent?: string;
  /** A delegated cgroup path to nest run groups under, or null for `<own cgroup>/pitchey-code`. */
  cgroupParent: string | null;
  /** The unprivileged host uid (and gid) programs run as. */
  uid?: number;
}

/** Why the sandbox cannot be built before trying: tools missing, or not root (needed to run programs as another uid). */
function precondition(): string | null {
  const missing = [BWRAP, SETPRIV, '/bin/sh'].filter((p) => !existsSync(p));
  if (missing.length) return `missing ${missing.join(', ')} (apt-get install bubblewrap util-linux dash)`;
  if (process.getuid?.() !== 0) return 'the service must run as root to start programs as an unprivileged uid of their own and to manage cgroups';
  return null;
}

/** Sandbox roots of service processes that died without closing theirs (the pid is in the name). */
async function removeStaleRoots(parent: string): Promise<void> {
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(/^pitchey-sandbox-(\d+)-/.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') await rm(join(parent, name), { recursive: true, force: true });
    }
  }
}

/** Builds the sandbox, or one that refuses every run with the reason it cannot be built. */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const uid = options.uid ?? 65534;
  let counter = 0;
  const missing = precondition();
  const cg = missing === null ? await prepareCgroups(options.cgroupParent) : { reason: missing };
  const layout = 'layout' in cg ? cg.layout : null;
  const info: SandboxInfo = { available: layout !== null, reason: 'reason' in cg ? cg.reason : null, cgroups: layout?.mode ?? null, uid, bwrap: missing === null ? BWRAP : null };
  const workParent = options.workParent ?? tmpdir();
  await removeStaleRoots(workParent);
  const workRoot = await mkdtemp(join(workParent, `pitchey-sandbox-${process.pid}-`));
  await chmod(workRoot, 0o711);

  const run = async (spec: SandboxRunSpec): Promise<SandboxResult> => {
    if (layout === null) throw new Error(`sandbox unavailable: ${info.reason}`);
    const group = await RunGroup.create(layout, `run-${process.pid}-${++counter}`, { memoryBytes: spec.limits.memoryMb * 1024 * 1024, processes: spec.limits.processes + BWRAP_TASKS });
    let dir: string | null = null;
    try {
      dir = await writeRunFolder(workRoot, spec.files, uid);
      const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      let outcome;
      try {
        outcome = await new SandboxRun(group, spec, uid).execute(handle.fd);
      } finally {
        await handle.close();
      }
      await group.killAll();
      const stats = await group.stats();
      const { started, ...result } = outcome;
      const setupError = !started && outcome.timeLimit === null ? `the sandbox could not start (exit ${outcome.exitCode}): ${outcome.stderr.toString('utf8').slice(0, 500)}` : null;
      return { ...result, ...stats, setupError };
    } finally {
      await group.destroy();
      if (dir !== null) await rm(dir, { recursive: true, force: true });
    }
  };

  const sandbox: Sandbox = { info, run, workRoot, close: () => rm(workRoot, { recursive: true, force: true }) };
  if (layout !== null) {
    // Prove it works once: a sandbox that cannot start a trivial program is unavailable.
    const probe = await run({ files: [], argv: ['/usr/bin/true'], limits: { cpuMs: 2000, wallMs: 5000, memoryMb: 64, outputKb: 16, processes: 6 } }).catch((err: Error) => ({
      setupError: err.message,
      exitCode: -1,
      stderr: Buffer.alloc(0),
    }));
    if (probe.setupError !== null || probe.exitCode !== 0) {
      info.available = false;
      info.reason = probe.setupError ?? `the sandbox smoke test failed (exit ${probe.exitCode}): ${probe.stderr.toString('utf8').slice(0, 300)}`;
    }
  }
  return sandbox;
}
