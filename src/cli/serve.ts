// `pitchey serve <role>`: one role standalone on its home port, as a container runs it. When
// started by `pitchey up` (an IPC channel exists) it reports its port and exits with its parent.
import { GATEWAY_PORT, SERVICE_NAMES, createMetrics, createService, loadConfig, onShutdownSignal, withDevKey, type Config, type ServiceName } from '../kit/index.js';
import { SERVICE_HOME_PORTS, loadService } from '../services/index.js';
import type { ArgsOf } from './commands.js';
import { UsageError } from './usage.js';
import { PLATFORM_ROLES, type PlatformRole } from '../kit/light.js';

const ROLES = PLATFORM_ROLES;
type Role = PlatformRole;

export function parseRole(value: string | undefined): Role {
  if (value === undefined || !(ROLES as readonly string[]).includes(value)) throw new UsageError(`serve needs a role: ${ROLES.join(' | ')}`);
  return value as Role;
}

function defaultUpstreams(config: Config): Record<string, string[]> {
  return Object.fromEntries(SERVICE_NAMES.map((s) => [s, config.upstreams[s] ?? [`http://127.0.0.1:${SERVICE_HOME_PORTS[s]}`]]));
}

async function startRole(role: Role, config: Config): Promise<{ port: number; stop: () => Promise<void> }> {
  const metrics = createMetrics();
  if (role === 'gateway') {
    // A service's process never loads the gateway's modules (nor a gateway the services').
    const { createGateway } = await import('../gateway/index.js');
    const gateway = await createGateway({ config, metrics });
    for (const [service, urls] of Object.entries(defaultUpstreams(config))) {
      gateway.pools.get(service as ServiceName)?.setInstances(urls.map((url, i) => ({ id: `${service}-${i}`, url, track: 'stable', version: config.version })));
    }
    return { port: await gateway.listen(config.port ?? GATEWAY_PORT, config.host), stop: () => gateway.close() };
  }
  const service = await createService(await loadService(role), { config, metrics });
  return { port: await service.listen(config.port ?? SERVICE_HOME_PORTS[role], config.host), stop: () => service.drain() };
}

export async function serve(a: ArgsOf<'serve'>): Promise<void> {
  const role = parseRole(a.positionals[0]);
  const { config } = withDevKey(loadConfig());
  const running = await startRole(role, config);
  const shutdown = onShutdownSignal(() => running.stop(), { deadlineMs: config.drainTimeoutMs + 5_000 });
  if (process.send !== undefined) {
    process.send({ type: 'listening', port: running.port });
    // The supervisor is gone (even by SIGKILL): drain, within the same deadline, and leave rather
    // than live on as an orphan.
    process.on('disconnect', () => shutdown('disconnect'));
  }
}
