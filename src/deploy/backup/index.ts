// Public face of platform backups: create, verify, restore and list backups of the data dir's
// own state (controller store, job stores, templates, functions, stream index, release manifests).
export { BackupError, MANIFEST_FILE, RESTORE_TESTS_FILE, type BackupFile, type BackupManifest } from './manifest.js';
export { backupsDirOf, createBackup } from './create.js';
export { checkTree, verifyBackup, type VerifyResult } from './verify.js';
export { restoreBackup } from './restore.js';
export { latestRestoreTest, readRestoreTests, type RestoreTest } from './restore-tests.js';
export { latestBackup, listBackups, type BackupSummary } from './list.js';
export { PARTS } from './sources.js';
