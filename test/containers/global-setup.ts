// The containers tier's one private dockerd: started before the first file, stopped after the last,
// with every container it still runs removed first (a test that leaves one behind fails on its own).
import type { TestProject } from 'vitest/node';
import { startDockerd } from '../support/dockerd.js';

declare module 'vitest' {
  export interface ProvidedContext { dockerHost: string }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dockerd = await startDockerd();
  project.provide('dockerHost', dockerd.host);
  return async () => {
    const { dockerClient } = await import('../../src/kit/docker.js');
    const docker = await dockerClient(dockerd.host);
    for (const c of await docker.listContainers({ all: true })) await docker.getContainer(c.Id).remove({ force: true });
    await dockerd.stop();
  };
}
