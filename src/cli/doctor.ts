// `pitchey doctor`: which system tools are here (with versions) and what each missing one
// disables, the cgroup mode, and free disk under the data dir.
import { mkdirSync } from 'node:fs';
import { cgroupMode, detectTools, diskSpace, formatBytes, loadConfig } from '../kit/index.js';
import { formatTable } from './table.js';

export async function doctor(argv: string[]): Promise<void> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const [tools, disk] = await Promise.all([detectTools(), diskSpace(config.dataDir)]);
  const report = { node: process.versions.node, cgroups: cgroupMode(), dataDir: config.dataDir, disk, tools };
  if (argv.includes('--json')) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(
    formatTable(
      ['tool', 'status', 'version', 'without it'],
      tools.map((t) => [t.name, t.present ? 'ok' : `MISSING (apt-get install ${t.debianPackage})`, t.version ?? '-', t.present ? '' : t.disables]),
    ),
  );
  console.log(`\nnode ${report.node}; cgroups ${report.cgroups}; data dir ${config.dataDir}: ${formatBytes(disk.freeBytes)} free (${disk.usedPercent}% used)`);
}
