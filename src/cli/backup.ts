// `pitchey backup create | verify [--backup DIR] | restore --backup DIR [--into DATA_DIR] | list`:
// backups of the platform's own state under `<dataDir>/backups/`.
import { createBackup, latestBackup, listBackups, restoreBackup, verifyBackup } from '../deploy/backup/index.js';
import { formatBytes, loadConfig } from '../kit/index.js';
import { option } from './admin-client.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

const USAGE = 'backup create | verify [--backup DIR] | restore --backup DIR [--into DATA_DIR] | list';
const bytes = (files: Array<{ bytes: number }>): string => formatBytes(files.reduce((n, f) => n + f.bytes, 0));

async function create(_argv: string[], dataDir: string): Promise<void> {
  const { dir, manifest } = await createBackup({ dataDir });
  console.log(`backup ${dir}: ${manifest.files.length} files, ${bytes(manifest.files)}${manifest.absent.length ? `; absent: ${manifest.absent.join(', ')}` : ''}`);
}

function verify(argv: string[], dataDir: string): void {
  const dir = option(argv, 'backup') ?? latestBackup(dataDir);
  if (dir === null) throw new CheckFailed(`no backups under ${dataDir}/backups (pitchey backup create)`);
  const result = verifyBackup(dir);
  if (argv.includes('--json')) console.log(JSON.stringify({ dir, ...result }, null, 2));
  for (const problem of result.problems) console.error(`  ${problem}`);
  if (!result.ok) throw new CheckFailed(`backup ${dir} does not verify (${result.problems.length} problems)`);
  const files = result.manifest?.files ?? [];
  console.log(`backup ${dir}: verified, ${files.length} files, ${bytes(files)}; last restore test: ${result.lastRestoreTest ?? 'never'}`);
}

function restore(argv: string[], dataDir: string): void {
  const backupDir = option(argv, 'backup');
  if (backupDir === undefined) throw new UsageError('backup restore --backup DIR [--into DATA_DIR]');
  const { into, manifest, test } = restoreBackup({ backupDir, into: option(argv, 'into') ?? dataDir });
  console.log(`restored ${manifest.files.length} files (${bytes(manifest.files)}) into ${into}; re-verified, restore test recorded at ${test.at}`);
}

function list(argv: string[], dataDir: string): void {
  const backups = listBackups(dataDir);
  if (argv.includes('--json')) {
    console.log(JSON.stringify(backups, null, 2));
    return;
  }
  console.log(
    formatTable(
      ['backup', 'created', 'files', 'size', 'verified', 'last restore test'],
      backups.map((b) => [b.name, b.createdAt ?? '-', String(b.files), formatBytes(b.bytes), b.verified ? 'yes' : `NO (${b.problems.length} problems)`, b.lastRestoreTest ?? 'never']),
    ),
  );
}

const SUBCOMMANDS: Record<string, (argv: string[], dataDir: string) => void | Promise<void>> = { create, verify, restore, list };

export async function backup(argv: string[]): Promise<void> {
  const run = argv[0] === undefined ? undefined : SUBCOMMANDS[argv[0]];
  if (run === undefined) throw new UsageError(USAGE);
  await run(argv.slice(1), loadConfig().dataDir);
}
