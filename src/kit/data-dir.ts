// The data directory's layout: every path under PITCHEY_DATA_DIR is named here and nowhere else,
// with the run state (`run/instances.json`) read and written here. A leaf: node built-ins only.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Data-dir-relative paths; backups record and restore files by these names. */
export const DATA_PATHS = {
  controllerDb: 'controller.sqlite',
  checksConfig: 'checks.json',
  devApiKey: 'dev-api-key',
  releases: 'releases',
  backups: 'backups',
  run: 'run',
  instances: 'run/instances.json',
  /** The gateway's nginx data plane (PITCHEY_DATA_PLANE=nginx): its config, pid and temp files, per port. */
  nginx: 'run/nginx',
  services: 'services',
  images: 'images',
  keys: 'keys',
} as const;

/** Paths inside one service's own folder (`services/<name>/`). */
export const SERVICE_PATHS = {
  tmp: 'tmp',
  jobs: 'jobs',
  jobsDb: 'jobs.sqlite',
  templates: 'templates',
  functionsDb: 'functions.sqlite',
  classifiers: 'classifiers',
  aiUsageDb: 'usage.sqlite',
  streams: 'streams',
  streamRecords: 'stream-records',
} as const;

export type DataPath = keyof typeof DATA_PATHS;
export type ServicePath = keyof typeof SERVICE_PATHS;

/** An absolute path under the data dir (backups resolves, so relative data dirs compare equal). */
export function dataPath(dataDir: string, what: DataPath): string {
  return join(resolve(dataDir), DATA_PATHS[what]);
}

/** A service's own folder: what `ServiceContext.dataDir` is. */
export function serviceDataDir(dataDir: string, service: string): string {
  return join(resolve(dataDir), DATA_PATHS.services, service);
}

/** A data-dir-relative path inside a service's folder: `services/<service>/<what>`. */
export function serviceRelPath(service: string, what: ServicePath): string {
  return `${DATA_PATHS.services}/${service}/${SERVICE_PATHS[what]}`;
}

/** One running instance, as `pitchey up` records it for `pitchey health` and the checks. */
export interface InstanceEntry {
  role: string;
  id: string;
  url: string;
  pid: number;
  track: string;
  version: string;
}
/** The running platform's addresses: `run/instances.json`. */
export interface RunState {
  gateway: { url: string; pid: number };
  instances: InstanceEntry[];
}

/** The recorded run state, or null when no platform runs from this data dir (or the file is unreadable). */
export function readRunState(dataDir: string): RunState | null {
  try {
    return JSON.parse(readFileSync(dataPath(dataDir, 'instances'), 'utf8')) as RunState;
  } catch {
    return null;
  }
}

/** Written whole through a rename, so a reader never sees half a file. */
export function writeRunState(dataDir: string, state: RunState): void {
  const file = dataPath(dataDir, 'instances');
  mkdirSync(dataPath(dataDir, 'run'), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function removeRunState(dataDir: string): void {
  rmSync(dataPath(dataDir, 'instances'), { force: true });
}
