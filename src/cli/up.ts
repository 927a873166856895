// `pitchey up`: the whole platform in one command; Ctrl-C or SIGTERM drains and stops it all. On a
// terminal (PITCHEY_LOG_FORMAT=auto outside production, or =pretty) every process's logs come as
// short coloured lines prefixed by their source; otherwise pino's JSON lines pass through as they are.
import { loadConfig, onShutdownSignal, withDevKey } from '../kit/index.js';
import { startPlatform } from '../platform/embedded.js';
import { GATEWAY_PORT } from '../gateway/index.js';
import type { ArgsOf } from './commands.js';
import { createPrettyPrinter, wantsColour, wantsPretty } from './pretty-log.js';
import { parseWorkers } from './up-workers.js';

type Sink = (id: string, chunk: Buffer, stream: 'stdout' | 'stderr') => void;

/** How this run prints: its own event lines, and (pretty only) a sink for every process's logs. */
function terminal(pretty: boolean): { say: (line: string) => void; strong: (text: string) => string; output: Sink | undefined } {
  if (!pretty) return { say: (line) => console.error(`[pitchey] ${line}`), strong: (text) => text, output: undefined };
  const colour = wantsColour(process.env, process.stdout.isTTY === true);
  const printer = createPrettyPrinter({ colour, write: (text) => process.stdout.write(text), width: 14 });
  const sources = new Map<string, (chunk: Buffer) => void>();
  const output: Sink = (id, chunk, stream) => {
    const key = `${id}\0${stream}`;
    if (!sources.has(key)) sources.set(key, printer.source(id));
    sources.get(key)!(chunk);
  };
  return { say: (line) => printer.line('pitchey', line), strong: (text) => (colour ? `\x1b[1;32m${text}\x1b[0m` : text), output };
}

export async function up(a: ArgsOf<'up'>): Promise<void> {
  const workerCounts = parseWorkers(a.values.workers);
  const { config, devKeyFile } = withDevKey(loadConfig());
  const started = Date.now();
  const { say, strong, output } = terminal(wantsPretty(config.logFormat, process.stdout.isTTY === true, config.mode === 'production'));
  const platform = await startPlatform(config, { gatewayPort: config.port ?? GATEWAY_PORT, log: (m) => say(m), ...(output ? { output } : {}) });
  onShutdownSignal(
    async (signal) => {
      say(`${signal}: draining`);
      await platform.stop();
      say('stopped');
    },
    { deadlineMs: config.drainTimeoutMs * 2 + 5_000 },
  );
  await platform.waitReady(120_000);
  // One line tests and benches wait for: the URL last, with nothing after it.
  say(`${strong(`ready in ${Date.now() - started} ms`)}: gateway ${platform.gatewayUrl}`);
  for (const i of platform.instances()) say(`  ${i.role.padEnd(9)} ${i.url} (pid ${i.pid})`);
  if (workerCounts.size > 0) {
    const workers = await platform.startWorkers(workerCounts);
    say(`  workers   ${workers.map((w) => (w.url === null ? w.id : `${w.id} (metrics ${w.url})`)).join(', ')}`);
  }
  if (devKeyFile !== null) {
    say(`development API key (X-API-Key) is in ${devKeyFile}`);
    say(`  try: curl -H "X-API-Key: $(cat ${devKeyFile})" ${platform.gatewayUrl}/api/video/queue/status`);
  }
}
