// Deployment state from a real controller database (opened read-only) and the deployment window at
// fixed times in and out of it.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDeployInProgress } from '../../../src/deploy/checks/deploy-state.js';
import { checkDeployWindow } from '../../../src/deploy/checks/deploy-window.js';
import type { DeploymentState } from '../../../src/deploy/engine/types.js';
import { acquireLock } from '../../../src/deploy/lock.js';
import { openControllerDb, writeDeployment } from '../../../src/deploy/store.js';
import { makeTempDir } from '../../helpers.js';

const temps: Array<() => void> = [];
afterEach(() => {
  while (temps.length) temps.pop()?.();
});
const now = new Date('2025-03-04T10:00:00Z'); // a Tuesday

function state(phase: DeploymentState['phase']): DeploymentState {
  return {
    plan: {
      id: 'p',
      service: 'video',
      strategy: 'canary',
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      instances: 1,
      steps: [5, 100],
      stepMs: 1000,
      bakeMs: 0,
      readyTimeoutMs: 1000,
      rules: [],
      faults: null,
    },
    phase,
    stepIndex: 0,
    stepStartedAt: null,
    breachSince: {},
    assessments: [],
    reason: null,
    startedAt: 1,
    updatedAt: 1,
    replaced: 0,
  };
}

function dataDir(setup: (db: ReturnType<typeof openControllerDb>) => void): string {
  const t = makeTempDir();
  temps.push(t.remove);
  const db = openControllerDb(join(t.dir, 'controller.sqlite'));
  setup(db);
  db.close();
  return t.dir;
}

describe('deploy in progress', () => {
  it('passes when nothing was ever deployed from here', async () => {
    const t = makeTempDir();
    temps.push(t.remove);
    expect(await checkDeployInProgress({ dataDir: t.dir, env: 'production', now })).toMatchObject({ status: 'pass', observed: 'no controller database: nothing deployed from here' });
  });
  it('fails on an active deployment in the env, not on finished ones or other envs', async () => {
    const dir = dataDir((db) => {
      writeDeployment(db, { id: 'dep-1', env: 'production', service: 'video', author: 'alice', state: state('promoted') });
      writeDeployment(db, { id: 'dep-2', env: 'staging', service: 'video', author: 'bob', state: state('progressing') });
    });
    expect((await checkDeployInProgress({ dataDir: dir, env: 'production', now })).status).toBe('pass');
    const staging = await checkDeployInProgress({ dataDir: dir, env: 'staging', now });
    expect(staging).toMatchObject({ status: 'fail', observed: 'dep-2 (video progressing, by bob)' });
  });
  it('fails while the env lock is held', async () => {
    const dir = dataDir((db) => acquireLock(db, { env: 'production', holder: 'carol', reason: 'database maintenance', deploymentId: null, acquiredAt: 1 }));
    const e = await checkDeployInProgress({ dataDir: dir, env: 'production', now });
    expect(e).toMatchObject({ status: 'fail', observed: 'lock held by carol: database maintenance' });
  });
});

describe('deployment window', () => {
  const window = { days: ['mon', 'tue', 'wed', 'thu'] as Array<'mon' | 'tue' | 'wed' | 'thu'>, from: '09:00', to: '16:00', tz: 'UTC' };
  it('is open on an allowed day inside the hours', () => {
    expect(checkDeployWindow(window, now)).toMatchObject({ status: 'pass', observed: 'tue 10:00 UTC', threshold: 'mon,tue,wed,thu 09:00–16:00 UTC' });
  });
  it('is closed after hours, on a Friday, and at the exclusive end', () => {
    expect(checkDeployWindow(window, new Date('2025-03-04T16:30:00Z')).status).toBe('fail');
    expect(checkDeployWindow(window, new Date('2025-03-07T10:00:00Z'))).toMatchObject({ status: 'fail', observed: 'fri 10:00 UTC' });
    expect(checkDeployWindow(window, new Date('2025-03-04T16:00:00Z')).status).toBe('fail');
  });
  it('reads the clock in the window time zone', () => {
    // 10:00 UTC is 19:00 in Tokyo: outside 09–16 there.
    expect(checkDeployWindow({ ...window, tz: 'Asia/Tokyo' }, now)).toMatchObject({ status: 'fail', observed: 'tue 19:00 Asia/Tokyo' });
    // 01:30 UTC is 10:30 in Tokyo: inside.
    expect(checkDeployWindow({ ...window, tz: 'Asia/Tokyo' }, new Date('2025-03-04T01:30:00Z')).status).toBe('pass');
  });
  it('warns, rather than passes, when no window is configured', () => {
    expect(checkDeployWindow(null, now).status).toBe('warn');
  });
});
