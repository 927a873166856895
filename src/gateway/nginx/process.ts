// nginx as a supervised child of the gateway: its configuration written to its own directory
// under the data dir, run in the foreground (dying with the gateway where setpriv can arrange
// it), its error log passed to ours and its request log to the gateway's, stopped gracefully
// (in-flight requests finish) on close.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFifo } from './fifo.js';
import { REQUEST_LOG_FIFO } from './request-log.js';

const SETPRIV = '/usr/bin/setpriv';
/** Debian's dynamic module of libnginx-mod-http-lua (and the NDK it needs). */
const MODULES = ['/usr/lib/nginx/modules/ndk_http_module.so', '/usr/lib/nginx/modules/ngx_http_lua_module.so'];
const READY_POLL_MS = 20;
/** How long a stop waits for the request log's last lines once nginx has exited. */
const LOG_FLUSH_MS = 1_000;

export interface NginxProcess {
  /** Stops nginx: QUIT (finish what is in flight), TERM after `graceMs`, KILL if it still lingers. */
  stop(graceMs: number): Promise<void>;
  /** Resolves when nginx exits, whatever the reason. */
  exited: Promise<number | null>;
}

export interface StartNginxOptions {
  prefix: string;
  /** The http{} configuration, without the module loads. */
  conf: string;
  /** Answers once nginx listens (its control server). */
  ready: () => Promise<boolean>;
  log: (line: string) => void;
  /** The request log's lines (the config's access_log to REQUEST_LOG_FIFO), whole, several at a time; none: the config has none. */
  requestLog?: (lines: string) => void;
  timeoutMs?: number;
}

/** Whether the Lua module this data plane needs is installed (scripts/install-system-deps). */
export function luaModuleInstalled(): boolean {
  return MODULES.every((m) => existsSync(m));
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

export async function startNginx(o: StartNginxOptions): Promise<NginxProcess> {
  if (!luaModuleInstalled()) throw new Error('PITCHEY_DATA_PLANE=nginx needs nginx with the Lua module (Debian: libnginx-mod-http-lua); scripts/install-system-deps installs it');
  for (const dir of ['', 'client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(o.prefix, dir), { recursive: true });
  const confPath = join(o.prefix, 'nginx.conf');
  writeFileSync(confPath, MODULES.map((m) => `load_module ${m};`).join('\n') + '\n' + o.conf);
  const args = ['-p', o.prefix, '-c', confPath, '-e', 'stderr'];
  const requestLog = o.requestLog ? readFifo(join(o.prefix, REQUEST_LOG_FIFO), o.requestLog) : null;
  // The master dies with the gateway, so a killed gateway leaves no nginx holding its port.
  const child = existsSync(SETPRIV)
    ? spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', '--', 'nginx', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('nginx', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => o.log(line));
  const exited = waitExit(child);
  const deadline = Date.now() + (o.timeoutMs ?? 5_000);
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    while (!gone && !(await o.ready().catch(() => false))) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`nginx did not start within ${o.timeoutMs ?? 5_000} ms`);
      }
      await sleep(READY_POLL_MS);
    }
  } finally {
    // Listening, nginx holds its logs open; or it is gone.
    requestLog?.release();
  }
  if (gone) throw new Error(`nginx exited at start (code ${String(child.exitCode)}); its log is above`);
  return {
    exited,
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const timer = (signal: NodeJS.Signals, ms: number) => sleep(ms).then(() => child.exitCode === null && child.signalCode === null && child.kill(signal));
      await Promise.race([exited, timer('SIGTERM', graceMs).then(() => Promise.race([exited, timer('SIGKILL', 2_000).then(() => exited)]))]);
      if (requestLog) await Promise.race([requestLog.done, sleep(LOG_FLUSH_MS, undefined, { ref: false })]);
    },
  };
}
