// `pitchey up`: the whole platform in one command; Ctrl-C or SIGTERM drains and stops it all.
import { loadConfig, onShutdownSignal, withDevKey } from '../kit/index.js';
import { startPlatform } from '../platform/embedded.js';
import { GATEWAY_PORT } from '../gateway/index.js';

export async function up(): Promise<void> {
  const { config, devKeyFile } = withDevKey(loadConfig());
  const started = Date.now();
  const platform = await startPlatform(config, { gatewayPort: config.port ?? GATEWAY_PORT, log: (m) => console.error(`[pitchey] ${m}`) });
  onShutdownSignal(
    async (signal) => {
      console.error(`[pitchey] ${signal}: draining`);
      await platform.stop();
      console.error('[pitchey] stopped');
    },
    { deadlineMs: config.drainTimeoutMs * 2 + 5_000 },
  );
  await platform.waitReady(120_000);
  console.error(`[pitchey] ready in ${Date.now() - started} ms: gateway ${platform.gatewayUrl}`);
  for (const i of platform.instances()) console.error(`[pitchey]   ${i.role.padEnd(9)} ${i.url} (pid ${i.pid})`);
  if (devKeyFile !== null) console.error(`[pitchey] development API key (X-API-Key) is in ${devKeyFile}`);
}
