// The driver port: where service instances run (local processes now; docker and kubernetes can
// follow behind the same few methods).
import type { Track } from '../engine/index.js';

export interface InstanceHandle {
  id: string;
  service: string;
  track: Track;
  version: string;
  /** Set once the instance listens. */
  url: string | null;
  pid: number | null;
}

export interface StartSpec {
  service: string;
  track: Track;
  version: string;
  count: number;
  /** PITCHEY_FAULTS for these instances (tests and game days only). */
  faults: string | null;
}

export interface Driver {
  /** Starts `count` instances and resolves once each listens (readiness is the gateway's to judge). */
  start(spec: StartSpec, timeoutMs: number): Promise<InstanceHandle[]>;
  /** Drains (SIGTERM, up to graceMs) then stops the instances. */
  stop(ids: string[], graceMs: number): Promise<void>;
  /** Relabels an instance's track (promotion), without restarting it. */
  retag(id: string, track: Track): void;
  list(): InstanceHandle[];
  close(graceMs: number): Promise<void>;
}
