// Capacity against the real host with limits forced to 0 (must fail) and 100 (must pass for memory
// and disk), and the CPU limit with a given reading on either side of it.
import { describe, expect, it } from 'vitest';
import { HOST_READERS, checkCapacity, parseMemInfo, type CapacityReaders } from '../../../src/deploy/checks/capacity.js';

const now = new Date('2025-03-04T10:00:00Z');
const limits = (pct: number, cpuMethod: 'sample' | 'loadavg' = 'sample') => ({ cpuPercent: pct, memoryPercent: pct, diskPercent: pct, cpuMethod });

describe('capacity', () => {
  it('fails every reading against a limit of 0 %, with the reading shown', async () => {
    const evidence = await checkCapacity({ limits: limits(0), dataDir: process.cwd(), now });
    expect(evidence.map((e) => [e.check, e.status, e.threshold])).toEqual([
      ['capacity-cpu', 'fail', '< 0 %'],
      ['capacity-memory', 'fail', '< 0 %'],
      ['capacity-disk', 'fail', '< 0 %'],
    ]);
    for (const e of evidence) expect(e.observed).toMatch(/^\d+(\.\d)? %$/);
  });
  it('passes memory and disk against 100 %, and measures the disk of a data dir not yet created', async () => {
    const [, memory, disk] = await checkCapacity({ limits: limits(100, 'loadavg'), dataDir: '/tmp/pitchey-not-created-yet/data', now });
    expect(memory?.status).toBe('pass');
    expect(disk?.status).toBe('pass');
    expect(disk?.source).toBe('statfs /tmp/pitchey-not-created-yet/data');
  });
  it('holds CPU strictly below its limit', async () => {
    const readers = (cpu: number): CapacityReaders => ({ ...HOST_READERS, cpuPercent: () => Promise.resolve(cpu) });
    const at = async (cpu: number) => (await checkCapacity({ limits: { ...limits(100), cpuPercent: 70 }, dataDir: process.cwd(), now, readers: readers(cpu) }))[0];
    expect(await at(69.9)).toMatchObject({ status: 'pass', observed: '69.9 %', threshold: '< 70 %' });
    expect((await at(70))?.status).toBe('fail');
  });
  it('turns a reader that throws into a failing Evidence for that reading only', async () => {
    const readers: CapacityReaders = { ...HOST_READERS, memoryUsedPercent: () => Promise.reject(new Error('no /proc/meminfo')) };
    const evidence = await checkCapacity({ limits: limits(100, 'loadavg'), dataDir: process.cwd(), now, readers });
    expect(evidence[1]).toMatchObject({ check: 'capacity-memory', status: 'fail', observed: 'error: no /proc/meminfo' });
    expect(evidence[2]?.status).toBe('pass');
  });
  it('reads used memory from MemAvailable', () => {
    expect(parseMemInfo('MemTotal:       1000 kB\nMemFree:  10 kB\nMemAvailable:    250 kB\n')).toBe(75);
    expect(() => parseMemInfo('MemTotal: 1000 kB\n')).toThrow(/MemAvailable/);
  });
});
