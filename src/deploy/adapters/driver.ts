// The driver port: where service instances and workers run (local processes, or docker
// containers) and which releases it can run. Kubernetes can follow behind the same few methods.
import type { Track } from '../engine/index.js';

/**
 * What a process of a release does (Kamal's roles): an `instance` serves the service's HTTP API
 * (and runs jobs); a `worker` (`pitchey worker <service>`) only runs the service's jobs, taking
 * those its release accepted, and serves only /metrics, /health and /ready: never routed to.
 */
export type ProcessRole = 'instance' | 'worker';

export interface InstanceHandle {
  id: string;
  service: string;
  role: ProcessRole;
  track: Track;
  version: string;
  /** Set while the instance answers (null before it is up, and while it is down or restarting); a worker's: its /metrics, never routed to. */
  url: string | null;
  /** The process on this host (docker: the container's init), null while it is not running (a worker: until its runner started). */
  pid: number | null;
}

export interface StartSpec {
  service: string;
  /** Default `instance`. */
  role?: ProcessRole;
  track: Track;
  version: string;
  count: number;
  /** PITCHEY_FAULTS for these instances (tests and game days only). */
  faults: string | null;
  /** The deployment starting them, where the driver can record it (docker: a label). */
  deployment?: string;
}

/** A version the driver can run: a release directory (local) or a set of images (docker). */
export interface ReleaseSummary {
  version: string;
  createdAt: string;
  /** The release content's checksum (the manifest's, or the images' `io.pitchey.release.checksum` label). */
  checksum: string;
  /** What runs: `directory` with its file count, or `image` with each role's image ID and size. */
  kind: 'directory' | 'image';
  files?: number;
  images?: Array<{ role: string; id: string; sizeBytes: number }>;
}

/**
 * Whether `version` of `service` may run here: `ok` with what will run (a path, an image ID),
 * `missing` (no such release), or `refused` (present, but its integrity or signature does not hold).
 */
export type Resolution = { status: 'ok'; ref: string } | { status: 'missing'; reason: string } | { status: 'refused'; reason: string };

/** An instance's recent output, oldest line first. */
export interface InstanceLogs {
  id: string;
  version: string;
  track: Track;
  lines: string[];
  /** Where these lines end: passed back in `logs(…, after)`, it gives only the lines written since. */
  cursor: string;
}

/** Thrown by `start` when the release may not run (a `refused` resolution). */
export class DriverRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverRefused';
  }
}

export interface Driver {
  /**
   * Starts `count` instances and resolves once each answers (readiness is the gateway's to judge),
   * or `count` workers and resolves once each has started its job runner. The driver's onUp and
   * onDown hooks hear of instances only (a worker's address serves its metrics, not traffic).
   * Rejects with DriverRefused, before anything starts, when the release may not run.
   */
  start(spec: StartSpec, timeoutMs: number): Promise<InstanceHandle[]>;
  /**
   * Drains (the stop signal, up to graceMs) then stops and forgets the instances or workers; a
   * worker's jobs still running then go back to the queue for another runner.
   */
  stop(ids: string[], graceMs: number): Promise<void>;
  /**
   * Relabels an instance's or worker's track (promotion), without restarting it; the driver keeps
   * the track. A worker needs no more: jobs go to runners by release, not by track.
   */
  retag(id: string, track: Track): void;
  list(): InstanceHandle[];
  /**
   * The last `tail` lines (at most) of each instance of the service. With `after` (instance id →
   * cursor from an earlier answer), an instance named there gives only the lines written since
   * (`pitchey logs -f`); an instance not named there, one that started since, gives its last lines.
   * With `after` (a follower, even with no cursor yet), every line given is whole: one still waiting
   * for its newline comes in a later answer, so a follower never sees it twice.
   */
  logs(service: string, tail: number, after?: Readonly<Record<string, string>>): Promise<InstanceLogs[]>;
  /** Whether a version may run, checked before a deployment is planned and again by `start`. */
  resolve(service: string, version: string): Promise<Resolution>;
  /** The releases this driver can run, oldest first. */
  releases(): Promise<ReleaseSummary[]>;
  /** Stops every instance (as `stop`) and releases what the driver holds; nothing it started is left. */
  close(graceMs: number): Promise<void>;
}
