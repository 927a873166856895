// The docker driver: instances are containers of the role's image (by its verified ID) on the host
// network, each on a free loopback port the driver picks, sharing the data dir's `services/` tree
// (bind-mounted at the same path: job queues are SQLite files all instances open). Docker restarts
// a crashed container for as long as it runs (RestartPolicy unless-stopped, with the daemon's own
// doubling delay: a crash loop never ends in a dead instance nobody restarts, as the local
// supervisor does with processes); the driver follows the daemon's events to take
// it out of the gateway meanwhile and put it back once /health answers. Labels name the platform
// (a hash of the data dir), so start-up cleanup and tests touch only this platform's containers.
// Docker labels cannot change after creation: a promotion's new track is kept by the driver (the
// `io.pitchey.track` label stays the track the container was started on). A release's workers run
// the same image with the `worker <service>` command and no health probe; one is up once its log
// says its job runner started, and its address (the port the driver gave it: /metrics, /health,
// /ready) is never routed to.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve as resolvePath } from 'node:path';
import type Docker from 'dockerode';
import { isImageRole, rolePrivileges } from '../../image/index.js';
import { WORKER_STARTED } from '../../kit/light.js';
import type { Track } from '../engine/index.js';
import { listImageReleases, resolveImage, type ImageVerifier } from './docker-images.js';
import { demuxLogs, readEvents, splitTimestamp, timestampKey, type DockerEvent } from './docker-streams.js';
import { prepareServicesDir, servicesDirOf } from './docker-data-dir.js';
import { DriverRefused, type Driver, type InstanceHandle, type StartSpec } from './driver.js';

export const LABEL = {
  platform: 'io.pitchey.platform',
  service: 'io.pitchey.service',
  version: 'io.pitchey.version',
  track: 'io.pitchey.track',
  deployment: 'io.pitchey.deployment',
  instance: 'io.pitchey.instance',
} as const;

export interface DockerDriverOptions {
  docker: Docker;
  dataDir: string;
  /** Settings every instance gets; only `PITCHEY_*` variables are passed into a container. */
  baseEnv: NodeJS.ProcessEnv;
  verifyImage: ImageVerifier;
  onUp(instance: InstanceHandle): void;
  onDown(instance: InstanceHandle): void;
  log?: (message: string) => void;
  /** How often /health is asked while an instance comes up. Default 100 ms. */
  healthIntervalMs?: number;
}

/** The label value that marks this platform's containers: a hash of its data dir. */
export function platformId(dataDir: string): string {
  return createHash('sha256').update(resolvePath(dataDir)).digest('hex').slice(0, 16);
}

/**
 * Not passed on: the controller's own settings, those the driver sets per container, and the
 * settings file's path (a host path the container cannot read: it would refuse to start). The
 * file's values arrive as variables (`fileSettingsEnv`, in the platform's base environment).
 */
const NOT_PASSED = new Set([
  'PITCHEY_DRIVER',
  'PITCHEY_DOCKER_HOST',
  'PITCHEY_IMAGE_TRUSTED_KEYS',
  'PITCHEY_IMAGE_SIGNING_KEY',
  'PITCHEY_CONFIG_FILE',
  'PITCHEY_PORT',
  'PITCHEY_HOST',
  'PITCHEY_DATA_DIR',
  'PITCHEY_VERSION',
  'PITCHEY_TRACK',
  'PITCHEY_FAULTS',
]);

function containerEnv(base: NodeJS.ProcessEnv, own: Record<string, string>): string[] {
  const passed = Object.entries(base).filter((e): e is [string, string] => e[0].startsWith('PITCHEY_') && !NOT_PASSED.has(e[0]) && e[1] !== undefined);
  return [...passed, ...Object.entries(own)].map(([k, v]) => `${k}=${v}`);
}

/** A loopback port free now; the container binds it (host network) moments later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

/** Runs `op`, treating "not found" and "not modified" (already gone, already stopped) as done. */
async function idempotent(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    if (![304, 404].includes(statusOf(err) ?? 0)) throw err;
  }
}

interface Instance {
  handle: InstanceHandle;
  container: Docker.Container;
  port: number;
  /** Being stopped by the driver: its exit is no crash. */
  stopping: boolean;
  /** Answered /health once: from then on the daemon's events (not start's polling) follow it. */
  cameUp: boolean;
  /** Died on its own since it was last up: docker's next start of it is the restart. */
  crashed: boolean;
  /** Times it died on its own, for the log. */
  crashes: number;
}

