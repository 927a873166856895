// A private Docker daemon for the container tests and benches: its own socket, data root and exec
// root, no iptables and no bridge (containers use the host network), stopped and its containers
// removed when the tests end. The data root persists between runs (PITCHEY_TEST_DOCKER_DIR, default
// /tmp/pitchey-dockerd) so built base images are reused; a fresh machine starts empty.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PrivateDockerd {
  host: string;
  socketPath: string;
  stop(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Best effort: a namespace mount the daemon left may keep a file busy; the next start uses another folder. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    /* removed by a later start */
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startDockerd(dir = process.env.PITCHEY_TEST_DOCKER_DIR ?? '/tmp/pitchey-dockerd'): Promise<PrivateDockerd> {
  mkdirSync(dir, { recursive: true });
  const socketPath = join(dir, 'docker.sock');
  const pidFile = join(dir, 'docker.pid');
  // A daemon left by a run that was killed: stop it, it holds the data root.
  if (existsSync(pidFile)) {
    const old = Number(readFileSync(pidFile, 'utf8'));
    if (Number.isInteger(old) && old > 0 && pidAlive(old)) {
      process.kill(old, 'SIGTERM');
      for (let i = 0; i < 100 && pidAlive(old); i++) await sleep(100);
    }
  }
  // A fresh exec root per daemon: an old one can hold a network namespace mount (EBUSY) for a while.
  for (const old of readdirSync(dir).filter((n) => n.startsWith('x-'))) removeQuietly(join(dir, old));
  const execRoot = join(dir, `x-${process.pid}`);
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  const child: ChildProcess = spawn(
    'dockerd',
    ['--host', `unix://${socketPath}`, '--data-root', join(dir, 'root'), '--exec-root', execRoot, '--pidfile', pidFile, '--iptables=false', '--ip-masq=false', '--bridge=none', '--log-level=warn'],
    { stdio: ['ignore', log, log] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready = false;
  for (let i = 0; i < 300 && !ready; i++) {
    if (child.exitCode !== null) break;
    ready = await ping(socketPath);
    if (!ready) await sleep(100);
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`dockerd did not start within 30 s; see ${join(dir, 'dockerd.log')}`);
  }
  return {
    host: `unix://${socketPath}`,
    socketPath,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      removeQuietly(execRoot);
    },
  };
}
