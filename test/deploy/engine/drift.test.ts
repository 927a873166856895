import { describe, expect, it } from 'vitest';
import { diffEffectiveConfig, isAllowed, type EffectiveConfig } from '../../../src/deploy/engine/index.js';

const config = (over: Partial<EffectiveConfig> = {}): EffectiveConfig => ({
  env: 'production',
  settings: { logLevel: 'info', port: 8080, deployEnv: 'production', upstreams: ['a', 'b'] },
  versions: { ai: 'v1', video: 'v1' },
  checks: { capacity: { cpuPercent: 70, diskPercent: 85 }, waivers: [] },
  ...over,
});

describe('drift', () => {
  it('identical configurations have no difference', () => {
    expect(diffEffectiveConfig({ here: config(), there: config({ env: 'staging' }), allow: [] })).toEqual([]);
  });

  it('reports every difference, each allowed or not, sorted by path', () => {
    const there = config({
      env: 'staging',
      settings: { logLevel: 'debug', port: 9090, deployEnv: 'staging', upstreams: ['a'] },
      versions: { ai: 'v2', video: 'v0' },
      checks: { capacity: { cpuPercent: 90, diskPercent: 85 }, waivers: [], window: { from: '09:00' } },
    });
    const diff = diffEffectiveConfig({ here: config(), there, allow: ['settings.port', 'settings.deployEnv', 'checks.capacity.*'], deploying: 'ai' });
    expect(diff).toEqual([
      { path: 'checks.capacity.cpuPercent', here: '70', there: '90', allowed: true },
      { path: 'checks.window.from', here: null, there: '"09:00"', allowed: false },
      { path: 'settings.deployEnv', here: '"production"', there: '"staging"', allowed: true },
      { path: 'settings.logLevel', here: '"info"', there: '"debug"', allowed: false },
      { path: 'settings.port', here: '8080', there: '9090', allowed: true },
      { path: 'settings.upstreams', here: '["a","b"]', there: '["a"]', allowed: false },
      { path: 'versions.video', here: '"v1"', there: '"v0"', allowed: false },
    ]);
  });

  it("the deployed service's own version is not drift, another service's is", () => {
    const there = config({ versions: { ai: 'v2', video: 'v1' } });
    expect(diffEffectiveConfig({ here: config(), there, allow: [], deploying: 'ai' })).toEqual([]);
    expect(diffEffectiveConfig({ here: config(), there, allow: [], deploying: 'video' }).map((d) => d.path)).toEqual(['versions.ai']);
  });

  it('an allow-list entry covers its path and what is below it, a wildcard only below', () => {
    expect(isAllowed('checks.capacity.cpuPercent', ['checks.capacity'])).toBe(true);
    expect(isAllowed('checks.capacityX', ['checks.capacity'])).toBe(false);
    expect(isAllowed('checks.capacity', ['checks.capacity.*'])).toBe(false);
    expect(isAllowed('checks.capacity.cpuPercent', ['checks.capacity.*'])).toBe(true);
  });
});
