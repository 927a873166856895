// Latency the OpenAI-compatible API adds: the official `openai` SDK calls a local server speaking
// the OpenAI chat-completions protocol (it answers at once) directly, then through
// `pitchey serve ai` at /v1 (provider openai at that base URL, cache bypassed), one call at a time,
// in the same run, the same client both ways. The two are interleaved call by call, so load from
// elsewhere on the machine falls on both alike. Median and p99 of each and the difference. Target:
// median added ≤ 2 ms (LiteLLM publishes +3.25 ms median for its proxy).
import OpenAI from 'openai';
import { KEY, freePort, median, percentile, report, setting, startInstantOpenAi, startRole, stop, tempDir, waitReady } from './lib.mjs';

const N = setting('BENCH_REQUESTS', 2_000, 50);
const WARM_UP = setting('BENCH_WARM_UP', 500, 20);
const upstream = await startInstantOpenAi();
const upstreamUrl = upstream.url;

const ask = (client, extra) => client.chat.completions.create({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 500, ...extra });

async function timed(call) {
  const t = performance.now();
  await call();
  return performance.now() - t;
}

/** Direct and through the service, alternately; the first WARM_UP pairs warm both paths up. */
async function timePairs(direct, via) {
  const times = { direct: [], via: [] };
  for (let i = 0; i < N + WARM_UP; i++) {
    const d = await timed(() => ask(direct, {}));
    const v = await timed(() => ask(via, { cache: false }));
    if (i >= WARM_UP) {
      times.direct.push(d);
      times.via.push(v);
    }
  }
  return times;
}

const data = tempDir('pitchey-bench-ai-openai-');
const port = await freePort();
const svc = startRole('ai', {
  PITCHEY_DATA_DIR: data.dir,
  PITCHEY_PORT: String(port),
  PITCHEY_RATE_LIMIT: 'false',
  PITCHEY_AI_OPENAI_BASE_URL: upstreamUrl,
  PITCHEY_AI_OPENAI_API_KEY: 'sk-bench',
  PITCHEY_AI_MODELS: 'openai=bench-model',
});
try {
  await waitReady(`http://127.0.0.1:${port}`);
  const { direct, via } = await timePairs(new OpenAI({ baseURL: upstreamUrl, apiKey: 'sk-bench', maxRetries: 0 }), new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY, maxRetries: 0 }));
  console.log(`openai SDK chat.completions.create, ${N} sequential calls each, upstream answers at once`);
  console.log(`baseline: SDK direct to the OpenAI-protocol server   median ${median(direct).toFixed(3)} ms   p99 ${percentile(direct, 99).toFixed(3)} ms`);
  console.log(`ours: SDK through pitchey /v1                        median ${median(via).toFixed(3)} ms   p99 ${percentile(via, 99).toFixed(3)} ms`);
  console.log(
    `added by the service                                 median ${(median(via) - median(direct)).toFixed(3)} ms   p99 ${(percentile(via, 99) - percentile(direct, 99)).toFixed(3)} ms   target median ≤ 2 ms (LiteLLM: +3.25 ms)`,
  );
  report({ name: 'OpenAI SDK chat completion median latency, through pitchey /v1 vs direct', ours: median(via), baseline: median(direct), unit: 'ms', better: 'lower' });
  report({ name: 'OpenAI SDK chat completion p99 latency, through pitchey /v1 vs direct', ours: percentile(via, 99), baseline: percentile(direct, 99), unit: 'ms', better: 'lower' });
} finally {
  await stop(svc);
  upstream.close();
  data.remove();
}
