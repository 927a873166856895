// The tier's private daemon is what the issue asks for: its own socket, no bridge, no iptables.
import { expect, inject, it } from 'vitest';
import { dockerClient } from '../../src/kit/docker.js';

it('runs a private dockerd on its own socket with host networking only', async () => {
  const host = inject('dockerHost');
  expect(host).toMatch(/^unix:\/\/\/.+docker\.sock$/);
  const docker = await dockerClient(host);
  const info = (await docker.info()) as { Driver: string; CgroupVersion?: string };
  expect(['overlay2', 'vfs', 'fuse-overlayfs']).toContain(info.Driver);
  const networks = (await docker.listNetworks()).map((n) => n.Name);
  expect(networks).not.toContain('bridge');
  expect(networks).toContain('host');
});
