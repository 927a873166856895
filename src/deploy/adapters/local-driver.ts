// The local driver: instances are supervised child processes of this one, on free loopback ports,
// each run from its release directory (or from this build for the version it carries); a release's
// workers are `pitchey worker <service>` children from the same entry, up once their runner started,
// with an address too (their /metrics, on a free loopback port) that is never routed to.
import { dataPath } from '../../kit/light.js';
import { Supervisor, type OutputSink } from '../../platform/supervisor.js';
import { ReleaseError, listReleases, readRelease, releaseEntry } from '../releases.js';
import type { Track } from '../engine/index.js';
import { DriverRefused, type Driver, type InstanceHandle, type Resolution, type StartSpec } from './driver.js';

export interface LocalDriverOptions {
  dataDir: string;
  releasesDir: string;
  /** The version this build is, run from `selfEntry` instead of a release directory. */
  selfVersion: string;
  selfEntry: string;
  /** Environment every instance gets (keys, log level); the driver adds port, version, track, faults. */
  baseEnv: NodeJS.ProcessEnv;
  onUp(instance: InstanceHandle): void;
  onDown(instance: InstanceHandle): void;
  log?: (message: string) => void;
  /** Where the instances' output goes (default: this process's stdout and stderr). */
  output?: OutputSink;
}

export function createLocalDriver(options: LocalDriverOptions): Driver {
  const supervisor = new Supervisor({ ...(options.log ? { log: options.log } : {}), ...(options.output ? { output: options.output } : {}) });
  const instances = new Map<string, InstanceHandle>();
  let counter = 0;

  /** A release directory whose files no longer match its manifest is refused, as an unsigned image is. */
  function resolve(version: string): Resolution {
    if (version === options.selfVersion) return { status: 'ok', ref: options.selfEntry };
    if (readRelease(options.releasesDir, version) === null) return { status: 'missing', reason: `release ${version} does not exist` };
    try {
      return { status: 'ok', ref: releaseEntry(options.releasesDir, version) };
    } catch (err) {
      if (err instanceof ReleaseError) return { status: 'refused', reason: err.message };
      throw err;
    }
  }

  function entryFor(version: string): string {
    const resolution = resolve(version);
    if (resolution.status === 'refused') throw new DriverRefused(resolution.reason);
    if (resolution.status === 'missing') throw new ReleaseError(resolution.reason);
    return resolution.ref;
  }

  /** What the child runs on a free loopback port: `serve`, or `worker` (no faults: they act on requests). */
  function processOf(spec: StartSpec): { args: string[]; env: NodeJS.ProcessEnv } {
    const own = { PITCHEY_DATA_DIR: options.dataDir, PITCHEY_VERSION: spec.version, PITCHEY_TRACK: spec.track, PITCHEY_PORT: '0', PITCHEY_HOST: '127.0.0.1' };
    if (spec.role === 'worker') return { args: ['worker', spec.service], env: { ...options.baseEnv, ...own } };
    return { args: ['serve', spec.service], env: { ...options.baseEnv, ...own, PITCHEY_FAULTS: spec.faults ?? '' } };
  }

  /** Gone or restarting: out of the gateway (an instance's hook; a worker was never in it). */
  function markDown(handle: InstanceHandle): void {
    if (handle.role === 'instance' && handle.url !== null) options.onDown(handle);
    handle.url = null;
    handle.pid = null;
  }

  function startOne(spec: StartSpec, entry: string, timeoutMs: number): Promise<InstanceHandle> {
    const role = spec.role ?? 'instance';
    const id = role === 'worker' ? `${spec.service}-worker-${spec.version}-${++counter}` : `${spec.service}-${spec.version}-${++counter}`;
    const handle: InstanceHandle = { id, service: spec.service, role, track: spec.track, version: spec.version, url: null, pid: null };
    instances.set(handle.id, handle);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${handle.id} did not ${role === 'worker' ? 'start its job runner' : 'listen'} within ${timeoutMs} ms`)), timeoutMs);
      const up = (): void => {
        clearTimeout(timer);
        resolve(handle);
      };
      supervisor.start({
        id: handle.id,
        modulePath: entry,
        ...processOf(spec),
        onListening: (port, pid) => {
          handle.url = `http://127.0.0.1:${port}`;
          handle.pid = pid;
          options.onUp(handle);
          up();
        },
        onStarted: (pid, port) => {
          handle.url = port === null ? null : `http://127.0.0.1:${port}`;
          handle.pid = pid;
          up();
        },
        onExit: () => markDown(handle),
      });
    });
  }

  return {
    async start(spec, timeoutMs) {
      const entry = entryFor(spec.version);
      return Promise.all(Array.from({ length: spec.count }, () => startOne(spec, entry, timeoutMs)));
    },
    async stop(ids, graceMs) {
      await Promise.all(
        ids.map(async (id) => {
          const handle = instances.get(id);
          instances.delete(id);
          await supervisor.stop(id, graceMs);
          if (handle !== undefined) markDown(handle);
        }),
      );
    },
    retag(id, track: Track) {
      const handle = instances.get(id);
      if (handle === undefined) return;
      handle.track = track;
      if (handle.role === 'instance') options.onUp(handle); // announced again under its new track
    },
    list: () => [...instances.values()],
    logs(service, tail, after) {
      const mine = [...instances.values()].filter((h) => h.service === service);
      return Promise.resolve(
        mine.map((h) => {
          const since = after?.[h.id];
          const from = since === undefined || !/^\d{1,15}$/.test(since) ? undefined : Number(since);
          const { lines, cursor } = supervisor.logs(h.id, tail, from, after !== undefined);
          return { id: h.id, version: h.version, track: h.track, lines, cursor: String(cursor) };
        }),
      );
    },
    resolve: (_service, version) => Promise.resolve(resolve(version)),
    releases() {
      const dirs = listReleases(options.releasesDir).map((m) => ({ version: m.version, createdAt: m.createdAt, checksum: m.checksum, kind: 'directory' as const, files: m.files }));
      return Promise.resolve(dirs);
    },
    async close(graceMs) {
      await supervisor.stopAll(graceMs);
      instances.clear();
    },
  };
}

export function defaultReleasesDir(dataDir: string): string {
  return dataPath(dataDir, 'releases');
}
