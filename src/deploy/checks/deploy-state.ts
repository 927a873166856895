// Deployment state: no deployment in progress and no deploy lock held in the environment, read from
// the controller's SQLite (read-only; absent means nothing was ever deployed from here).
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dataPath } from '../../kit/light.js';
import { readLock } from '../lock.js';
import { readDeployments } from '../store.js';
import { createEvidence, guarded } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export function controllerDbPath(dataDir: string): string {
  return dataPath(dataDir, 'controllerDb');
}

export function checkDeployInProgress(options: { dataDir: string; env: string; now: Date }): Promise<Evidence> {
  const path = controllerDbPath(options.dataDir);
  const threshold = `no active deployment and no lock in ${options.env}`;
  return guarded('deploy-in-progress', path, options.now, () => {
    if (!existsSync(path)) return createEvidence('deploy-in-progress', { status: 'pass', observed: 'no controller database: nothing deployed from here', threshold, source: path }, options.now);
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const active = readDeployments(db, { env: options.env, activeOnly: true, limit: 1_000 });
      const lock = readLock(db, options.env);
      const busy = [...active.map((d) => `${d.id} (${d.service} ${d.state.phase}, by ${d.author})`), ...(lock === null ? [] : [`lock held by ${lock.holder}: ${lock.reason}`])];
      return createEvidence(
        'deploy-in-progress',
        {
          status: busy.length === 0 ? 'pass' : 'fail',
          observed: busy.length === 0 ? 'none in progress' : busy.join('; '),
          threshold,
          source: path,
          details: { active: active.map((d) => ({ id: d.id, service: d.service, phase: d.state.phase, author: d.author })), lock },
        },
        options.now,
      );
    } finally {
      db.close();
    }
  });
}
