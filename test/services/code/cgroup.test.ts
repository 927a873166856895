// The cgroup layer against the real hierarchies of this host: v1 controllers (as this machine has
// them) and the v2 branch against the real unified mount, where no controller is delegated.
import { existsSync, rmdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareCgroups } from '../../../src/sandbox/cgroup.js';

const V1 = existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
const UNIFIED = '/sys/fs/cgroup/unified';

describe('prepareCgroups', () => {
  it.skipIf(!V1)('uses the v1 memory and pids controllers (with cpuacct) when they are mounted', async () => {
    const out = await prepareCgroups(null);
    expect(out).toMatchObject({ layout: { mode: 'v1', memory: expect.stringMatching(/\/memory\/.*pitchey-code$/), pids: expect.stringMatching(/\/pids\/.*pitchey-code$/) } });
  });
  it.skipIf(!existsSync(`${UNIFIED}/cgroup.controllers`))('on a v2 hierarchy without the memory and pids controllers delegated, gives the reason instead', async () => {
    const unified = UNIFIED;
    const out = await prepareCgroups('/pitchey-code-v2-probe', unified);
    try {
      expect(out).toMatchObject({ reason: expect.stringContaining('not delegated') });
    } finally {
      if (existsSync(`${unified}/pitchey-code-v2-probe`)) rmdirSync(`${unified}/pitchey-code-v2-probe`);
    }
  });
});
