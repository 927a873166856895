// One control group per sandboxed run: memory and process-count limits, CPU accounting, peak memory
// and OOM kills read back, the whole group killed and removed afterwards. cgroup v1 (one hierarchy
// per controller, as on this machine and in hybrid mode) and v2 (one unified hierarchy) are both
// supported; the mode is detected once. Groups nest under the service's own cgroup, so sandboxed
// memory stays accounted to the service's container.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type CgroupLayout = { mode: 'v1'; memory: string; pids: string; cpuacct: string | null } | { mode: 'v2'; parent: string };

export interface RunLimits {
  memoryBytes: number;
  processes: number;
}

export interface GroupStats {
  cpuMs: number | null;
  peakMemoryBytes: number | null;
  oomKilled: boolean;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
const PARENT_NAME = 'pitchey-code';

/** The service's own path in a v1 controller's hierarchy (or the unified one: controller ''). */
function ownPath(controller: string): string {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, list = '', path = '/'] = line.split(':');
    if (list.split(',').includes(controller) || (controller === '' && line.startsWith('0::'))) return path;
  }
  return '/';
}

/**
 * Where this service's run groups live, or the reason there is none. `parentOverride` is a path
 * relative to each hierarchy (the PITCHEY_CODE_CGROUP setting) for hosts that delegate one. `ROOT`
 * is where the hierarchies are mounted.
 */
export async function prepareCgroups(parentOverride: string | null, ROOT = CGROUP_ROOT): Promise<{ layout: CgroupLayout } | { reason: string }> {
  const v1 = existsSync(join(ROOT, 'memory', 'memory.limit_in_bytes')) && existsSync(join(ROOT, 'pids', 'cgroup.procs'));
  try {
    if (v1) {
      const place = (c: string): string => join(ROOT, c, parentOverride ?? join(ownPath(c), PARENT_NAME));
      const memory = place('memory');
      const pids = place('pids');
      const cpuacct = existsSync(join(ROOT, 'cpuacct', 'cpuacct.usage')) ? place('cpuacct') : null;
      await Promise.all([memory, pids, ...(cpuacct ? [cpuacct] : [])].map((d) => mkdir(d, { recursive: true })));
      await sweepStale([memory, pids, ...(cpuacct ? [cpuacct] : [])]);
      return { layout: { mode: 'v1', memory, pids, cpuacct } };
    }
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const parent = join(ROOT, parentOverride ?? join(ownPath(''), PARENT_NAME));
      await mkdir(parent, { recursive: true });
      // Delegate the controllers one level down if they are not yet (refused while the service's
      // own group holds processes and is not the root: then a delegated PITCHEY_CODE_CGROUP is needed).
      await writeFile(join(parent, '..', 'cgroup.subtree_control'), '+memory +pids').catch(() => undefined);
      const available = (await readFile(join(parent, 'cgroup.controllers'), 'utf8')).split(/\s+/);
      if (!available.includes('memory') || !available.includes('pids')) {
        return { reason: `cgroup v2: the memory and pids controllers are not delegated to ${parent} (set PITCHEY_CODE_CGROUP to a delegated group)` };
      }
      await writeFile(join(parent, 'cgroup.subtree_control'), '+memory +pids');
      await sweepStale([parent]);
      return { layout: { mode: 'v2', parent } };
    }
    return { reason: 'no usable cgroup hierarchy: neither v1 memory+pids controllers nor cgroup v2 is mounted at /sys/fs/cgroup' };
  } catch (err) {
    // In a container the hierarchy is read-only (or only the container's own group) unless mounted read-write.
    return { reason: `cannot create the sandbox cgroups: ${(err as Error).message} (in a container: mount /sys/fs/cgroup read-write; README, "Containers")` };
  }
}

