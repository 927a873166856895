// The containers tier's one private dockerd: started before the first file, stopped after the last,
// with every container it still runs removed first (a test that leaves one behind fails on its own).
// PITCHEY_TEST_DOCKER_HOST points the tier at a daemon that is already running instead.
import type { TestProject } from 'vitest/node';
import { startDockerd } from '../support/dockerd.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A daemon someone else runs (several worktrees sharing one image cache): use it, leave it running.
  const shared = process.env.PITCHEY_TEST_DOCKER_HOST;
  if (shared !== undefined && shared !== '') {
    project.provide('dockerHost', shared);
    return () => Promise.resolve();
  }
  const dockerd = await startDockerd();
  project.provide('dockerHost', dockerd.host);
  return async () => {
    const { dockerClient } = await import('../../src/kit/docker.js');
    const docker = await dockerClient(dockerd.host);
    for (const c of await docker.listContainers({ all: true })) await docker.getContainer(c.Id).remove({ force: true });
    await dockerd.stop();
  };
}
