// The embedded platform (`pitchey up`): the gateway in this process and one supervised child
// per service on a free port, registered in the gateway's pools as they come up. Instance
// addresses are written to <data>/run/instances.json for `pitchey health`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, type Gateway } from '../gateway/index.js';
import { SERVICE_NAMES, createMetrics, type Config } from '../kit/index.js';
import { Supervisor } from './supervisor.js';

export interface InstanceEntry { role: string; id: string; url: string; pid: number }

export interface Platform {
  gatewayUrl: string;
  gateway: Gateway;
  instances(): InstanceEntry[];
  /** Resolves once every service has a healthy instance in the gateway, or rejects at the deadline. */
  waitReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function instancesFile(dataDir: string): string {
  return join(dataDir, 'run', 'instances.json');
}

const CLI_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export async function startPlatform(config: Config, options: { gatewayPort: number; log?: (msg: string) => void }): Promise<Platform> {
  const gateway = await createGateway({ config, metrics: createMetrics(), healthIntervalMs: 1_000 });
  const port = await gateway.listen(options.gatewayPort, config.host);
  const gatewayUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const live = new Map<string, InstanceEntry>();
  const file = instancesFile(config.dataDir);
  mkdirSync(join(config.dataDir, 'run'), { recursive: true });
  const record = (): void => writeFileSync(file, JSON.stringify({ gateway: { url: gatewayUrl, pid: process.pid }, instances: [...live.values()] }, null, 2));
  record();
  const supervisor = new Supervisor({ ...(options.log ? { log: options.log } : {}) });
  for (const service of SERVICE_NAMES) {
    const id = `${service}-1`;
    const pool = gateway.pools.get(service);
    supervisor.start({
      id, modulePath: CLI_MAIN, args: ['serve', service],
      env: { ...process.env, PITCHEY_PORT: '0', PITCHEY_HOST: '127.0.0.1', PITCHEY_DATA_DIR: config.dataDir, PITCHEY_API_KEYS: config.apiKeys.map((k) => `${k.key}:${k.scopes.join('+')}`).join(','), PITCHEY_VERSION: config.version, PITCHEY_TRACK: 'stable' },
      onListening: (childPort, pid) => {
        const url = `http://127.0.0.1:${childPort}`;
        live.set(id, { role: service, id, url, pid });
        pool?.add({ id, url, track: 'stable', version: config.version });
        record();
        void gateway.checkHealth();
      },
      onExit: () => { live.delete(id); pool?.remove(id); record(); },
    });
  }
  let stopped: Promise<void> | null = null;
  return {
    gatewayUrl,
    gateway,
    instances: () => [...live.values()],
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const missing = SERVICE_NAMES.filter((s) => (gateway.pools.get(s)?.available().length ?? 0) === 0 || !live.has(`${s}-1`));
        if (missing.length === 0) return;
        if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${missing.join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop() {
      stopped ??= (async () => {
        await gateway.close();
        await supervisor.stopAll(config.drainTimeoutMs);
        rmSync(file, { force: true });
      })();
      return stopped;
    },
  };
}