export async function createDockerDriver(options: DockerDriverOptions): Promise<Driver> {
  const { docker } = options;
  const log = options.log ?? (() => undefined);
  const platform = platformId(options.dataDir);
  const servicesDir = servicesDirOf(options.dataDir);
  const instances = new Map<string, Instance>();
  const byContainer = new Map<string, Instance>();
  let counter = 0;
  let closed = false;

  await removeLeftovers(docker, platform, log);
  prepareServicesDir(options.dataDir, log);
  let events = await followEvents();

  async function answers(url: string): Promise<boolean> {
    try {
      return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) })).ok;
    } catch {
      return false;
    }
  }

  /** Polls /health until it answers, the deadline passes (false) or the instance is being stopped (false). */
  async function waitHealthy(instance: Instance, deadline: number): Promise<boolean> {
    const url = `http://127.0.0.1:${instance.port}`;
    while (!instance.stopping && !closed) {
      if (await answers(url)) return true;
      if (Date.now() > deadline) return false;
      await sleep(options.healthIntervalMs ?? 100);
    }
    return false;
  }

  /** A worker answers nothing: polls its log for the line it writes once its runner started (false at the deadline). */
  async function waitStarted(instance: Instance, deadline: number): Promise<boolean> {
    while (!instance.stopping && !closed) {
      const { lines } = await lastLines(instance, 200);
      if (lines.some((l) => l.includes(`"msg":"${WORKER_STARTED}"`))) return true;
      if (Date.now() > deadline) return false;
      await sleep(options.healthIntervalMs ?? 100);
    }
    return false;
  }

  async function markUp(instance: Instance): Promise<void> {
    const info = await instance.container.inspect();
    instance.handle.pid = info.State.Pid > 0 ? info.State.Pid : null;
    instance.handle.url = `http://127.0.0.1:${instance.port}`;
    if (instance.handle.role === 'instance') options.onUp(instance.handle);
  }

  function markDown(instance: Instance): void {
    const wasUp = instance.handle.role === 'instance' && instance.handle.url !== null;
    instance.handle.url = null;
    instance.handle.pid = null;
    if (wasUp) options.onDown(instance.handle);
  }

  /** die: out of the gateway now; start (docker's restart of it): back in once /health answers. */
  function onEvent(event: DockerEvent): void {
    const instance = byContainer.get(event.Actor?.ID ?? event.id ?? '');
    if (instance === undefined || instance.stopping || !instance.cameUp) return;
    if (event.Action === 'die') {
      instance.crashes += 1;
      log(`${instance.handle.id} exited (code ${event.Actor?.Attributes?.exitCode ?? '?'}, crash ${instance.crashes}); docker restarts it`);
      instance.crashed = true;
      markDown(instance);
    } else if (event.Action === 'start' && instance.crashed) {
      instance.crashed = false;
      void (instance.handle.role === 'worker' ? waitStarted : waitHealthy)(instance, Date.now() + 300_000)
        .then((up) => (up && !instance.stopping ? markUp(instance) : undefined))
        .catch((err: Error) => log(`${instance.handle.id}: ${err.message}`));
    }
  }

  /** The daemon's container events for this platform; followed again if the stream ends (a daemon restart). */
  async function followEvents(): Promise<NodeJS.ReadableStream> {
    const stream = await docker.getEvents({ filters: JSON.stringify({ type: ['container'], event: ['die', 'start'], label: [`${LABEL.platform}=${platform}`] }) });
    readEvents(stream, onEvent);
    let ended = false;
    const again = (): void => {
      if (ended || closed) return;
      ended = true;
      log('the Docker events stream ended; following it again');
      const retry = (): void => {
        void sleep(1_000)
          .then(followEvents)
          .then(
            (next) => {
              events = next;
            },
            (err: Error) => {
              log(`cannot follow Docker events: ${err.message}`);
              if (!closed) retry();
            },
          );
      };
      retry();
    };
    stream.once('end', again);
    stream.once('close', again);
    stream.on('error', () => undefined); // 'close' follows, and the stream is followed again there
    return stream;
  }

  /** The last lines, or with `after` (a line's timestamp) the lines written since; the cursor is the last line's. */
  async function lastLines(instance: Instance, tail: number, after?: string): Promise<{ lines: string[]; cursor: string }> {
    const from = after === undefined ? null : timestampKey(after);
    try {
      // `since` is whole seconds: the lines of that second already seen are dropped by their timestamp.
      const window = from === null ? { tail } : { since: Math.floor(Date.parse(from) / 1000) };
      const stamped = demuxLogs(await instance.container.logs({ stdout: true, stderr: true, timestamps: true, follow: false, ...window })).map(splitTimestamp);
      const fresh = (from === null ? stamped : stamped.filter((l) => (timestampKey(l.at) ?? '') > from)).slice(-tail);
      return { lines: fresh.map((l) => l.line), cursor: fresh.at(-1)?.at ?? after ?? '' };
    } catch {
      return { lines: [], cursor: after ?? '' };
    }
  }

  async function startOne(spec: StartSpec, imageId: string, timeoutMs: number): Promise<InstanceHandle> {
    const role = spec.role ?? 'instance';
    const id = role === 'worker' ? `${spec.service}-worker-${spec.version}-${++counter}` : `${spec.service}-${spec.version}-${++counter}`;
    const handle: InstanceHandle = { id, service: spec.service, role, track: spec.track, version: spec.version, url: null, pid: null };
    const port = await freePort();
    if (!isImageRole(spec.service)) throw new Error(`no image role "${spec.service}"`);
    const privileges = rolePrivileges(spec.service);
    // The image's user (10001, or root for the code executor), except under a non-root operator:
    // then the operator's uid, which owns the shared data (the code executor stays root).
    const user = spec.service === 'code' || process.getuid?.() === 0 ? null : `${process.getuid?.()}:${process.getgid?.()}`;
    const container = await docker.createContainer({
      name: `pitchey-${platform}-${handle.id}`,
      Image: imageId,
      ...(user === null ? {} : { User: user }),
      Env: containerEnv(options.baseEnv, {
        PITCHEY_PORT: String(port),
        PITCHEY_HOST: '127.0.0.1',
        PITCHEY_DATA_DIR: resolvePath(options.dataDir),
        PITCHEY_VERSION: spec.version,
        PITCHEY_TRACK: spec.track,
        PITCHEY_FAULTS: spec.faults ?? '',
      }),
      // A worker: the image's entrypoint with the worker command, and no HTTP health probe to fail.
      ...(role === 'worker' ? { Cmd: ['worker', spec.service], Healthcheck: { Test: ['NONE'] } } : {}),
      Labels: {
        [LABEL.platform]: platform,
        [LABEL.service]: spec.service,
        [LABEL.version]: spec.version,
        [LABEL.track]: spec.track,
        [LABEL.deployment]: spec.deployment ?? '',
        [LABEL.instance]: handle.id,
      },
      HostConfig: {
        NetworkMode: 'host',
        Init: true,
        RestartPolicy: { Name: 'unless-stopped' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
        ...privileges,
        Binds: [`${servicesDir}:${servicesDir}`, ...privileges.Binds],
      },
    });
    if (closed) {
      await idempotent(() => container.remove({ force: true }));
      throw new Error('the driver was closed');
    }
    const instance: Instance = { handle, container, port, stopping: false, cameUp: false, crashed: false, crashes: 0 };
    instances.set(handle.id, instance);
    byContainer.set(container.id, instance);
    await container.start();
    if (!(await (role === 'worker' ? waitStarted : waitHealthy)(instance, Date.now() + timeoutMs))) {
      const { lines } = await lastLines(instance, 20);
      const what = role === 'worker' ? 'start its job runner' : 'answer /health';
      throw new Error(`${handle.id} did not ${what} within ${timeoutMs} ms${lines.length > 0 ? `; its last lines:\n${lines.join('\n')}` : ''}`);
    }
    await markUp(instance);
    instance.cameUp = true;
    return handle;
  }

  async function stopOne(id: string, graceMs: number): Promise<void> {
    const instance = instances.get(id);
    if (instance === undefined) return;
    instances.delete(id);
    instance.stopping = true;
    // Docker sends the image's STOPSIGNAL, waits t seconds, then SIGKILL; a manual stop is never restarted.
    await idempotent(() => instance.container.stop({ t: Math.ceil(graceMs / 1000) }));
    await idempotent(() => instance.container.remove({ force: true }));
    byContainer.delete(instance.container.id);
    markDown(instance);
  }

  return {
    async start(spec, timeoutMs) {
      const resolution = await resolveImage(docker, options.verifyImage, spec.service, spec.version);
      if (resolution.status === 'refused') throw new DriverRefused(resolution.reason);
      if (resolution.status === 'missing') throw new Error(resolution.reason);
      return Promise.all(Array.from({ length: spec.count }, () => startOne(spec, resolution.ref, timeoutMs)));
    },
    async stop(ids, graceMs) {
      await Promise.all(ids.map((id) => stopOne(id, graceMs)));
    },
    retag(id, track: Track) {
      const instance = instances.get(id);
      if (instance === undefined) return;
      instance.handle.track = track;
      if (instance.handle.role === 'instance' && instance.handle.url !== null) options.onUp(instance.handle); // announced again under its new track
    },
    list: () => [...instances.values()].map((i) => i.handle),
    async logs(service, tail, after = {}) {
      const mine = [...instances.values()].filter((i) => i.handle.service === service);
      return Promise.all(mine.map(async (i) => ({ id: i.handle.id, version: i.handle.version, track: i.handle.track, ...(await lastLines(i, tail, after[i.handle.id])) })));
    },
    resolve: (service, version) => resolveImage(docker, options.verifyImage, service, version),
    releases: () => listImageReleases(docker),
    async close(graceMs) {
      closed = true;
      await Promise.all([...instances.keys()].map((id) => stopOne(id, graceMs)));
      // And any container of this platform that was not among them: one still starting, or one that
      // died and that docker restarted (unless-stopped), which would run on, writing into the data
      // dir, after the platform is gone.
      await removeLeftovers(docker, platform, log, 'that were not stopped with their instances');
      (events as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    },
  };
}

/** Containers of this platform that a controller which died left behind (or, at close, that it did not stop). */
async function removeLeftovers(docker: Docker, platform: string, log: (m: string) => void, which = 'a previous run of this platform left behind'): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL.platform}=${platform}`] }) });
  await Promise.all(left.map((c) => idempotent(() => docker.getContainer(c.Id).remove({ force: true }))));
  if (left.length > 0) log(`removed ${left.length} container(s) ${which}`);
}
