// Latency the service adds to /generate: a local server speaking the OpenAI chat-completions
// protocol answers at once; the same request is timed directly against it and through
// `pitchey serve ai` (provider openai at that base URL, cache bypassed), one at a time, in the
// same run, with a light client (undici.request; fetch alone costs a millisecond here). Median and
// p99 of each and the difference. Target: median added ≤ 2 ms (LiteLLM
// publishes +3.25 ms median for its proxy).
import { request } from 'undici';
import { KEY, freePort, median, percentile, report, setting, startInstantOpenAi, startRole, stop, tempDir, waitReady } from './lib.mjs';

const N = setting('BENCH_REQUESTS', 3_000, 100);
const WARM = setting('BENCH_WARM_REQUESTS', 200, 20);
const upstream = await startInstantOpenAi();
const upstreamUrl = upstream.url;

async function timeCalls(url, headers, body) {
  const times = [];
  for (let i = 0; i < N + WARM; i++) {
    const t = performance.now();
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    if (i >= WARM) times.push(performance.now() - t); // the first WARM requests warm up
  }
  return times;
}

const data = tempDir('pitchey-bench-ai-gen-');
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
  const direct = await timeCalls(
    `${upstreamUrl}/chat/completions`,
    { authorization: 'Bearer sk-bench' },
    JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 500, temperature: 0.7 }),
  );
  const via = await timeCalls(`http://127.0.0.1:${port}/generate`, { 'x-api-key': KEY }, JSON.stringify({ prompt: 'Say hello', provider: 'openai', cache: false }));
  console.log(`POST chat completion, ${N} sequential requests each, keep-alive, upstream answers at once`);
  console.log(`direct to the OpenAI-protocol server   median ${median(direct).toFixed(3)} ms   p99 ${percentile(direct, 99).toFixed(3)} ms`);
  console.log(`through pitchey /generate              median ${median(via).toFixed(3)} ms   p99 ${percentile(via, 99).toFixed(3)} ms`);
  console.log(
    `added by the service                   median ${(median(via) - median(direct)).toFixed(3)} ms   p99 ${(percentile(via, 99) - percentile(direct, 99)).toFixed(3)} ms   target median ≤ 2 ms (LiteLLM: +3.25 ms)`,
  );
  report({ name: 'ai /generate median latency, through pitchey vs direct', ours: median(via), baseline: median(direct), unit: 'ms', better: 'lower' });
  report({ name: 'ai /generate p99 latency, through pitchey vs direct', ours: percentile(via, 99), baseline: percentile(direct, 99), unit: 'ms', better: 'lower' });
} finally {
  await stop(svc);
  upstream.close();
  data.remove();
}
