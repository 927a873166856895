// `pitchey doctor`: which system tools are here (with versions) and what each missing one
// disables, the cgroup mode, free disk under the data dir, and the gateway's data plane here.
import { mkdirSync } from 'node:fs';
import { resolveDataPlane } from '../gateway/index.js';
import { cgroupMode, detectTools, diskSpace, formatBytes, loadConfig } from '../kit/index.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';

export async function doctor(a: ArgsOf<'doctor'>): Promise<void> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const [tools, disk] = await Promise.all([detectTools(), diskSpace(config.dataDir)]);
  const report = { node: process.versions.node, cgroups: cgroupMode(), dataDir: config.dataDir, disk, dataPlane: resolveDataPlane(config), tools };
  emit(a.values.json, report, () =>
    [
      formatTable(
        ['tool', 'status', 'version', 'without it'],
        tools.map((t) => [t.name, t.present ? 'ok' : `MISSING (apt-get install ${t.debianPackage})`, t.version ?? '-', t.present ? '' : t.disables]),
      ),
      `\nnode ${report.node}; cgroups ${report.cgroups}; data dir ${config.dataDir}: ${formatBytes(disk.freeBytes)} free (${disk.usedPercent}% used)`,
      `gateway data plane: ${report.dataPlane} (PITCHEY_DATA_PLANE=${config.dataPlane})`,
    ].join('\n'),
  );
}
