// The part of the data dir containers share: `services/`, bind-mounted at the same absolute path
// so paths recorded in job queues mean the same inside and out. The images run as uid 10001: when
// the driver runs as root it hands the tree to that uid (files a local-driver run made as root
// included); otherwise containers run as the driver's own user (see docker-driver.ts).
import { chownSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath } from '../../kit/light.js';
import { SERVICE_UID } from '../../image/index.js';

export function servicesDirOf(dataDir: string): string {
  return dataPath(dataDir, 'services');
}

/** Gives every entry under `dir` (and `dir`) to uid:gid, skipping those that already have it; returns how many changed. */
function chownTree(dir: string, uid: number): number {
  let changed = 0;
  const visit = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.uid !== uid || stat.gid !== uid) {
      chownSync(path, uid, uid);
      changed++;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return changed;
}

/** Makes `services/` and, as root, hands it to the images' uid. */
export function prepareServicesDir(dataDir: string, log: (message: string) => void): void {
  const dir = servicesDirOf(dataDir);
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return;
  const changed = chownTree(dir, SERVICE_UID);
  if (changed > 0) log(`gave ${changed} path(s) under ${dir} to uid ${SERVICE_UID}, the user the images run as`);
}
