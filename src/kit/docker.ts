// The Docker Engine API client, made one way for the docker driver and `pitchey image`: from
// PITCHEY_DOCKER_HOST, else DOCKER_HOST, else the default socket. dockerode is loaded only here,
// and only when a command needs it.
import type Docker from 'dockerode';

/** `unix:///path.sock` or `tcp://host:port` (DOCKER_HOST's forms) as dockerode's options. */
export function dockerOptions(endpoint: string | null): Docker.DockerOptions {
  const url = endpoint ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  const parsed = new URL(url.replace(/^tcp:/, 'http:'));
  return { protocol: 'http', host: parsed.hostname, port: Number(parsed.port || 2375) };
}

export async function dockerClient(endpoint: string | null): Promise<Docker> {
  const { default: DockerClass } = await import('dockerode');
  return new DockerClass(dockerOptions(endpoint));
}
