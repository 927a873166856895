// `pitchey backup create | verify [--backup DIR] | restore --backup DIR [--into DATA_DIR] | list`:
// backups of the platform's own state under `<dataDir>/backups/`.
import { createBackup, latestBackup, listBackups, restoreBackup, verifyBackup } from '../deploy/backup/index.js';
import { formatBytes, loadConfig } from '../kit/index.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';
import { CheckFailed } from './usage.js';

const bytes = (files: Array<{ bytes: number }>): string => formatBytes(files.reduce((n, f) => n + f.bytes, 0));

export async function create(a: ArgsOf<'backupCreate'>): Promise<void> {
  const { dir, manifest } = await createBackup({ dataDir: loadConfig().dataDir });
  emit(a.values.json, { dir, manifest }, () => `backup ${dir}: ${manifest.files.length} files, ${bytes(manifest.files)}${manifest.absent.length ? `; absent: ${manifest.absent.join(', ')}` : ''}`);
}

export function verify(a: ArgsOf<'backupVerify'>): Promise<void> {
  const dataDir = loadConfig().dataDir;
  const dir = a.values.backup ?? latestBackup(dataDir);
  if (dir === null) throw new CheckFailed(`no backups under ${dataDir}/backups (pitchey backup create)`);
  const result = verifyBackup(dir);
  const files = result.manifest?.files ?? [];
  emit(a.values.json, { dir, ...result }, () =>
    [...result.problems.map((p) => `  ${p}`), result.ok ? `backup ${dir}: verified, ${files.length} files, ${bytes(files)}; last restore test: ${result.lastRestoreTest ?? 'never'}` : '']
      .filter(Boolean)
      .join('\n'),
  );
  if (!result.ok) throw new CheckFailed(`backup ${dir} does not verify (${result.problems.length} problems)`);
  return Promise.resolve();
}

export function restore(a: ArgsOf<'backupRestore'>): Promise<void> {
  const { into, manifest, test } = restoreBackup({ backupDir: a.values.backup!, into: a.values.into ?? loadConfig().dataDir });
  emit(a.values.json, { into, manifest, test }, () => `restored ${manifest.files.length} files (${bytes(manifest.files)}) into ${into}; re-verified, restore test recorded at ${test.at}`);
  return Promise.resolve();
}

export function list(a: ArgsOf<'backupList'>): Promise<void> {
  const backups = listBackups(loadConfig().dataDir);
  emit(a.values.json, backups, () =>
    formatTable(
      ['backup', 'created', 'files', 'size', 'verified', 'last restore test'],
      backups.map((b) => [b.name, b.createdAt ?? '-', String(b.files), formatBytes(b.bytes), b.verified ? 'yes' : `NO (${b.problems.length} problems)`, b.lastRestoreTest ?? 'never']),
    ),
  );
  return Promise.resolve();
}
