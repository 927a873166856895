// `pitchey doctor`: which system tools are here (with versions) and what each missing one
// disables, the cgroup mode, and free disk under the data dir.
import { mkdirSync } from 'node:fs';
import { cgroupMode, detectTools, diskSpace, formatBytes, loadConfig } from '../kit/index.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';

export async function doctor(a: ArgsOf<'doctor'>): Promise<void> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const [tools, disk] = await Promise.all([detectTools(), diskSpace(config.dataDir)]);
  const report = { node: process.versions.node, cgroups: cgroupMode(), dataDir: config.dataDir, disk, tools };
  emit(a.values.json, report, () =>
    [
      formatTable(
        ['tool', 'status', 'version', 'without it'],
        tools.map((t) => [t.name, t.present ? 'ok' : `MISSING (apt-get install ${t.debianPackage})`, t.version ?? '-', t.present ? '' : t.disables]),
      ),
      `\nnode ${report.node}; cgroups ${report.cgroups}; data dir ${config.dataDir}: ${formatBytes(disk.freeBytes)} free (${disk.usedPercent}% used)`,
    ].join('\n'),
  );
}