/** Removes empty run groups left by a service process that died mid-run (its pid is in the name). */
async function sweepStale(parents: string[]): Promise<void> {
  for (const parent of parents) {
    for (const name of await readdir(parent).catch(() => [] as string[])) {
      const pid = Number(/^run-(\d+)-\d+$/.exec(name)?.[1] ?? NaN);
      if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
      const procs = await readFile(join(parent, name, 'cgroup.procs'), 'utf8').catch(() => 'unknown');
      if (procs.trim() === '') await rmdir(join(parent, name)).catch(() => undefined);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readNumber(file: string): Promise<number | null> {
  try {
    const n = Number((await readFile(file, 'utf8')).trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

async function readKeyed(file: string, key: string): Promise<number | null> {
  try {
    const line = (await readFile(file, 'utf8')).split('\n').find((l) => l.startsWith(`${key} `));
    return line === undefined ? null : Number(line.slice(key.length + 1));
  } catch {
    return null;
  }
}

/** A run's group: its cgroup.procs files (a starter writes its own pid there before exec). */
export class RunGroup {
  private constructor(
    private readonly layout: CgroupLayout,
    private readonly dirs: string[],
  ) {}

  static async create(layout: CgroupLayout, name: string, limits: RunLimits): Promise<RunGroup> {
    const dirs = layout.mode === 'v1' ? [layout.memory, layout.pids, ...(layout.cpuacct ? [layout.cpuacct] : [])].map((d) => join(d, name)) : [join(layout.parent, name)];
    const group = new RunGroup(layout, dirs);
    try {
      await Promise.all(dirs.map((d) => mkdir(d)));
      if (layout.mode === 'v1') {
        const [memory = '', pids = ''] = dirs;
        await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        // No swap on top (when swap accounting exists), so the limit is the limit.
        await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => undefined);
        await writeFile(join(pids, 'pids.max'), String(limits.processes));
      } else {
        const [dir = ''] = dirs;
        await writeFile(join(dir, 'memory.max'), String(limits.memoryBytes));
        await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => undefined);
        await writeFile(join(dir, 'pids.max'), String(limits.processes));
      }
    } catch (err) {
      await group.destroy();
      throw err;
    }
    return group;
  }

  /** The files a process writes its pid into to join every controller of this group. */
  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  async pids(): Promise<number[]> {
    const lists = await Promise.all(this.procsFiles.map((f) => readFile(f, 'utf8').catch(() => '')));
    return [...new Set(lists.join('\n').split('\n').filter(Boolean).map(Number))];
  }

  /** CPU time of every process the group ever held (user + system). */
  async cpuMs(): Promise<number | null> {
    if (this.layout.mode === 'v1') {
      const ns = this.layout.cpuacct ? await readNumber(join(this.dirs[2] ?? '', 'cpuacct.usage')) : null;
      return ns === null ? null : ns / 1e6;
    }
    const us = await readKeyed(join(this.dirs[0] ?? '', 'cpu.stat'), 'usage_usec');
    return us === null ? null : us / 1e3;
  }

  async stats(): Promise<GroupStats> {
    const [memDir = ''] = this.dirs;
    if (this.layout.mode === 'v1') {
      const [peak, oom] = await Promise.all([readNumber(join(memDir, 'memory.max_usage_in_bytes')), readKeyed(join(memDir, 'memory.oom_control'), 'oom_kill')]);
      return { cpuMs: await this.cpuMs(), peakMemoryBytes: peak, oomKilled: (oom ?? 0) > 0 };
    }
    const [peak, oom] = await Promise.all([readNumber(join(memDir, 'memory.peak')), readKeyed(join(memDir, 'memory.events'), 'oom_kill')]);
    return { cpuMs: await this.cpuMs(), peakMemoryBytes: peak, oomKilled: (oom ?? 0) > 0 };
  }

  /** SIGKILL to every process in the group until it is empty (v2: cgroup.kill does it at once). */
  async killAll(): Promise<void> {
    if (this.layout.mode === 'v2') await writeFile(join(this.dirs[0] ?? '', 'cgroup.kill'), '1').catch(() => undefined);
    for (let round = 0; round < 200; round++) {
      const pids = await this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await sleep(round < 10 ? 2 : 20);
    }
  }

  /** Kills what is left and removes the group (retrying while the kernel reaps the last tasks). */
  async destroy(): Promise<void> {
    await this.killAll();
    for (const dir of this.dirs) {
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          await rmdir(dir);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          await sleep(10);
        }
      }
      // Still busy (the kernel has not let go of a task yet): try again later, in the background.
      if (existsSync(dir))
        setTimeout(() => {
          void rmdir(dir).catch(() => undefined);
        }, 5_000).unref();
    }
  }
}
