// Capacity: CPU, memory and disk use under the data dir, each held below its limit (one Evidence
// each). Readers are swappable so the limits can be tested without loading the machine.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { diskSpace } from '../../kit/index.js';
import type { ChecksConfig } from './checks-config.js';
import { createEvidence, guarded } from './create-evidence.js';
import type { Evidence } from './evidence.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CapacityReaders {
  /** Busy share of all cores, in percent. */
  cpuPercent(method: 'sample' | 'loadavg'): Promise<number>;
  memoryUsedPercent(): Promise<number>;
  diskUsedPercent(path: string): Promise<number>;
}

function cpuTimes(stat: string): { idle: number; total: number } {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no cpu line');
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { idle, total: n.reduce((a, b) => a + b, 0) };
}

async function sampleCpu(): Promise<number> {
  const a = cpuTimes(await readFile('/proc/stat', 'utf8'));
  await sleep(200);
  const b = cpuTimes(await readFile('/proc/stat', 'utf8'));
  const total = b.total - a.total;
  return total <= 0 ? 0 : round1(((total - (b.idle - a.idle)) / total) * 100);
}

export function parseMemInfo(text: string): number {
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (!(total > 0) || Number.isNaN(available)) throw new Error('/proc/meminfo has no MemTotal/MemAvailable');
  return round1((1 - available / total) * 100);
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

export const HOST_READERS: CapacityReaders = {
  cpuPercent: (method) => (method === 'sample' ? sampleCpu() : Promise.resolve(round1(((loadavg()[0] ?? 0) / availableParallelism()) * 100))),
  memoryUsedPercent: async () => parseMemInfo(await readFile('/proc/meminfo', 'utf8')),
  diskUsedPercent: async (path) => (await diskSpace(existingAncestor(path))).usedPercent,
};

/** The data dir may not exist yet; the disk it will live on is that of its nearest existing parent. */
function existingAncestor(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

export interface CapacityOptions {
  limits: ChecksConfig['capacity'];
  dataDir: string;
  now: Date;
  readers?: CapacityReaders | undefined;
}

export function checkCapacity(options: CapacityOptions): Promise<Evidence[]> {
  const { limits, dataDir, now } = options;
  const readers = options.readers ?? HOST_READERS;
  const one = (check: 'capacity-cpu' | 'capacity-memory' | 'capacity-disk', source: string, limit: number, read: () => Promise<number>): Promise<Evidence> =>
    guarded(check, source, now, async () => {
      const used = await read();
      return createEvidence(check, { status: used < limit ? 'pass' : 'fail', observed: `${used} %`, threshold: `< ${limit} %`, source }, now);
    });
  const cpuSource = limits.cpuMethod === 'sample' ? '/proc/stat over 200 ms' : '1-minute load average / cores';
  return Promise.all([
    one('capacity-cpu', cpuSource, limits.cpuPercent, () => readers.cpuPercent(limits.cpuMethod)),
    one('capacity-memory', '/proc/meminfo (MemAvailable)', limits.memoryPercent, () => readers.memoryUsedPercent()),
    one('capacity-disk', `statfs ${dataDir}`, limits.diskPercent, () => readers.diskUsedPercent(dataDir)),
  ]);
}
